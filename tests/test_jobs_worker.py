"""The panel pack with real workers (issue 27): two gunicorn workers at the
default timeout, production settings, PostgreSQL and Redis, and RQ job
workers (manage.py run_worker) as `make serve` starts them.

- every demo force's PDF link answers "being prepared" (200) before its
  pack is built, and the stored PDF in under 100 ms after;
- a worker killed mid-pack (its whole process group, as the kernel's OOM
  killer or a lost machine would) leaves a job that the next worker sends
  again, and the pack is made.

Skipped on SQLite (the servers and workers share pytest-django's
PostgreSQL test database) or without Redis, unless TEST_REDIS_URL is set."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from jobs.models import Job, StoredPack
from tests.test_two_servers import _database_url, _free_port, _redis

ROOT = Path(__file__).resolve().parent.parent
FORCES = ("west-mercia", "leicestershire", "essex")


def _get(url: str) -> tuple[int, str, bytes, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
            return response.status, response.headers["Content-Type"], body, time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read(), time.perf_counter() - started


class Processes:
    def __init__(self, env: dict, folder: Path):
        self.env, self.folder, self.running = env, folder, []

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w+b")  # noqa: SIM115  (closed with the process)
        process = subprocess.Popen(args, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        process.log, process.name = log, name
        self.running.append(process)
        return process

    def output(self, process) -> str:
        process.log.flush()
        process.log.seek(0)
        return process.log.read().decode(errors="replace")[-4000:]

    def kill(self, process) -> None:
        """SIGKILL to the worker and the work-horse RQ forked for the job (in a session of its own)."""
        if process.poll() is None:
            os.kill(process.pid, signal.SIGSTOP)           # it cannot see its horse die and tidy up
            subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)
            process.log.close()


@pytest.fixture
def site(transactional_db, tmp_path, redis_url):
    if connection.vendor != "postgresql":
        pytest.skip("the servers and workers share one PostgreSQL database: run with DATABASE_URL=postgres://...")
    redis = _redis(redis_url)
    redis.flushdb()
    call_command("load_demo", "--no-packs", stdout=open(os.devnull, "w"))  # noqa: SIM115
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "CONN_", "REDIS_", "DJANGO_", "PYTEST_", "JOBS_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "pccperf.settings", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url, "STATIC_ROOT": str(tmp_path / "static"), "JOBS_STALE_AFTER": "5",
    })
    collect = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stderr
    processes = Processes(env, tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        # gunicorn's default timeout (30 s): the pack is never built in a request
        web = processes.start("gunicorn", [sys.executable, "-m", "gunicorn", "pccperf.wsgi", "--bind",
                                           f"127.0.0.1:{port}", "--workers", "2"])
        deadline = time.monotonic() + 60
        while not _up(url) or _get(url + "/healthz")[0] != 200:
            assert web.poll() is None, processes.output(web)
            assert time.monotonic() < deadline, processes.output(web)
            time.sleep(0.3)
        yield url, processes
    finally:
        processes.stop_all()
        redis.flushdb()


def _up(url: str) -> bool:
    try:
        _get(url + "/healthz")
        return True
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def _worker(processes: Processes, name: str) -> subprocess.Popen:
    return processes.start(name, [sys.executable, "manage.py", "run_worker"])


def _wait_for(predicate, seconds: float, what: str, explain=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what} within {seconds} s\n{explain()}")


def test_every_pdf_link_is_being_prepared_then_served_from_the_store_in_under_100_ms(site):
    url, processes = site
    links = [f"{url}/{slug}/report/?format=pdf" for slug in FORCES]
    for link in links:                                    # before any worker runs: being prepared, never a 500
        status, content_type, body, took = _get(link)
        assert status == 200 and content_type.startswith("text/html"), body[:300]
        assert b"The panel pack is being prepared" in body and b'http-equiv="refresh"' in body
        assert took < 2, f"{link}: {took:.2f} s"
    worker = _worker(processes, "worker")
    for link in links:
        _wait_for(lambda link=link: _get(link)[1] == "application/pdf", 180, f"{link} was not built",
                  lambda: processes.output(worker))
    for link in links:
        times = sorted(_get(link)[3] for _ in range(5))
        status, content_type, body, _ = _get(link)
        assert status == 200 and content_type == "application/pdf" and body.startswith(b"%PDF-")
        assert times[2] < 0.1, f"{link}: median {times[2] * 1000:.0f} ms over 5 requests ({times})"
    assert StoredPack.objects.filter(file_format="pdf").count() == 3
    assert set(Job.objects.values_list("status", flat=True)) == {Job.DONE}


def test_a_worker_killed_mid_pack_leaves_a_job_the_next_worker_finishes(site):
    url, processes = site
    link = f"{url}/west-mercia/report/?period=2013-06&mode=full&format=pdf"
    assert b"being prepared" in _get(link)[2]
    first = _worker(processes, "worker-1")
    job = _wait_for(lambda: Job.objects.filter(kind="pack", status=Job.RUNNING).first(), 60,
                    "the pack job did not start", lambda: processes.output(first))
    time.sleep(0.5)
    processes.kill(first)                                  # mid-pack: it takes seconds of CPU
    job.refresh_from_db()
    assert job.status == Job.RUNNING and not StoredPack.objects.exists()
    time.sleep(5.5)                                        # JOBS_STALE_AFTER: its heartbeat has stopped
    second = _worker(processes, "worker-2")
    _wait_for(lambda: _get(link)[1] == "application/pdf", 180, "the pack was not made after the kill",
              lambda: processes.output(second))
    job.refresh_from_db()
    assert job.status == Job.DONE and job.attempts == 2
    assert StoredPack.objects.filter(file_format="pdf", mode="full").count() == 1
