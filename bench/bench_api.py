"""The API at national scale (issue 30): each endpoint's response size and
time, on PostgreSQL, with the national data set (bench/national.py: 43
forces × 60 indicators × 180 months) and, for West Mercia, 14 local areas
with 4 measures' monthly figures each (10,080 rows, as the demo generates
them for Essex).

Each endpoint is asked through Django's test client in this process (no
network), as an anonymous reader: cold (the page cache emptied before each
request), warm (from the page cache) and conditional (If-None-Match with the
ETag: a 304). Times are medians; each is also given as a ratio against a
trivial API answer measured in the same run (a 404 for an unknown force,
which reads the data version and the force: the fixed cost of any API
request), as SPEC §5 asks of benchmarks.

Needs PostgreSQL: API_BENCH_DATABASE_URL, default the local cluster's
pccperf_api_bench database (dropped and created afresh unless
``--reuse``, which measures a database this script loaded before)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
URL = os.environ.get("API_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pccperf_api_bench")
os.environ["DATABASE_URL"] = URL
os.environ["DJANGO_SETTINGS_MODULE"] = "pccperf.settings_test"
warnings.filterwarnings("ignore", message="No directory at")
NAME = URL.rsplit("/", 1)[1]
RUNS = 15

ENDPOINTS = [
    ("forces listing", "/api/v1/forces/"),
    ("force detail (plan of 60 measures)", "/api/v1/forces/west-mercia/"),
    ("indicators (60 measures)", "/api/v1/forces/west-mercia/indicators/"),
    ("one indicator with its months", "/api/v1/forces/west-mercia/indicators/ind-00/"),
    ("one indicator's 14 local areas", "/api/v1/forces/west-mercia/indicators/ind-00/areas/"),
    ("observations.csv (whole force + areas)", "/api/v1/forces/west-mercia/observations.csv"),
    ("observations.json, first page (1,000)", "/api/v1/forces/west-mercia/observations.json"),
    ("observations.json, page of 5,000", "/api/v1/forces/west-mercia/observations.json?limit=5000"),
    ("schema (OpenAPI 3.1)", "/api/schema/"),
    ("docs page", "/api/docs/"),
]
BASELINE = ("trivial API answer (404, unknown force)", "/api/v1/forces/atlantis/")


def add_local_areas() -> int:
    """14 districts of West Mercia with monthly figures of 4 count measures (the force's own split)."""
    from indicators.models import Force, LocalArea, Observation
    from indicators.versioning import bump_forces

    force = Force.objects.get(slug="west-mercia")
    areas = LocalArea.objects.bulk_create([LocalArea(force=force, code=f"E07{n:06d}", name=f"District {n}")
                                           for n in range(14)])
    rows = []
    for obs in Observation.objects.filter(indicator__force=force, area__isnull=True,
                                          indicator__code__in=["ind-00", "ind-01", "ind-02", "ind-03"]):
        for n, area in enumerate(areas):
            rows.append(Observation(indicator_id=obs.indicator_id, area=area, month=obs.month,
                                    value=None if obs.value is None else round(obs.value * (n + 1) / 105),
                                    status=obs.status, source_return_id=obs.source_return_id))
    Observation.objects.bulk_create(rows, batch_size=5000)
    bump_forces([force.id])
    return len(rows)


def measure(client, path: str, *, cold: bool) -> tuple[float, int, object]:
    from django.core.cache import caches

    times, response = [], None
    for _ in range(RUNS):
        if cold:
            caches["pages"].clear()
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, len(response.content), response


def main(reuse: bool = False):
    if not reuse:
        for sql in (f"DROP DATABASE IF EXISTS {NAME}", f"CREATE DATABASE {NAME}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    if not reuse:
        import national

        started = time.perf_counter()
        national.load(say=lambda *a: None)
        print(f"national data set loaded in {time.perf_counter() - started:.0f} s; "
              f"{add_local_areas():,} local-area figures added for West Mercia")
    logging.disable(logging.WARNING)     # the baseline is a 404, logged on every request
    client = Client()
    base, _, _ = measure(client, BASELINE[1], cold=True)
    print(f"API at national scale, PostgreSQL, in-process test client, median of {RUNS}; "
          f"baseline {BASELINE[0]}: {base:.1f} ms\n")
    print(f"  {'endpoint':<42} {'size':>10} {'cold ms':>9} {'(x base)':>9} {'warm ms':>8} {'304 ms':>7}")
    for label, path in ENDPOINTS:
        cold, size, response = measure(client, path, cold=True)
        assert response.status_code == 200, (path, response.status_code, response.content[:200])
        warm, _, _ = measure(client, path, cold=False)
        etag = response.get("ETag")
        if etag:
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
                times.append(time.perf_counter() - started)
            not_modified = f"{statistics.median(times) * 1000:7.1f}"
        else:
            not_modified = f"{'-':>7}"
        print(f"  {label:<42} {size / 1024:8.1f} KB {cold:9.1f} {cold / base:8.1f}x {warm:8.1f} {not_modified}")
    # every page of observations.json, by cursor, as a client walks them
    started, pages, rows, url = time.perf_counter(), 0, 0, "/api/v1/forces/west-mercia/observations.json?limit=5000"
    from django.core.cache import caches

    caches["pages"].clear()
    while url:
        body = client.get(url).json()
        pages, rows, url = pages + 1, rows + len(body["observations"]), body["next"]
    print(f"\n  observations.json walked by cursor: {rows:,} rows in {pages} pages of 5,000, "
          f"{(time.perf_counter() - started) * 1000:.0f} ms in all (cold)")


if __name__ == "__main__":
    main(reuse="--reuse" in sys.argv)
