"""The admin's data.police.uk import (issue 27 item 5), timed request by
request and job by job: the largest sample street file (Leicestershire,
October 2018) uploaded as data.police.uk gives it in an archive (.zip) and
as the .csv.gz; then, for scale, the 500,000-row monthly archive of
bench_policeuk.py (44 forces). Each request is timed through Django's test
client (wall time in the process: no network, no browser); each job is run
as a worker runs it (jobs.runner.run) and timed the same way. SQLite, as
bench_policeuk.py; PostgreSQL writes are faster on the apply."""

from __future__ import annotations

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
UPLOAD = "/admin/indicators/return/opendata/"


def timed(what: str, call):
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    status = getattr(result, "status_code", "")
    print(f"  {what:<44} {seconds * 1000:9.0f} ms {status}")
    return result


def flow(client, name: str, data: bytes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jobs import runner
    from jobs.models import Job

    print(f"{name}: {len(data) / 1e6:.2f} MB uploaded")
    timed("GET the upload form", lambda: client.get(UPLOAD))
    posted = timed("POST the upload (check, keep, queue)",
                   lambda: client.post(UPLOAD, {"files": [SimpleUploadedFile(name, data)], "publish": "1"}))
    page = posted["Location"]
    timed("GET the progress page (queued)", lambda: client.get(page))
    job = Job.objects.get(pk=int(page.rstrip("/").rsplit("/", 1)[1]))
    timed("job policeuk-preview (count, dry run)", lambda: runner.run(job.pk))
    job.refresh_from_db()
    assert not job.result.get("problems"), job.result
    print(f"    {job.result['read']}  {' / '.join(job.result['lines'][:2])}")
    timed("GET the preview page", lambda: client.get(page))
    confirmed = timed("POST Confirm (queue the import)", lambda: client.post(page, {"confirm": "Import"}))
    apply = Job.objects.get(pk=int(confirmed["Location"].rstrip("/").rsplit("/", 1)[1]))
    timed("job policeuk-apply (count again, write)", lambda: runner.run(apply.pk))
    apply.refresh_from_db()
    assert not apply.result.get("problems"), apply.result
    timed("GET the outcome page", lambda: client.get(confirmed["Location"]))
    print(f"    {apply.result['written']:,} figures written in {len(apply.result['returns'])} return(s)")


def main():
    if not SAMPLES.exists():
        sys.exit(f"needs the sample files in {SAMPLES}")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.org", "pw"))
    largest = max(SAMPLES.glob("*-street.csv.gz"), key=lambda p: p.stat().st_size)
    csv_bytes = gzip.decompress(largest.read_bytes())
    member = largest.name.removesuffix(".gz")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{member[:7]}/{member}", csv_bytes)
    flow(client, f"{member[:7]}.zip", archive.getvalue())
    call_command("flush", verbosity=0, interactive=False)
    client.force_login(User.objects.create_superuser("bench", "bench@example.org", "pw"))
    flow(client, largest.name, largest.read_bytes())

    from bench.bench_policeuk import build_archive
    call_command("flush", verbosity=0, interactive=False)
    client.force_login(User.objects.create_superuser("bench", "bench@example.org", "pw"))
    path, total = build_archive()
    print(f"({total:,} rows, 44 forces)")
    flow(client, path.name, path.read_bytes())


if __name__ == "__main__":
    main()
