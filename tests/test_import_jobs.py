"""A return file over IMPORT_IN_REQUEST_MAX_BYTES is checked and imported by
jobs (issue 27 item 4; indicators/returns/jobs.py): the upload and the confirm
answer at once with a page that follows the job, then show the same preview,
problems and message as a small file's; only the uploader sees the page, and
an import job run twice writes once."""

import io
import time
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings

from indicators import models, periods
from jobs import runner
from jobs.models import Job
from tests.factories import make_user
from tests.test_data_entry import HEADER, plan  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
IMPORT = "/admin/indicators/return/import/"
MEASURES, MONTHS = 50, 60                  # 3,000 rows
FIRST = date(2013, 4, 1)
SLOW = 2.0                                 # no request in the flow may take longer (issue 27)


@pytest.fixture
def measures(plan):  # noqa: F811
    return models.Indicator.objects.bulk_create(
        [models.Indicator(force=plan, code=f"big-{k}", name=f"Big measure {k}", unit="count", aggregation="sum",
                          polarity="down") for k in range(MEASURES)])


@pytest.fixture
def ana(plan, client):  # noqa: F811
    user = make_user("ana", role="analyst", forces=[plan])
    client.force_login(user)
    return user


def big_file(measures, bad: tuple[int, str] | None = None) -> str:
    """Every measure for MONTHS months, figures moving a little (no warnings);
    with ``bad`` = (row, cell), that row's value is the cell."""
    lines = [HEADER]
    for month in periods.month_range(FIRST, periods.add_months(FIRST, MONTHS - 1)):
        for k, ind in enumerate(measures):
            value = bad[1] if bad and len(lines) + 1 == bad[0] else str(500 + k)
            lines.append(f"west-mercia,{ind.code},{periods.format_month(month)},{value},,,final,")
    return "\n".join(lines) + "\n"


class Timed:
    """The test client, timing each request: none may pass SLOW seconds."""

    def __init__(self, client):
        self.client, self.times = client, []

    def __getattr__(self, method):
        def call(*args, **kwargs):
            started = time.perf_counter()
            response = getattr(self.client, method)(*args, **kwargs)
            self.times.append((method, args[0], time.perf_counter() - started))
            assert self.times[-1][2] < SLOW, self.times[-1]
            return response
        return call


def upload(client, text, name="big.csv"):
    data = io.BytesIO(text.encode())
    data.name = name
    return client.post(IMPORT, {"file": data}, follow=True)


def job_address(response) -> str:
    address = response.redirect_chain[-1][0]
    assert address.startswith(IMPORT + "job/"), response.redirect_chain
    return address


@override_settings(IMPORT_IN_REQUEST_MAX_BYTES=1000)
def test_a_big_file_is_checked_by_a_job_then_imported_by_another(ana, client, measures):
    web = Timed(client)
    text = big_file(measures)
    response = upload(web, text)
    page = response.content.decode()
    assert response.status_code == 200 and '<meta http-equiv="refresh" content="2">' in page
    assert "Status: queued" in page and "Checking big.csv" in page
    check = Job.objects.get(kind="check-return")
    assert check.status == Job.QUEUED and check.user == ana
    held = models.PendingUpload.objects.get()
    assert bytes(held.data) == text.encode() and models.Return.objects.count() == 0

    assert runner.run_queued() == 1
    check.refresh_from_db()
    assert (check.status, check.done, check.total, check.problems) == (Job.DONE, 3000, 3000, 0)
    page = web.get(job_address(response)).content.decode()
    assert "refresh" not in page
    assert "Check before you import: big.csv" in page and "3000 rows passed every check." in page
    assert "west-mercia: 3,000 new, 0 changed, 0 unchanged" in page
    assert "first 200; 2800 more" in page and "west-mercia big-0 2013-04: 500" in page
    assert f'name="token" value="{held.token}"' in page and f'action="{IMPORT}"' in page
    assert list(held.forces.all()) == [models.Force.objects.get(slug="west-mercia")]

    response = web.post(IMPORT, {"token": held.token, "confirm": "1", "publish": "1"}, follow=True)
    page = response.content.decode()
    assert "Importing big.csv" in page and "Status: queued" in page and "refresh" in page
    apply = Job.objects.get(kind="apply-return")
    assert apply.params["publish"] is True and models.Observation.objects.count() == 0

    assert runner.run_queued() == 1
    observations = models.Observation.objects.filter(indicator__force__slug="west-mercia")
    assert observations.count() == 3000 and not models.PendingUpload.objects.exists()
    assert observations.get(indicator__code="big-7", month=date(2017, 3, 1)).value == 507
    assert sum(observations.values_list("value", flat=True)) == MONTHS * sum(500 + k for k in range(MEASURES))
    page = web.get(job_address(response)).content.decode()
    ret = models.Return.objects.get()
    assert f"3,000 figures from big.csv published in return #{ret.pk}." in page
    assert f'href="/admin/indicators/return/{ret.pk}/review/"' in page      # on to review it (issue 28)

    # the worker dies after the write, before the job is marked done: run again, it changes nothing
    before = (list(observations.values_list("pk", "value")), models.Return.objects.count(),
              models.Observation.history.count())
    Job.objects.filter(pk=apply.pk).update(status=Job.QUEUED, result=None)
    assert runner.run_queued() == 1
    apply.refresh_from_db()
    assert apply.status == Job.DONE and apply.result["outcome"] == "gone"
    assert "was imported already" in web.get(job_address(response)).content.decode()
    assert before == (list(observations.values_list("pk", "value")), models.Return.objects.count(),
                      models.Observation.history.count())
    assert all(seconds < SLOW for _, _, seconds in web.times)


@override_settings(IMPORT_IN_REQUEST_MAX_BYTES=1000)
def test_only_the_uploader_sees_the_jobs_page(ana, client, measures, plan):  # noqa: F811
    address = job_address(upload(client, big_file(measures)))
    colleague = make_user("bob", role="analyst", forces=[plan])
    other = client.__class__()
    other.force_login(colleague)
    assert other.get(address).status_code == 404
    runner.run_queued()
    assert other.get(address).status_code == 404
    assert client.get(address).status_code == 200
    assert client.get(IMPORT + "job/999999/").status_code == 404


@override_settings(IMPORT_IN_REQUEST_MAX_BYTES=1000)
def test_a_bad_cell_in_a_big_file_is_named_by_row_and_column_after_the_check(ana, client, measures):
    web = Timed(client)
    response = upload(web, big_file(measures, bad=(1234, '"1,234"')))
    runner.run_queued()
    check = Job.objects.get(kind="check-return")
    assert check.result["outcome"] == "problems" and check.problems == 1
    page = web.get(job_address(response)).content.decode()
    assert "The file was not imported: 1 problem. Nothing was written." in page
    assert "row 1234, column value: &#x27;1,234&#x27; has a thousands separator" in page
    assert not models.PendingUpload.objects.exists() and models.Return.objects.count() == 0


@override_settings(IMPORT_IN_REQUEST_MAX_BYTES=1000)
def test_publishing_a_big_file_needs_the_publish_permission(ana, client, measures):
    upload(client, big_file(measures))
    runner.run_queued()
    token = models.PendingUpload.objects.get().token
    ana.groups.clear()                       # an analyst who may enter figures but not publish them
    ana.user_permissions.add(*Permission.objects.filter(codename__in=["add_return", "change_return",
                                                                      "view_return"]))
    assert client.post(IMPORT, {"token": token, "confirm": "1", "publish": "1"}).status_code == 403
    assert not Job.objects.filter(kind="apply-return").exists()


def test_a_small_file_is_still_checked_in_the_request(ana, client, measures):
    page = upload(client, big_file(measures[:2]), name="small.csv").content.decode()
    assert "Check before you import: small.csv" in page and not Job.objects.exists()


@override_settings(IMPORT_IN_REQUEST_MAX_BYTES=1000)
def test_publishing_a_big_file_with_warnings_needs_them_confirmed_as_a_small_files_does(ana, client, measures):
    upload(client, big_file(measures, bad=(1000, "9999")))
    runner.run_queued()
    token = models.PendingUpload.objects.get().token
    response = client.post(IMPORT, {"token": token, "confirm": "1", "publish": "1"}, follow=True)
    runner.run_queued()
    page = client.get(job_address(response)).content.decode()
    assert "Not imported. Not published: check the 1 figure listed old → new" in page
    assert models.Observation.objects.count() == 0 and models.PendingUpload.objects.exists()
    listed = page.split('name="checked_figure" value="')[1].split('"')[0]
    response = client.post(IMPORT, {"token": token, "confirm": "1", "publish": "1", "checked": "1",
                                    "checked_figure": listed}, follow=True)
    runner.run_queued()
    assert "3,000 figures from big.csv published" in client.get(job_address(response)).content.decode()
    assert models.Observation.objects.count() == 3000
