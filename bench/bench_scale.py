"""Scale on PostgreSQL (SPEC §5, issue 17): load the national data set (43
forces × 60 indicators × 180 months) through pccperf's loaders into a fresh
database, and report, each against its goal:

- the load time against PostgreSQL COPY of the same rows, in the same run
  (goal: within 10×): COPY into an empty table with the observation table's
  own indexes, constraints and deferred keys, committed (the goal line), and
  COPY into a bare table (printed beside it; docs/decisions.md, "Bulk load
  against the database's own speed");
- the database size (goal: under 150 MB);
- cold page times (the page cache emptied before every request; goals:
  dashboard 40 ms, home page with 43 plans 60 ms with the query count of the
  3-plan budget, full panel report 150 ms), and the priority page and
  report after a publish (pages stale, chart drawings kept);
- the full report's size (goal 800 KB; issue 27 item 8), with the share of it
  that is inline SVG;

then the query plan of the dashboard's observation query.

Needs PostgreSQL: SCALE_DATABASE_URL, default the local cluster's
pccperf_scale database (dropped and created afresh). ``--pages-only``
measures the pages of a database loaded before (no load, no COPY)."""

from __future__ import annotations

import io
import os
import re
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

# Issue 17's goals.
LOAD_RATIO_GOAL = 10.0          # × COPY of the same rows
SIZE_GOAL_MB = 150.0
PAGE_GOALS_MS = {"dashboard": 40.0, "home": 60.0, "report": 150.0}
REPORT_SIZE_GOAL_KB = 800.0     # issue 27 item 8: the full report at national scale (was 1,006 KB)
HOME_QUERY_BUDGET = 10          # tests/test_query_budgets.py: the home page's queries for 3 plans (and for 44)


def goal_line(what: str, measured: str, goal: str, met: bool) -> str:
    return f"  {what:<42} measured {measured}, goal {goal}: {'met' if met else 'NOT MET'}"


def copy_payload(csv_text: str, *, real: bool) -> str:
    """The national rows in COPY's text format. ``real``: the observation
    table's own columns, with each row's real indicator, a real return and a
    time (so every index, unique constraint and foreign key has its real work
    to do); else the bare columns with one made-up indicator id."""
    null = "\\N"
    data = io.StringIO()
    if real:
        from django.utils import timezone

        from indicators.models import Indicator, Return
        ids = {(slug, code): pk for slug, code, pk in Indicator.objects.values_list("force__slug", "code", "pk")}
        tail = f"\t{Return.objects.order_by('pk').values_list('pk', flat=True).first()}\t{timezone.now().isoformat()}\t{null}\n"
    for line in csv_text.splitlines()[1:]:
        force, code, month, value, num, den, status, note = line.split(",")
        if real:
            data.write(f"{ids[force, code]}\t{month}-01\t{value or null}\t{num or null}\t{den or null}\t{status}\t{note}"
                       + tail)
        else:
            data.write(f"1\t{month}-01\t{value or null}\t{num or null}\t{den or null}\t{status}\t\n")
    return data.getvalue()


def copy_time(csv_text: str, connection) -> float:
    """COPY of the same rows into a bare table shaped like the observations
    (no indexes, constraints or keys, not committed): PostgreSQL's raw speed
    of taking in the bytes. The yardstick of the first bench (issue 17)."""
    payload = copy_payload(csv_text, real=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_target (indicator_id bigint, month date, value double precision, "
                       "numerator double precision, denominator double precision, status varchar(12), note text)")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY copy_target FROM STDIN") as copy:
            copy.write(payload)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE copy_target")
    return elapsed


def copy_time_real(csv_text: str, connection) -> float:
    """COPY of the same rows into an empty table that IS the observation table
    as the load finds it: created LIKE it INCLUDING ALL (its primary key, the
    six indexes with the two partial unique ones, its check constraints) plus
    its three foreign keys, deferred as Django makes them, then COMMIT (where
    PostgreSQL checks the deferred keys, one look-up per row, as it does for
    the load). The database's own speed of storing these rows in this schema;
    the table is dropped after (docs/decisions.md, "Bulk load: the yardstick")."""
    from django.db import transaction

    payload = copy_payload(csv_text, real=True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE copy_target_real (LIKE indicators_observation INCLUDING ALL)")
        for column, target in (("indicator_id", "indicators_indicator"), ("area_id", "indicators_localarea"),
                               ("source_return_id", "indicators_return")):
            cursor.execute(f"ALTER TABLE copy_target_real ADD FOREIGN KEY ({column}) REFERENCES {target} (id) "
                           "DEFERRABLE INITIALLY DEFERRED")
    columns = "indicator_id, month, value, numerator, denominator, status, note, source_return_id, updated_at, area_id"
    try:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY copy_target_real ({columns}) FROM STDIN") as copy:
                copy.write(payload)
        elapsed = time.perf_counter() - started      # the commit, with its key checks, included
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE copy_target_real")
    return elapsed


def sizes(connection) -> tuple[float, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database()), "
                       "pg_size_pretty(pg_total_relation_size('indicators_observation')), "
                       "pg_size_pretty(pg_total_relation_size('indicators_historicalobservation'))")
        db, obs, hist = cursor.fetchone()
    return db / 1024 / 1024, obs, hist


def cold_times(client, url: str, n: int, before=None) -> tuple[float, float, object]:
    """Median server time of ``url`` with the page cache emptied before each
    request (or ``before()`` called instead: bump the data version, as a
    publish does), and its median CPU time in this process (on a shared, busy
    machine the wall time includes waiting for a core; the database's own
    time is in the wall time only)."""
    from django.core.cache import caches

    before = before or caches["pages"].clear
    before()
    response = client.get(url)           # warm the process (imports, template loading)
    samples, cpu = [], []
    for _ in range(n):
        before()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(samples), statistics.median(cpu), response


def main(pages_only: bool = False):
    if not pages_only:
        for sql in (f"DROP DATABASE IF EXISTS {NAME}", f"CREATE DATABASE {NAME}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    import django

    django.setup()
    import national
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    lines = []
    if not pages_only:
        print(f"national data set into {NAME} (PostgreSQL):")
        times = national.load()
        copy = copy_time(times["csv"], connection)
        copy_real = copy_time_real(times["csv"], connection)
        ratio, ratio_real = times["observations"] / copy, times["observations"] / copy_real
        print(f"  load: {times['observations']:.2f} s through import_return's checks with history, {times['rows']:,} rows")
        print(f"    COPY into a bare table (no index, key or constraint)   {copy:6.2f} s: load {ratio:.1f}x")
        print(f"    COPY into the observation table's schema, committed    {copy_real:6.2f} s: load {ratio_real:.1f}x")
        for step, seconds in times.get("steps", {}).items():
            print(f"    {step:<34} {seconds:6.2f} s")
        lines.append(goal_line("bulk load vs COPY into the real table", f"{ratio_real:.1f}x ({times['observations']:.2f} s "
                               f"vs {copy_real:.2f} s)", f"{LOAD_RATIO_GOAL:.0f}x", ratio_real <= LOAD_RATIO_GOAL))
        lines.append(goal_line("(bulk load vs COPY into a bare table)", f"{ratio:.1f}x ({times['observations']:.2f} s "
                               f"vs {copy:.2f} s)", f"{LOAD_RATIO_GOAL:.0f}x", ratio <= LOAD_RATIO_GOAL))
        db_mb, obs_size, hist_size = sizes(connection)
        print(f"  database size {db_mb:.0f} MB (observations {obs_size}, their history {hist_size})")
        lines.append(goal_line("database size, national set", f"{db_mb:.0f} MB", f"under {SIZE_GOAL_MB:.0f} MB",
                               db_mb < SIZE_GOAL_MB))

    import logging

    logging.disable(logging.WARNING)     # the trivial page is a 400, logged on every request
    client = Client()
    base = None
    pages = [("dashboard", "dashboard (60 measures), cold", "/west-mercia/", 20),
             ("home", "home (43 plans), cold", "/", 20),
             (None, "priority page, cold", "/west-mercia/priorities/1/", 20),
             (None, "indicator API, cold", "/api/forces/west-mercia/indicators/ind-00/", 20),
             # a cold full report draws some 120 SVG charts (cached in the page cache, emptied here):
             # written directly, well under a millisecond each (bench/bench_svg.py)
             ("report", "report export (full), cold", "/west-mercia/report/?mode=full&download=1", 10)]
    print("server time, Django test client in process, median; page cache emptied before each request:")
    for goal, label, url, n in [(None, "trivial: 400 for a bad period", "/west-mercia/?period=bad", 20), *pages]:
        median, cpu, response = cold_times(client, url, n)
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        extra = f", {len(response.content) / 1e6:.2f} MB" if "report" in label else ""
        base = base or median
        print(f"  {label:<32} median {median * 1000:7.1f} ms (CPU {cpu * 1000:6.1f} ms, {median / base:5.1f}x the "
              f"trivial page), {len(queries)} queries{extra} [{response.status_code}]")
        if goal:
            lines.append(goal_line(f"cold {goal}", f"{median * 1000:.1f} ms (CPU {cpu * 1000:.1f} ms)",
                                   f"under {PAGE_GOALS_MS[goal]:.0f} ms",
                                   median * 1000 < PAGE_GOALS_MS[goal] and response.status_code == 200))
        if goal == "report":
            size = len(response.content)
            svg = sum(len(m) for m in re.findall(rb"<svg\b.*?</svg>", response.content, re.S))
            print(f"    {'':<32} {size / 1e3:,.0f} KB, of which inline SVG {svg / 1e3:,.0f} KB "
                  f"({svg / size:.0%}) in {len(re.findall(rb'<svg[ >]', response.content))} drawings")
            lines.append(goal_line("full report size", f"{size / 1e3:,.0f} KB ({svg / 1e3:,.0f} KB inline SVG, "
                                   f"{svg / size:.0%})", f"under {REPORT_SIZE_GOAL_KB:.0f} KB",
                                   size / 1e3 < REPORT_SIZE_GOAL_KB))
        if goal == "home":
            count = len(queries)
            lines.append(goal_line("home queries, 43 plans", str(count),
                                   f"{HOME_QUERY_BUDGET} (the same as for 3 plans)", count == HOME_QUERY_BUDGET))

    # After a publish every page is stale (pages are keyed by the data version) but a chart
    # whose figures did not change keeps its drawing (keyed by its content): the usual cold
    # page a reader waits for, where the runs above (whole cache emptied) are the worst case.
    from indicators import versioning

    print("after a publish (data version bumped before each request; chart drawings kept):")
    for goal, label, url, n in [(None, "priority page", "/west-mercia/priorities/1/", 10),
                                ("report", "report export (full)", "/west-mercia/report/?mode=full&download=1", 10)]:
        median, cpu, response = cold_times(client, url, n, before=versioning.bump)
        print(f"  {label:<32} median {median * 1000:7.1f} ms (CPU {cpu * 1000:6.1f} ms) [{response.status_code}]")
        if goal:
            lines.append(goal_line(f"({goal} after a publish, charts kept)", f"{median * 1000:.1f} ms",
                                   f"under {PAGE_GOALS_MS[goal]:.0f} ms",
                                   median * 1000 < PAGE_GOALS_MS[goal] and response.status_code == 200))

    # The plan of the dashboard's biggest query, as the page sends it: the observations in its window.
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/west-mercia/")
    sql = max((q["sql"] for q in queries.captured_queries if "indicators_observation" in q["sql"]), key=len)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    print("  EXPLAIN ANALYZE, the dashboard's observation query (its index scans, planning and execution):")
    for line in plan:
        if any(word in line for word in ("Scan", "Planning Time", "Execution Time", "Join")):
            print("    " + line[:160])
    print("issue 17 and 27 goals (same run):")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main(pages_only="--pages-only" in sys.argv)
