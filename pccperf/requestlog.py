"""Logs: plain text by default; with LOG_FORMAT=json one JSON object per
line, and one line per request (SPEC §4; docs/decisions.md, "Logs
(LOG_FORMAT=json)").

The request line carries a request id: the proxy's X-Request-ID when it is
a short, safe token (so the proxy's log and ours share it), else a new one;
the response carries it back in X-Request-ID.
"""

import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar

log = logging.getLogger("pccperf.request")

LOG_FORMATS = ("plain", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# What a proxy or client may name a request by: letters, digits, "-", "_", "."
# and ":", at most 64 (a UUID, nginx's $request_id, a Heroku/AWS trace id).
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds the request id to every record logged while a request is served
    (an error's traceback, a cache warning), so it can be found beside its
    request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = _request_id.get()
            if request_id is not None:
                record.request_id = request_id
        return True


def logging_config(log_format: str, level: str) -> dict:
    """settings.LOGGING for LOG_FORMAT and LOG_LEVEL (checked by the caller)."""
    json_logs = log_format == "json"
    handler = {"class": "logging.StreamHandler"}
    if json_logs:
        handler.update(formatter="json", filters=["request_id"])
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "filters": {"request_id": {"()": "pccperf.requestlog.RequestIdFilter"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # The request line is INFO: written with JSON logs whatever LOG_LEVEL
            # says, never with plain logs (gunicorn's access log has it there).
            "pccperf.request": {"level": "INFO" if json_logs else "WARNING"},
            # Django's "Not Found: /x" and "Bad Request" warnings only repeat the
            # request line's status; errors (500, with their traceback) stay.
            **({"django.request": {"level": "ERROR"}} if json_logs else {}),
        },
    }


def configure_json_logging(config: dict) -> None:
    """settings.LOGGING_CONFIG with JSON logs: Python's warnings (printed
    straight to stderr otherwise) go through the "py.warnings" logger, so
    they are JSON lines too."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


class RequestLogMiddleware:
    """First in MIDDLEWARE, so its duration covers every other middleware and
    every response, a lockout or a redirect too, carries X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        # Off with plain logs: then it reads nothing, so it costs no query.
        if log.isEnabledFor(logging.INFO):
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            log.info(f"{request.method} {request.path} {response.status_code}", extra={
                "request_id": request.request_id,
                "user": _username(request),
                "client": _client(request),
                "method": request.method,
                "path": request.get_full_path(),
                "status": response.status_code,
                "duration_ms": duration_ms,
            })
        return response


def _username(request) -> str | None:
    """The signed-in user's name; None for anonymous (a user may be called "anonymous")."""
    from django.db import DatabaseError

    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated:
            return None
    except DatabaseError:
        # The session or user could not be read (the database is down): the
        # response, a 503 from /healthz say, must still go out, and be logged.
        return None
    return user.get_username()


def _client(request) -> str | None:
    from pccperf.proxies import client_ip  # the address the login throttle uses, behind proxies too

    return client_ip(request)
