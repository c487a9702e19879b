"""gunicorn's settings for pccperf: `gunicorn -c gunicorn.conf.py` (docs/deploy.md).

HOST, PORT, WORKERS and LOG_FORMAT come from the environment, like every
other setting (SPEC §4); the rest are fixed here, each with its reason
(docs/decisions.md, "Serving configuration (gunicorn.conf.py)").
"""

import os
from pathlib import Path

from dotenv import load_dotenv

# The same source as pccperf/settings.py: the environment, then ENV_FILE
# (default the checkout's .env) for what it leaves unset, so LOG_FORMAT=json
# or WORKERS in that file reach gunicorn as they reach Django.
_ENV_FILE = os.environ.get("ENV_FILE", str(Path(__file__).resolve().parent / ".env")).strip()
if _ENV_FILE:
    load_dotenv(_ENV_FILE, override=False)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"pccperf: {name}={raw!r} is not a whole number") from None
    if value < 1:
        raise SystemExit(f"pccperf: {name}={raw!r} must be at least 1")
    return value


def _cores() -> int:
    # The cores this process may use (what `nproc` prints), not the machine's:
    # a container or a systemd CPUAffinity= may allow fewer.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "pccperf.wsgi:application"
proc_name = "pccperf"
# No gunicornc control socket (new in gunicorn 25, in $HOME by default):
# systemd starts, reloads (HUP) and stops gunicorn by signals, and a service
# account's home may be read-only or shared by two instances.
control_socket_disable = True

# Loopback by default: the reverse proxy in front (docs/deploy.md) terminates
# TLS and is the only client. HOST=0.0.0.0 only when the proxy is on another machine.
bind = f"{os.environ.get('HOST', '').strip() or '127.0.0.1'}:{_int('PORT', 8000)}"

# One sync worker per core, not gunicorn's usual 2 x cores + 1: an uncached
# page is CPU work, and beside PostgreSQL on the same cores extra workers
# only queue for them (docs/decisions.md, "Workers"). With the database on
# its own machine, WORKERS=2 or 3 per core is the place to start.
workers = _int("WORKERS", _cores())

# The slowest legitimate request is a cold full panel report as PDF, or a
# 20 MB return file checked before its preview: seconds, not minutes. 60 s
# leaves a wide margin and still frees a worker stuck on something else.
timeout = 60
# On restart or HUP a worker finishes the request in hand for up to 30 s
# (an import being confirmed) before it is killed.
graceful_timeout = 30
# Seconds to hold an idle keep-alive connection from the proxy. The sync
# worker closes after each response anyway; this counts for threaded
# workers (--threads, with DATABASE_POOL=1).
keepalive = 5

# A worker is replaced after about 5,000 requests, a safety net against
# slow memory growth (pandas, plotly); the jitter keeps the workers from
# restarting together. High, because a new worker starts with empty
# per-process caches (pages without REDIS_URL, compiled reads).
max_requests = 5000
max_requests_jitter = 500

# Access log to stdout, error log to stderr: systemd's journal (or the
# container runtime) keeps both. With LOG_FORMAT=json the application writes
# one JSON line per request itself (pccperf/requestlog.py), so gunicorn's
# access line would only repeat it, and gunicorn's own messages are JSON too,
# so every line of the log parses.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or "plain"
if LOG_FORMAT == "json":
    accesslog = None
    logconfig_dict = {
        "formatters": {
            "generic": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "generic",
                              "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            # gunicorn turns its access log on whenever logconfig_dict is set; keep it quiet.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
        "root": {"level": "WARNING", "handlers": ["error_console"]},
    }
else:
    accesslog = "-"
errorlog = "-"
