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
    # ENV_FILE= : a demo checkout's .env does not reach these runs.
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DEBUG": "0", "ENV_FILE": "",
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


def test_the_env_file_reaches_gunicorn_as_it_reaches_django(tmp_path):
    env_file = tmp_path / "pccperf.env"
    env_file.write_text("WORKERS=3\nPORT=8124\nLOG_FORMAT=json\n")
    config = _config(ENV_FILE=str(env_file))
    assert (config["workers"], config["bind"], config["accesslog"]) == ("3", "['127.0.0.1:8124']", "None")
    # The environment wins over the file, as in the settings.
    assert _config(ENV_FILE=str(env_file), WORKERS="1")["workers"] == "1"


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
