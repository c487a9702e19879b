"""gunicorn.conf.py (issue 23 item 4): the values gunicorn really reads from
it, with and without the environment, and a configuration gunicorn accepts."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _gunicorn(*args, **env) -> subprocess.CompletedProcess:
    # gunicorn loads the application even to print its configuration: production-like settings.
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DEBUG": "0",
            "SECRET_KEY": "test-only-key-not-a-secret", "DATABASE_URL": "sqlite:///:memory:"}
    return subprocess.run([GUNICORN, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
                          timeout=120)


def _config(**env) -> dict[str, str]:
    result = _gunicorn("--print-config", "-c", "gunicorn.conf.py", **env)
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))


def test_defaults_serve_on_loopback_with_one_worker_per_core():
    config = _config()
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["workers"] == str(len(os.sched_getaffinity(0)))
    assert config["wsgi_app"] == "pccperf.wsgi:application"
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == ("60", "30", "5")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("5000", "500")
    assert config["accesslog"] == "-" and config["errorlog"] == "-"
    assert config["control_socket_disable"] == "True"


def test_host_port_and_workers_come_from_the_environment():
    config = _config(HOST="0.0.0.0", PORT="8123", WORKERS="3")
    assert config["bind"] == "['0.0.0.0:8123']"
    assert config["workers"] == "3"


def test_json_logs_replace_gunicorns_access_line():
    config = _config(LOG_FORMAT="json")
    assert config["accesslog"] == "None"
    assert "pythonjsonlogger.json.JsonFormatter" in config["logconfig_dict"]


@pytest.mark.parametrize("name, value", [("WORKERS", "two"), ("WORKERS", "0"), ("PORT", "http")])
def test_a_bad_value_is_one_clear_line(name, value):
    result = _gunicorn("--check-config", "-c", "gunicorn.conf.py", **{name: value})
    assert result.returncode != 0
    assert f"pccperf: {name}={value!r}" in result.stderr and "Traceback" not in result.stderr


def test_gunicorn_accepts_the_configuration_and_loads_the_application():
    result = _gunicorn("--check-config", "-c", "gunicorn.conf.py", "pccperf.wsgi")
    assert result.returncode == 0, result.stdout + result.stderr
