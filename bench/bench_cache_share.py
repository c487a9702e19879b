"""The share of readers served from the page cache while one force publishes
(issue 27's done-when; goal ≥ 99 %): gunicorn (2 workers, production
settings: DEBUG off, collected static files, REDIS_URL) against the national
data set in PostgreSQL (bench/bench_scale.py loads it when it has no plans),
one job worker (`manage.py run_worker`: the packs and the "warm" job a publish
queues), and 8 reader clients for CACHE_SHARE_SECONDS (default 60), while
West Mercia publishes a changed figure every CACHE_SHARE_EVERY seconds
(default 10) with `manage.py import_return FILE --publish --accept-warnings`.

A reader's visit is the home page, a force's dashboard and one of its
priority pages, the force drawn from six: West Mercia (the one publishing),
Warwickshire (West Mercia is one of its most similar forces, so its pages
read West Mercia's figures) and four others. Each response says whether it
came from the cache (X-Cache: hit or miss, reports/cache.py). Prints the
share of hits against the goal, the publishes, and the p50/p95 of hits and
of misses.

``--no-worker`` runs without the job worker (the packs and warm-ups a
publish queues wait in Redis): whether the warm job helps. The Redis
database is CACHE_SHARE_REDIS_URL's (default redis://127.0.0.1:6379/10),
flushed before and after; SCALE_DATABASE_URL the database."""

from __future__ import annotations

import http.client
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import URL, has_data  # noqa: E402  (the national data set, as the load test finds it)

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("CACHE_SHARE_REDIS_URL", "redis://127.0.0.1:6379/10")
SECONDS = int(os.environ.get("CACHE_SHARE_SECONDS", "60"))
EVERY = float(os.environ.get("CACHE_SHARE_EVERY", "10"))
PORT = int(os.environ.get("CACHE_SHARE_PORT", "8004"))
CLIENTS = 8
GOAL = 0.99
PUBLISHER = "west-mercia"
FORCES = [PUBLISHER, "warwickshire", "essex", "kent", "metropolitan", "lancashire"]
MONTH = "2026-03"                   # the national set's last month (bench/national.py): its figure changes


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def flush() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def psql(sql: str) -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", URL.rsplit("/", 1)[1], "-tAc", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def get(path: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Cache", "none"), time.perf_counter() - started
    finally:
        connection.close()


def reader(pages: dict[str, list[str]], until: float, seed: int, results: list) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        force = rng.choice(FORCES)
        for path in ("/", f"/{force}/", rng.choice(pages[force])):
            if time.monotonic() >= until:
                return
            try:
                status, cache, seconds = get(path)
            except OSError:
                status, cache, seconds = 0, "error", 0.0
            results.append((time.monotonic(), path, status, cache, seconds))


def publish(env: dict, folder: Path, n: int) -> float:
    """One changed figure for West Mercia, published; returns the command's wall time."""
    path = folder / f"return-{n}.csv"
    path.write_text("force,indicator,month,value,numerator,denominator,status,note\n"
                    f"{PUBLISHER},ind-00,{MONTH},{1000 + n},,,final,\n", encoding="utf-8")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", "import_return", str(path), "--publish",
                             "--accept-warnings"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"import_return failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def stop(process: subprocess.Popen, timeout: float = 60) -> None:
    """SIGTERM to the process group this script started (RQ's work-horse is in it), then SIGKILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main():
    with_worker = "--no-worker" not in sys.argv
    if not has_data():
        print("loading the national data set first (bench/bench_scale.py)...")
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_scale.py")], check=True)
    folder = Path(tempfile.mkdtemp(prefix="pccperf-cache-share-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "JOBS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "pccperf.settings", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "DATABASE_URL": URL, "REDIS_URL": REDIS,
                "STATIC_ROOT": str(folder / "static")})
    flush()
    # Jobs left unfinished in the database: bench_scale's load queued every force's packs to the test settings'
    # dummy queue, and a run without a worker leaves its own. A publish joins a queued job of the same key
    # rather than queue another, so they would keep this run's packs from ever being made.
    psql("DELETE FROM jobs_job WHERE finished IS NULL")
    first_job = int(psql("SELECT COALESCE(MAX(id), 0) FROM jobs_job"))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server_log = open(folder / "gunicorn.log", "w")  # noqa: SIM115  (closed at the end; gunicorn.conf.py logs access)
    worker_log = open(folder / "worker.log", "w")  # noqa: SIM115
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "pccperf.wsgi", "--bind", f"127.0.0.1:{PORT}",
                               "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=server_log, stderr=subprocess.STDOUT)
    worker = None
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        if with_worker:
            worker = subprocess.Popen([sys.executable, "manage.py", "run_worker"], cwd=ROOT, env=env,
                                      stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
        # each national plan's 12 priorities (bench/national.py), at the paths the warm job renders
        pages = {force: [f"/{force}/priorities/{n}/" for n in range(1, 13)] for force in FORCES}
        for path in ["/"] + [p for force in FORCES for p in [f"/{force}/", *pages[force]]]:
            status, _, _ = get(path)                      # warm-up, not counted: every page in the cache
            assert status == 200, f"{path}: {status}"
        print(f"gunicorn, 2 workers, REDIS_URL {REDIS}, {'one job worker' if with_worker else 'NO job worker'}; "
              f"{CLIENTS} readers for {SECONDS} s (home, a dashboard, a priority page; {len(FORCES)} forces, "
              f"{sum(map(len, pages.values()))} priority pages); {PUBLISHER} publishes every {EVERY:.0f} s")
        results: list = []
        started = time.monotonic()
        until = started + SECONDS
        threads = [threading.Thread(target=reader, args=(pages, until, n, results)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        publishes = []
        while True:
            due = started + EVERY / 2 + len(publishes) * EVERY      # the first halfway into the first interval
            if due >= until:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            publishes.append((time.monotonic(), publish(env, folder, len(publishes))))
        for thread in threads:
            thread.join()
        import redis

        queued = redis.Redis.from_url(REDIS).llen("rq:queue:default")
        jobs = [line.split("|") for line in psql("SELECT kind, status, count(*) FROM jobs_job WHERE id > "
                                                  f"{first_job} GROUP BY 1, 2 ORDER BY 1, 2").split()]
    finally:
        if worker:
            stop(worker)
        stop(server, timeout=30)
        worker_log.close()
        server_log.close()
        flush()
    hits = [r[4] * 1000 for r in results if r[3] == "hit"]
    misses = [r[4] * 1000 for r in results if r[3] == "miss"]
    bad = [r for r in results if r[2] != 200]
    share = len(hits) / len(results)
    print(f"  {len(results):,} reader requests ({len(results) / SECONDS:.0f}/s), {len(bad)} not 200; "
          f"{len(publishes)} publishes (import_return --publish, median {statistics.median(p[1] for p in publishes):.1f} s)")
    print(f"  hits   {len(hits):6,}  p50 {percentile(hits, 50):7.1f} ms  p95 {percentile(hits, 95):7.1f} ms")
    print(f"  misses {len(misses):6,}  p50 {percentile(misses, 50):7.1f} ms  p95 {percentile(misses, 95):7.1f} ms "
          f"({len(misses) / max(len(publishes), 1):.1f} a publish)")
    kinds = {"home": lambda p: p == "/", "dashboard": lambda p: p.count("/") == 2,
             "priority": lambda p: "/priorities/" in p}
    for kind, test in kinds.items():
        mine = [r for r in results if test(r[1])]
        print(f"    {kind:<10} {len(mine):6,} requests, {sum(r[3] == 'miss' for r in mine):4} misses")
    print(f"  jobs queued by the publishes{'' if with_worker else ' (NO worker)'}: "
          + ", ".join(f"{kind} {status} {n}" for kind, status, n in jobs) + f"; {queued} in the Redis queue at the end")
    met = share >= GOAL and not bad
    print(f"  {'readers served from the page cache':<42} measured {share:.2%} ({len(hits):,} of {len(results):,}), "
          f"goal ≥ {GOAL:.0%}: {'met' if met else 'NOT MET'}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
