"""Structured logs (issue 23 item 5): with LOG_FORMAT=json every request is
one JSON line with its request id, user, method, path, status and duration;
without it the logs are as before and the request line costs nothing."""

import io
import json
import logging.config
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from pccperf.requestlog import logging_config
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"time", "level", "logger", "message", "request_id", "user", "client", "method", "path", "status",
          "duration_ms"}


@pytest.fixture
def json_logs():
    """The logging LOG_FORMAT=json configures, its handler writing to a buffer
    the test reads: each call returns the lines written since the last."""
    config = logging_config("json", "WARNING")
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)

    def lines():
        text = stream.getvalue()
        stream.seek(0)
        stream.truncate()
        return [json.loads(line) for line in text.splitlines()]

    yield lines
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.django_db
def test_a_page_is_one_json_line_with_its_request_id_and_duration(json_logs):
    response = Client().get("/?x=1")
    assert response.status_code == 200
    (line,) = json_logs()
    assert set(line) == FIELDS
    assert line["logger"] == "pccperf.request" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"], line["user"]) == ("GET", "/?x=1", 200, None)
    assert line["client"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and 0 < line["duration_ms"] < 60_000
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert response["X-Request-ID"] == line["request_id"]


@pytest.mark.django_db
def test_a_not_found_is_one_line_too(json_logs):
    assert Client().get("/no-such-force/").status_code == 404
    (line,) = json_logs()                  # Django's own "Not Found" warning would repeat it
    assert (line["status"], line["path"]) == (404, "/no-such-force/")


@pytest.mark.django_db
def test_a_health_probe_is_logged_with_its_status(json_logs):
    response = Client().get("/healthz", HTTP_HOST="10.0.0.7")        # a load balancer asks by address
    (line,) = json_logs()
    assert (line["path"], line["status"], line["user"]) == ("/healthz", response.status_code, None)
    assert response["X-Request-ID"] == line["request_id"]


@pytest.mark.django_db
def test_the_line_names_the_signed_in_user(json_logs):
    client = Client()
    client.force_login(make_user("ana", superuser=True))
    json_logs()
    assert client.get("/admin/").status_code == 200
    (line,) = json_logs()
    assert (line["user"], line["status"], line["path"]) == ("ana", 200, "/admin/")


@pytest.mark.django_db
def test_a_failed_post_is_logged_with_its_status(json_logs):
    response = Client().post("/admin/login/", {"username": "nobody", "password": "wrong"})
    lines = json_logs()
    (line,) = [line for line in lines if line["logger"] == "pccperf.request"]
    assert (line["method"], line["status"], line["user"]) == ("POST", response.status_code, None)
    # What is logged while the request is served is JSON too, and carries its request id.
    (throttle,) = [other for other in lines if other["logger"].startswith("axes")]
    assert throttle["request_id"] == line["request_id"] and throttle["level"] == "WARNING"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming, kept", [
    ("3f1c2a8e-9b7d-4c1e-8f00-1234567890ab", True),     # a UUID from the proxy
    ("Root=1-67891233-abcdef012345678912345678", False),  # "=" is not in a safe token
    ("a" * 65, False),                                   # too long
    ("x\u00e9", False),
    ("-starts-with-a-dash", False),
])
def test_an_incoming_request_id_is_kept_only_when_it_is_a_safe_short_token(json_logs, incoming, kept):
    response = Client().get("/", HTTP_X_REQUEST_ID=incoming)
    (line,) = json_logs()
    assert (line["request_id"] == incoming) is kept
    assert response["X-Request-ID"] == line["request_id"]
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])


@pytest.mark.django_db
def test_plain_logs_have_no_request_line_and_the_response_still_has_an_id(caplog):
    with caplog.at_level(logging.DEBUG):
        response = Client().get("/")
    assert not [r for r in caplog.records if r.name == "pccperf.request"]
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def _run(args, env, **kwargs):
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DEBUG": "0",
            "ENV_FILE": "", "SECRET_KEY": "test-only-key-not-a-secret"}
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
                          **kwargs)


@pytest.mark.parametrize("name, value, message", [
    ("LOG_FORMAT", "xml", "pccperf: LOG_FORMAT='xml' is not a log format; use plain or json"),
    ("LOG_LEVEL", "loud", "pccperf: LOG_LEVEL='LOUD' is not a level"),
])
def test_a_bad_log_setting_is_one_clear_line(name, value, message):
    result = _run([sys.executable, "manage.py", "check"], {name: value})
    assert result.returncode != 0 and result.stderr.startswith(message), result.stderr


def test_gunicorn_with_json_logs_writes_only_json_lines(tmp_path):
    """As production runs it: gunicorn -c gunicorn.conf.py, LOG_FORMAT=json.
    Every line gunicorn and the application write parses, and a request is
    one line (gunicorn's access line is off)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "0", "LOG_FORMAT": "json"}
    assert _run([sys.executable, "manage.py", "migrate", "-v0"], env).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DEBUG": "0",
            "ENV_FILE": "", "SECRET_KEY": "test-only-key-not-a-secret"}
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py"], cwd=ROOT, stdout=stdout, stderr=stderr,
                                  env={**base, **env, "PORT": str(port), "WORKERS": "1"})
        try:
            url = f"http://127.0.0.1:{port}/api/forces/nowhere/indicators/"
            deadline = time.monotonic() + 60
            while True:                        # until gunicorn answers (its own request ids)
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            # Then the probe, once: a retry after a client timeout would be a second request.
            request = urllib.request.Request(url, headers={"X-Request-ID": "probe-1"})
            try:
                status = urllib.request.urlopen(request, timeout=60).status
            except urllib.error.HTTPError as exc:
                status = exc.code
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert status == 404
    lines = [json.loads(line) for line in (out.read_text() + err.read_text()).splitlines()]
    requests = [line for line in lines if line["logger"] == "pccperf.request" and line["path"] != "/healthz"]
    assert [(r["request_id"], r["status"], r["path"]) for r in requests] == [
        ("probe-1", 404, "/api/forces/nowhere/indicators/")]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
