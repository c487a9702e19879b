"""The admin's *Import data.police.uk open data* (issue 27 item 5): upload an
archive or street files, a job counts them with progress and previews the
import exactly as `import_policeuk --dry-run` does, confirm queues a job that
writes once; only the uploader sees the pages; permissions as the command's
--user; uploads bounded (a zip bomb is refused and nothing kept)."""

import csv
import gzip
import html
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from indicators import models
from jobs import runner
from jobs.models import Job
from tests.factories import SHARED, make_user, skip_unless_shared

pytestmark = pytest.mark.django_db
DATA = SHARED / "data" / "policeuk"
skip_unless_shared(DATA, f"the data.police.uk sample files are not at {DATA}", module=True)
UPLOAD = "/admin/indicators/return/opendata/"
ROWS = 300                         # the real file cut to its first 300 crimes


@pytest.fixture(scope="module")
def street_csv() -> bytes:
    """Bedfordshire's October 2018 street file, header and first 300 rows."""
    with gzip.open(DATA / "2018-10-bedfordshire-street.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    return "".join(lines[:ROWS + 1]).encode()


def as_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def root(client):
    client.force_login(make_user("root", superuser=True))
    return client


def upload(client, *files, **options):
    data = {"files": [SimpleUploadedFile(name, content) for name, content in files], "publish": "0"}
    data.update(options)
    return client.post(UPLOAD, data)


def dry_run(tmp_path, street_csv, *args) -> list[str]:
    """What `import_policeuk PATH --dry-run` prints, less its timing."""
    path = tmp_path / "2018-10-bedfordshire-street.csv"
    path.write_bytes(street_csv)
    out = io.StringIO()
    call_command("import_policeuk", str(path), "--dry-run", *args, stdout=out)
    return [re.sub(r" in [\d.]+ s \([\d,]+ rows/s\)", "", line).strip() for line in out.getvalue().splitlines()]


def page_lines(page: str) -> list[str]:
    block = re.search(r'<ul class="opendata-lines">(.*?)</ul>', page, re.S).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_returns_list_links_to_the_page(root):
    assert "Import data.police.uk open data" in root.get("/admin/indicators/return/").content.decode()
    page = root.get(UPLOAD)
    assert page.status_code == 200 and 'name="files"' in page.content.decode()


@pytest.mark.parametrize("how", ["zip", "csv"])
def test_upload_preview_as_dry_run_then_confirm_imports_once(root, tmp_path, street_csv, how):
    if how == "zip":      # as data.police.uk lays an archive out, with a file the import leaves alone
        files = [("2018-10.zip", as_zip({"2018-10/2018-10-bedfordshire-street.csv": street_csv,
                                         "2018-10/2018-10-bedfordshire-outcomes.csv": b"not read"}))]
    else:
        files = [("2018-10-bedfordshire-street.csv", street_csv)]
    response = upload(root, *files)
    assert response.status_code == 302
    progress = root.get(response["Location"])
    assert progress.status_code == 200
    html = progress.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "Counting the files" in html
    assert models.PendingUpload.objects.count() == 1 and not models.Observation.objects.exists()

    assert runner.run_queued() == 1
    preview = root.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in preview
    expected = dry_run(tmp_path, street_csv)
    # the command's own lines, less "Dry run: nothing written."
    assert page_lines(preview) == expected[:-1]
    assert expected[-1] == "Dry run: nothing written."
    assert expected[0] == "Read 300 rows from 1 file(s): 15 figures, 2018-10."
    assert expected[1] == "bedfordshire: 45 new, 0 changed, 0 unchanged"   # 15 force, 30 area
    assert 'name="confirm"' in preview and 'name="cancel"' in preview
    assert not models.Observation.objects.exists()
    assert not models.Force.objects.filter(slug="bedfordshire").exists()        # the dry run's, rolled back

    confirmed = root.post(response["Location"], {"confirm": "Import"})
    assert confirmed.status_code == 302
    assert 'http-equiv="refresh"' in root.get(confirmed["Location"]).content.decode()
    assert runner.run_queued() == 1
    outcome = root.get(confirmed["Location"]).content.decode()
    ret = models.Return.objects.get()
    assert "Imported" in outcome and "45 figures saved as draft returns" in outcome
    assert f'href="/admin/indicators/return/{ret.pk}/change/"' in outcome
    assert not models.PendingUpload.objects.exists()
    assert (ret.force.slug, ret.state, ret.lines.count()) == ("bedfordshire", "draft", 45)

    # the values: an independent count of the 300 rows
    rows = list(csv.DictReader(io.StringIO(street_csv.decode("utf-8-sig"))))
    burglaries = sum(r["Crime type"] == "Burglary" for r in rows)
    crimes = sum(r["Crime type"] != "Anti-social behaviour" for r in rows)
    line = {ln.indicator.code: ln.value for ln in ret.lines.filter(area__isnull=True).select_related("indicator")}
    assert line["policeuk-burglary"] == burglaries and line["policeuk-all-crime"] == crimes == 253

    # the apply job run again (a worker killed after its commit): nothing changes
    apply = Job.objects.get(kind="policeuk-apply")
    lines = models.ReturnLine.objects.count()
    Job.objects.filter(pk=apply.pk).update(status=Job.QUEUED)
    assert runner.run_queued() == 1
    apply.refresh_from_db()
    assert apply.result["nothing"] is True
    assert (models.Return.objects.count(), models.ReturnLine.objects.count()) == (1, lines)
    # and a second confirm finds nothing to import: it shows the import already made
    again = root.post(response["Location"], {"confirm": "Import"})
    assert again.status_code == 302 and again["Location"] == confirmed["Location"]
    assert models.Return.objects.count() == 1


def test_publish_writes_observations_with_the_counted_values(root, street_csv):
    response = upload(root, ("a-street.csv.gz", gzip.compress(street_csv)), publish="1")
    runner.run_queued()
    root.post(response["Location"], {"confirm": "Import"})
    runner.run_queued()
    obs = {o.indicator.code: o.value for o in models.Observation.objects.filter(
        area__isnull=True, indicator__force__slug="bedfordshire").select_related("indicator")}
    assert obs["policeuk-all-crime"] == 253 and len(obs) == 15
    assert models.Return.objects.get().state == "published"


def test_cancel_deletes_the_upload_and_writes_nothing(root, street_csv):
    response = upload(root, ("b-street.csv", street_csv))
    runner.run_queued()
    done = root.post(response["Location"], {"cancel": "Cancel"}, follow=True)
    assert "nothing changed" in done.content.decode()
    assert not models.PendingUpload.objects.exists() and not models.Return.objects.exists()


def test_options_as_the_commands(root, tmp_path, street_csv):
    """Only one force, and unknown forces skipped: the preview is the command's with the same options."""
    other = street_csv.decode().replace("Bedfordshire Police", "Nowhere Constabulary", 50).encode()
    response = upload(root, ("c-street.csv", other), force="bedfordshire", skip_unknown="1")
    runner.run_queued()
    lines = page_lines(root.get(response["Location"]).content.decode())
    assert lines == dry_run(tmp_path, other, "--force", "bedfordshire", "--skip-unknown")[:-1]
    assert lines[0] == 'skipped "Nowhere Constabulary": matches no force (25 rows)'    # 50 replaced, 25 in October
    assert lines[1] == "Read 300 rows from 1 file(s): 14 figures, 2018-10."       # a type only Nowhere had


def test_unknown_force_without_skip_shows_the_commands_problem_and_no_confirm(root, street_csv):
    other = street_csv.decode().replace("Bedfordshire Police", "Nowhere Constabulary").encode()
    response = upload(root, ("d-street.csv", other))
    runner.run_queued()
    html = root.get(response["Location"]).content.decode()
    assert "matches no force (300 rows); add it, or use --skip-unknown" in html
    assert 'name="confirm"' not in html


def test_without_the_permission_403(client, street_csv):
    client.force_login(make_user("panel", role="panel"))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, ("e-street.csv", street_csv)).status_code == 403
    assert "Import data.police.uk open data" not in client.get("/admin/indicators/return/").content.decode()
    assert not models.PendingUpload.objects.exists()


def test_publishing_needs_the_publish_permission(client, street_csv):
    from django.contrib.auth.models import Permission
    user = make_user("filer", role="panel")
    user.user_permissions.add(Permission.objects.get(codename="add_return"))
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 200
    assert upload(client, ("f-street.csv", street_csv), publish="1").status_code == 403
    assert not models.PendingUpload.objects.exists()


def test_only_the_uploader_sees_the_job(root, client, street_csv):
    response = upload(root, ("g-street.csv", street_csv))
    job_url = response["Location"]
    runner.run_queued()
    other = make_user("other", superuser=True)
    root.logout()
    client.force_login(other)
    assert client.get(job_url).status_code == 404
    assert client.post(job_url, {"confirm": "Import"}).status_code == 404
    assert models.PendingUpload.objects.count() == 1 and not models.Return.objects.exists()


@override_settings(POLICEUK_ARCHIVE_MAX_MEMBERS=3)
def test_an_archive_with_too_many_members_is_refused(root, street_csv):
    response = upload(root, ("many.zip", as_zip({f"{i}-street.csv": street_csv for i in range(4)})))
    assert response.status_code == 400
    assert "many.zip: the archive has 4 files; at most 3 are read" in response.content.decode()
    assert not models.PendingUpload.objects.exists() and not Job.objects.exists()


@override_settings(POLICEUK_MAX_UNPACKED_BYTES=10 * 1024 * 1024)
def test_a_zip_bomb_is_refused(root, street_csv):
    bomb = as_zip({"2018-10-bedfordshire-street.csv": street_csv + b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000                      # 20 MB of zeros packs to some KB
    response = upload(root, ("bomb.zip", bomb))
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert re.search(r"bomb.zip: the archive's files unpack to 20\.\d MB; at most 10\.0 MB are read \(a zip bomb", page)
    assert not models.PendingUpload.objects.exists() and not Job.objects.exists()


@override_settings(POLICEUK_MAX_UNPACKED_BYTES=1024 * 1024)
def test_a_gz_that_unpacks_beyond_the_bound_stops_when_read(root, street_csv):
    """A .gz's declared size cannot be trusted: the bytes read are counted."""
    response = upload(root, ("h-street.csv.gz", gzip.compress(street_csv + street_csv.splitlines(keepends=True)[-1] * 20_000)))
    runner.run_queued()
    html = root.get(response["Location"]).content.decode()
    assert "the files unpack to more than 1.0 MB; at most that is read" in html
    assert not models.Return.objects.exists()


@override_settings(POLICEUK_UPLOAD_MAX_BYTES=10_000)
def test_an_upload_over_the_size_limit_is_refused_before_it_is_kept(root, street_csv):
    response = upload(root, ("i-street.csv", street_csv))
    assert response.status_code == 400
    assert re.search(r"the upload is \d+ KB; at most 10 KB is taken", response.content.decode())
    assert not models.PendingUpload.objects.exists()


def test_files_that_are_not_street_files(root):
    response = upload(root, ("notes.txt", b"hello"))
    assert "notes.txt: not a .zip, .csv or .csv.gz file" in response.content.decode()
    response = upload(root, ("x-street.csv", b"a,b\n1,2\n"))
    runner.run_queued()
    assert "not a data.police.uk street-level file" in root.get(response["Location"]).content.decode()


def test_csrf_is_checked_on_the_upload_and_the_confirm(street_csv):
    """The upload page reads its body with its own upload handler, so it
    checks CSRF itself (not the middleware): a post without the token is 403."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("root", superuser=True))
    assert upload(client, ("j-street.csv", street_csv)).status_code == 403
    assert not models.PendingUpload.objects.exists()
    form = client.get(UPLOAD).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = upload(client, ("j-street.csv", street_csv), csrfmiddlewaretoken=token)
    assert response.status_code == 302
    runner.run_queued()
    assert client.post(response["Location"], {"confirm": "Import"}).status_code == 403
    assert not Job.objects.filter(kind="policeuk-apply").exists()
