"""Import speed: a 50,000-row return file imported and published with
import_return, against a bare bulk_create of the same 50,000 observations,
measured in the same run on the same database (SQLite in a temporary file
unless DATABASE_URL is set). Then the three small XLSX files of issue 24
that used to hold a worker (tests/xlsx_bombs.py), each read in a fresh
Python: how fast and in how much memory it is refused."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from datetime import date
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TMP = Path(tempfile.mkdtemp())
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")
os.environ["DJANGO_SETTINGS_MODULE"] = "pccperf.settings_test"
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from indicators import periods  # noqa: E402
from indicators.models import Force, Indicator, Observation  # noqa: E402

ROWS = 50_000
FORCES, INDICATORS = 5, 60
FIRST = date(2012, 4, 1)


def main():
    call_command("migrate", verbosity=0)
    Observation.objects.all().delete()
    Indicator.objects.all().delete()
    Force.objects.filter(slug__startswith="bench-").delete()
    months_needed = -(-ROWS // (FORCES * INDICATORS))
    months = periods.month_range(FIRST, periods.add_months(FIRST, months_needed - 1))
    lines = ["force,indicator,month,value,numerator,denominator,status,note"]
    indicators = []
    for f in range(FORCES):
        force = Force.objects.create(slug=f"bench-{f}", name=f"Bench force {f}")
        for k in range(INDICATORS):
            indicators.append(Indicator.objects.create(force=force, code=f"ind-{k}", name=f"Indicator {k}",
                                                       unit="count", aggregation="sum", polarity="down"))
    count = 0
    for ind in indicators:
        for m in months:
            if count == ROWS:
                break
            # figures that move a little month to month: no warnings (a 10x jump would need confirming)
            lines.append(f"{ind.force.slug},{ind.code},{periods.format_month(m)},{500 + count % 50},,,final,")
            count += 1
    path = TMP / "return.csv"
    path.write_text("\n".join(lines) + "\n")
    print(f"file: {count:,} rows, {path.stat().st_size / 1e6:.1f} MB; database: {os.environ['DATABASE_URL'].split(':')[0]}")

    started = time.perf_counter()
    call_command("import_return", str(path), "--publish", stdout=StringIO())
    import_time = time.perf_counter() - started
    assert Observation.objects.count() == count

    Observation.objects.all().delete()
    rows = [Observation(indicator=ind, month=m, value=500 + i % 50) for i, (ind, m) in
            enumerate((ind, m) for ind in indicators for m in months)][:count]
    started = time.perf_counter()
    Observation.objects.bulk_create(rows, batch_size=2000)
    bare = time.perf_counter() - started

    print(f"import_return --publish (check, stage, publish with history): {import_time:6.2f} s "
          f"{count / import_time:9,.0f} rows/s  {import_time / bare:5.1f}x")
    print(f"bare bulk_create of the same observations:                  {bare:6.2f} s "
          f"{count / bare:9,.0f} rows/s   1.0x   (goal: 50,000 rows under 10 s)")
    Path(TMP / "bench.sqlite3").unlink(missing_ok=True)
    bombs()


def bombs():
    from tests import xlsx_bombs

    for name, build in (("1.5 million styles", xlsx_bombs.styles_bomb), ("6 million shared strings",
                        xlsx_bombs.strings_bomb), ("3 million empty rows", xlsx_bombs.rows_bomb)):
        path = TMP / "bomb.xlsx"
        path.write_bytes(build())
        found = xlsx_bombs.measure(path)
        print(f"{name:>25} ({path.stat().st_size / 1e6:.2f} MB): {found['seconds']:5.2f} s, "
              f"{found['cpu']:5.2f} s CPU, +{found['growth_mb']:5.1f} MB  (goal: under 2 s and 100 MB)  "
              f"{found['outcome'][:60]}…")
        path.unlink()


if __name__ == "__main__":
    main()
