"""Load test (make load): gunicorn on 127.0.0.1 against the national data set
in PostgreSQL, wrk with 16 concurrent clients for a fixed time per page, and
a trivial view (/healthz) in the same run as the baseline. Bounded: only
127.0.0.1, a fixed duration, then everything stops.

LOAD_SECONDS (default 60) sets the time per page, after a warm-up of
LOAD_WARMUP_SECONDS (default 5) of the same wrk on the same page, not counted
(each worker's first request to a page loads its templates and fills the page
cache); SCALE_DATABASE_URL the database (loaded by bench/bench_scale.py when it has no plans); LOAD_WORKERS
the gunicorn workers (default one per core).

``--no-cache`` serves with the page cache switched off (bench/settings_nocache.py)
and measures the trivial page (LOAD_BASE_SECONDS, default 10) and the
dashboard only, against issue 17's goal: p95 under 300 ms with no errors."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pccperf_scale")
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
PORT = int(os.environ.get("LOAD_PORT", "8002"))
P95_GOAL_MS = 300.0
PAGES = [
    ("trivial: /healthz", "/healthz"),
    ("plan dashboard", "/west-mercia/"),
    ("priority page", "/west-mercia/priorities/1/"),
    ("API, one indicator", "/api/forces/west-mercia/indicators/ind-00/"),
    ("panel report", "/west-mercia/report/?mode=exceptions&download=1"),   # labelled with its size, measured
]
WARMUP_SECONDS = int(os.environ.get("LOAD_WARMUP_SECONDS", "5"))


def has_data() -> bool:
    name = URL.rsplit("/", 1)[1]
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-tAc",
                             "SELECT count(*) FROM indicators_plan"], capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() not in ("", "0")


def wrk(path: str, seconds: int) -> str:
    return subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "-s",
                           str(ROOT / "bench" / "wrk_report.lua"), f"http://127.0.0.1:{PORT}{path}"],
                          capture_output=True, text=True, check=True).stdout


def size_label(label: str, path: str) -> str:
    """The page's label with its size as served in this run (the report's size
    moves with the data and the report's drawings)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=60) as response:
        size = len(response.read())
    return f"{label} ({size / 1e6:.2f} MB)" if size >= 1e6 else f"{label} ({size / 1e3:.0f} KB)"


def main():
    if not shutil.which("wrk"):
        sys.exit("make load needs wrk: apt-get install -y wrk")
    if not has_data():
        print("loading the national data set first (bench/bench_scale.py)...")
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_scale.py")], check=True)
    no_cache = "--no-cache" in sys.argv
    env = {**os.environ, "DATABASE_URL": URL, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0",
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "AXES_FAILURE_LIMIT": "1000"}
    pages = PAGES
    if no_cache:
        env["DJANGO_SETTINGS_MODULE"] = "settings_nocache"
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), str(ROOT)])
        pages = [PAGES[0], PAGES[1]]
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # One sync worker per core: PostgreSQL shares these cores and the pages are CPU-bound, so more
    # workers only queue for the same cores (docs/decisions.md, "Workers"). LOAD_WORKERS overrides.
    workers = int(os.environ.get("LOAD_WORKERS", os.cpu_count() or 1))
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "pccperf.wsgi", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", str(workers), "--log-level", "warning",
                               "--access-logfile", os.devnull],      # gunicorn.conf.py's access lines: not results
                              cwd=ROOT, env=env)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        print(f"gunicorn, {workers} workers, 127.0.0.1:{PORT}; wrk, 16 connections, {SECONDS} s per page "
              f"after a {WARMUP_SECONDS} s warm-up (not counted); page cache {'OFF' if no_cache else 'on'}")
        print(f"{'page':<24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'p95 ratio':>9}")
        base = None
        goal = None
        for label, path in pages:
            seconds = int(os.environ.get("LOAD_BASE_SECONDS", "10")) if no_cache and path == "/healthz" else SECONDS
            if "report" in path:
                label = size_label(label, path)
            if WARMUP_SECONDS:
                wrk(path, WARMUP_SECONDS)
            out = wrk(path, seconds)
            fields = dict(re.findall(r"(\w+)=([\d.]+)", out.split("RESULT", 1)[1]))
            p95 = float(fields["p95"])
            base = base or p95
            errors = int(fields["errors"])
            print(f"{label:<24} {float(fields['rps']):8.1f} {float(fields['p50']):8.1f} {p95:8.1f} "
                  f"{float(fields['p99']):8.1f} {errors:7d} {p95 / base:8.1f}x")
            if no_cache and path == "/west-mercia/":
                goal = (p95, errors, seconds)
        if goal:
            p95, errors, seconds = goal
            met = p95 < P95_GOAL_MS and errors == 0
            print(f"  {'dashboard, cache off, 16 connections':<42} measured p95 {p95:.0f} ms, {errors} errors "
                  f"over {seconds} s, goal p95 under {P95_GOAL_MS:.0f} ms with no errors: {'met' if met else 'NOT MET'}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
