"""Open-data import speed: a full monthly data.police.uk archive (44 forces,
~500,000 rows, built from the real sample rows in shared/data/policeuk with
each force's name) imported by import_policeuk, against a plain csv.reader
counting the same rows in the same run. Goal: at least 200,000 rows/s.
Since issue 18 every row is also counted for its local area (the LSOA name
less its code): the area counting alone (count_file + the per-area rows) is
timed too, against the same plain reader."""

from __future__ import annotations

import csv
import gzip
import io
import os
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TMP = Path(tempfile.mkdtemp())
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")
os.environ["DJANGO_SETTINGS_MODULE"] = "pccperf.settings_test"
warnings.filterwarnings("ignore", message="No directory at")
SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "policeuk"
TARGET_ROWS = 500_000


def build_archive() -> tuple[Path, int]:
    from indicators.opendata.policeuk import FORCES

    rows = []
    for path in sorted(SAMPLES.glob("*-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows += [r for r in reader if r[1] == "2018-11"]
    per_force = TARGET_ROWS // len(FORCES)
    archive = TMP / "2018-11.zip"
    total = 0
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for slug, name in FORCES.items():
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for i in range(per_force):
                row = list(rows[i % len(rows)])
                row[2] = row[3] = name
                writer.writerow(row)
            total += per_force
            z.writestr(f"2018-11/2018-11-{slug}-street.csv", out.getvalue())
    return archive, total


def plain_count(archive: Path) -> int:
    n = 0
    with zipfile.ZipFile(archive) as z:
        for member in z.namelist():
            with io.TextIOWrapper(z.open(member), encoding="utf-8", newline="") as handle:
                for _ in csv.reader(handle):
                    n += 1
    return n


def main():
    if not SAMPLES.exists():
        sys.exit(f"needs the sample files in {SAMPLES}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    archive, total = build_archive()
    print(f"archive: {total:,} rows in 44 street files, {archive.stat().st_size / 1e6:.1f} MB zipped")
    started = time.perf_counter()
    plain_count(archive)
    plain = time.perf_counter() - started
    from indicators.opendata import policeuk

    started = time.perf_counter()
    counts = policeuk.Counts()
    for label, source in policeuk.street_files([str(archive)]):
        policeuk.count_file(label, source, counts)
    names = policeuk.area_names(counts)
    codes = {(slug, name): name.lower() for slug, found in names.items() for name in found}
    rows, _ = policeuk.observation_rows(counts, area_codes=codes)
    counted = time.perf_counter() - started
    areas = sum(len(found) for found in names.values())
    started = time.perf_counter()
    call_command("import_policeuk", str(archive), "--publish", stdout=io.StringIO())
    ours = time.perf_counter() - started
    print(f"plain csv.reader counting the rows:          {plain:5.2f} s {total / plain:10,.0f} rows/s  1.0x")
    print(f"counted per force and local area ({areas:,} areas, {len(rows):,} figures): "
          f"{counted:5.2f} s {total / counted:10,.0f} rows/s {counted / plain:4.1f}x")
    print(f"import_policeuk --publish (count and store): {ours:5.2f} s {total / ours:10,.0f} rows/s "
          f"{ours / plain:4.1f}x   (goal: >= 200,000 rows/s)")


if __name__ == "__main__":
    main()
