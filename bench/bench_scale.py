"""Scale on PostgreSQL (SPEC §5): load the national data set (43 forces × 60
indicators × 180 months) through pccperf's loaders into a fresh database,
and report load time against COPY of the same rows, the dashboard's server
time and queries, report export time, and the database size; then the
query plan of the dashboard's observation query.

Needs PostgreSQL: SCALE_DATABASE_URL, default the local cluster's
pccperf_scale database (dropped and created afresh)."""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
URL = os.environ.get("SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pccperf_scale")
os.environ["DATABASE_URL"] = URL
os.environ["DJANGO_SETTINGS_MODULE"] = "pccperf.settings_test"
warnings.filterwarnings("ignore", message="No directory at")
NAME = URL.rsplit("/", 1)[1]


def main(keep: bool = False):
    if not keep:
        for sql in (f"DROP DATABASE IF EXISTS {NAME}", f"CREATE DATABASE {NAME}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    import django

    django.setup()
    import national
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    print(f"national data set into {NAME} (PostgreSQL):")
    times = national.load()

    # COPY of the same rows into a table shaped like the observations.
    csv_rows = io.StringIO()
    null = "\\N"
    for line in times["csv"].splitlines()[1:]:
        force, code, month, value, num, den, status, note = line.split(",")
        csv_rows.write(f"1\t{month}-01\t{value or null}\t{num or null}\t{den or null}\t{status}\t\n")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_target (indicator_id bigint, month date, value double precision, "
                       "numerator double precision, denominator double precision, status varchar(12), note text)")
        csv_rows.seek(0)
        started = time.perf_counter()
        cursor.cursor.copy_expert("COPY copy_target FROM STDIN", csv_rows)
        copy_time = time.perf_counter() - started
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), "
                       "pg_size_pretty(pg_total_relation_size('indicators_observation')), "
                       "pg_size_pretty(pg_total_relation_size('indicators_historicalobservation'))")
        db_size, obs_size, hist_size = cursor.fetchone()
    print(f"  load: {times['observations']:.1f} s through import_return's checks with history, "
          f"COPY of the same {times['rows']:,} rows {copy_time:.2f} s: {times['observations'] / copy_time:.0f}x")
    print(f"  database size {db_size} (observations {obs_size}, their history {hist_size})")

    client = Client()
    for label, url in [("dashboard (60 measures)", "/west-mercia/"), ("priority page", "/west-mercia/priorities/1/"),
                       ("indicator API", "/api/forces/west-mercia/indicators/ind-00/"),
                       ("report export (full)", "/west-mercia/report/?mode=full&download=1")]:
        client.get(url)
        samples = []
        for _ in range(10 if "report" in label else 20):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        extra = f", {len(response.content) / 1e6:.2f} MB" if "report" in label else ""
        print(f"  {label:<26} median {statistics.median(samples) * 1000:7.1f} ms, {len(queries)} queries{extra} "
              f"[{response.status_code}]")

    # The plan of the dashboard's biggest query: the observations in its window.
    from indicators.models import Indicator
    ids = list(Indicator.objects.filter(force__slug="west-mercia").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) SELECT indicator_id, month, value FROM indicators_observation "
                       "WHERE indicator_id = ANY(%s) AND month BETWEEN '2023-04-01' AND '2026-03-01'", [ids])
        plan = [row[0] for row in cursor.fetchall()]
    print("  EXPLAIN ANALYZE, the dashboard's observation query:")
    for line in plan[:8]:
        print("    " + line)


if __name__ == "__main__":
    main(keep="--keep" in sys.argv)
