"""Long work off the request (issue 27): the job runner, and the panel pack
ready when asked. The tests run queued jobs themselves (`run_queued`), as a
worker does; tests/test_jobs_worker.py runs real workers."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from indicators import models, selectors
from jobs import runner
from jobs.models import Job, StoredPack
from jobs.runner import run_queued
from tests.factories import make_user

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
PDF = "/west-mercia/report/?period=2013-07&mode=exceptions&format=pdf"


@pytest.fixture
def calls():
    """A kind of job for the runner's own tests: it records its calls, and fails when asked to."""
    seen = []

    @runner.kind("test-echo")
    def echo(job, progress):
        progress(1, 2, stage="halfway", problems=1)
        seen.append(job.params)
        if job.params.get("fail"):
            raise ValueError("the file has no header row")
        return {"echo": job.params["n"]}
    yield seen
    runner.KINDS.pop("test-echo")


def test_a_job_runs_once_records_progress_and_result_and_a_second_send_changes_nothing(calls):
    job = runner.enqueue("test-echo", key="echo:1", label="Echo one", params={"n": 1})
    assert job.status == Job.QUEUED
    assert runner.enqueue("test-echo", key="echo:1", label="Echo one", params={"n": 1}).pk == job.pk  # joined
    assert run_queued() == 1
    job.refresh_from_db()
    assert (job.status, job.result, job.attempts, job.stage, job.problems) == (Job.DONE, {"echo": 1}, 1, "done", 1)
    assert job.seconds is not None and job.seconds >= 0
    assert runner.run(job.pk) == Job.DONE and calls == [{"n": 1}]      # sent again (a retry): not run again


def test_a_failed_job_keeps_its_error_and_can_be_retried(calls):
    job = runner.enqueue("test-echo", key="echo:2", label="Echo two", params={"n": 2, "fail": True})
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.FAILED and job.error.startswith("ValueError: the file has no header row")
    runner.retry(job)
    assert job.status == Job.QUEUED and job.error == ""
    run_queued()
    job.refresh_from_db()
    assert job.status == Job.FAILED and job.attempts == 2 and len(calls) == 2
    with pytest.raises(ValueError, match="only a failed job"):
        runner.retry(Job.objects.create(kind="test-echo", key="x", label="x", status=Job.DONE))


def test_a_job_whose_worker_died_is_sent_again_and_finished(calls, settings):
    settings.JOBS_STALE_AFTER = 60
    job = Job.objects.create(kind="test-echo", key="echo:3", label="Echo three", params={"n": 3},
                             status=Job.RUNNING, attempts=1, heartbeat=timezone.now() - timedelta(seconds=61))
    alive = Job.objects.create(kind="test-echo", key="echo:4", label="Echo four", params={"n": 4},
                               status=Job.RUNNING, attempts=1, heartbeat=timezone.now())
    assert runner.live("echo:3") is None and runner.live("echo:4") == alive     # a dead worker's job is not live
    assert runner.reclaim_stale() == 1
    assert runner.run(alive.pk) == Job.RUNNING and calls == []          # a live worker has it: left alone
    job.refresh_from_db()
    assert job.status == Job.QUEUED and job.stage == "sent again: its worker stopped"
    run_queued()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (Job.DONE, 2, {"echo": 3})


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_link_says_being_prepared_until_a_worker_built_it_then_serves_the_stored_file(demo, client):
    first = client.get(PDF)
    page = first.content.decode()
    assert first.status_code == 200 and first["Content-Type"].startswith("text/html")
    assert "The panel pack is being prepared" in page and '<meta http-equiv="refresh" content="3">' in page
    assert "West Mercia Police panel pack, 2013-07, exceptions, PDF: waiting for a worker" in page
    assert first["Cache-Control"] == "no-store"
    assert client.get(PDF).status_code == 200 and Job.objects.filter(kind="pack").count() == 1   # asked twice, one job
    assert run_queued() == 1
    job = Job.objects.get(kind="pack")
    assert job.status == Job.DONE and job.result["size"] > 10_000 and job.done == job.total == 3

    started = time.perf_counter()
    served = client.get(PDF)
    took = time.perf_counter() - started
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == 'attachment; filename="west-mercia-panel-report-2013-07-exceptions.pdf"'
    assert "West Mercia Police" in _pdf_text(served.content)
    assert took < 0.5, f"the stored PDF took {took:.3f} s to serve"
    pack = StoredPack.objects.get()
    assert (pack.file_format, pack.mode, pack.size, pack.drafts) == ("pdf", "exceptions", len(served.content), False)


def test_a_running_pack_shows_its_progress(demo, client):
    client.get(PDF)
    Job.objects.filter(kind="pack").update(status=Job.RUNNING, heartbeat=timezone.now(), done=2, total=3,
                                           stage="writing the PDF (9 pages)")
    page = client.get(PDF).content.decode()
    assert "exceptions, PDF: writing the PDF (9 pages)." in page
    assert '<progress id="pack-progress" max="3" value="2">67%</progress> 67%' in page


def test_new_figures_make_the_stored_pack_stale_and_a_failed_build_is_said_plainly(demo, client, tmp_path):
    client.get(PDF)
    run_queued()
    assert client.get(PDF)["Content-Type"] == "application/pdf"
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\nwest-mercia,asb,2013-07,4700,,,final,\n", encoding="utf-8")
    call_command("import_return", str(path), "--publish", "--accept-warnings", stdout=io.StringIO())
    again = client.get(PDF)
    assert again["Content-Type"].startswith("text/html") and "being prepared" in again.content.decode()
    Job.objects.filter(kind="pack", status=Job.QUEUED).update(status=Job.FAILED, finished=timezone.now(),
                                                             error="OSError: no space left")
    failed = client.get(PDF)
    text = failed.content.decode()
    assert failed.status_code == 200 and "The panel pack could not be made" in text
    assert 'http-equiv="refresh"' not in text and "no space left" not in text     # the error is for operators


def test_drafts_packs_are_apart_from_the_public_ones(demo, client):
    wm = models.Force.objects.get(slug="west-mercia")
    draft = models.Return.objects.create(force=wm, period="2013/14 Q2", source="draft-july.csv")
    models.ReturnLine.objects.create(source_return=draft, indicator=models.Indicator.objects.get(force=wm, code="asb"),
                                     month=timezone.datetime(2013, 7, 1).date(), value=424242)
    client.get(PDF)
    client.force_login(make_user("ana", role="analyst", forces=[wm]))
    client.get(PDF)
    run_queued()
    assert sorted(StoredPack.objects.values_list("drafts", flat=True)) == [False, True]
    assert "424242" in _pdf_text(client.get(PDF).content).replace(",", "")
    client.logout()
    assert "424242" not in _pdf_text(client.get(PDF).content).replace(",", "")


def test_a_bad_pack_request_is_refused_at_once_with_no_job(demo, client):
    response = client.get("/west-mercia/report/?period=2013-07&mode=theme&theme=99&format=pdf")
    assert response.status_code == 400 and "theme 99 is not in the plan" in response.content.decode()
    assert not Job.objects.exists()


def test_publishing_queues_each_mode_of_that_forces_pack_and_no_other_forces(demo, tmp_path,
                                                                             django_capture_on_commit_callbacks):
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\nwest-mercia,asb,2013-07,4700,,,final,\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_return", str(path), "--publish", "--accept-warnings", stdout=io.StringIO())
    labels = set(Job.objects.filter(kind="pack").values_list("label", flat=True))
    wm = models.Force.objects.get(slug="west-mercia")
    plan = wm.plans.get()
    themes = [a.number for a in plan.areas.all()]
    # the month published, and the period a reader gets by default (the last quarter's end)
    periods = {"2013-07", selectors.default_period(force=wm, include_drafts=False).strftime("%Y-%m")}
    assert periods == {"2013-07", "2013-06"}
    expected = {f"West Mercia Police panel pack, {p}, {mode}, {fmt}"
                for p in periods for mode in ["full", "exceptions", *(f"theme {n}" for n in themes)]
                for fmt in ("HTML", "PDF")}
    assert labels == expected
    assert not Job.objects.exclude(label__startswith="West Mercia").exists()


def test_operators_see_the_queue_and_retry_failed_jobs(demo, client, calls):
    ok = runner.enqueue("test-echo", key="echo:5", label="Echo five", params={"n": 5})
    bad = runner.enqueue("test-echo", key="echo:6", label="Echo six", params={"n": 6, "fail": True})
    run_queued()
    client.force_login(make_user("ana", role="analyst", forces=[models.Force.objects.get(slug="west-mercia")]))
    assert client.get("/admin/jobs/job/").status_code == 403
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    page = client.get("/admin/jobs/job/").content.decode()
    assert "Echo five" in page and "Echo six" in page and "ValueError: the file has no header row" in page
    response = client.post("/admin/jobs/job/", {"action": "retry_failed", "_selected_action": [ok.pk, bad.pk]},
                           follow=True)
    assert "1 job queued again; 1 not failed, left as they were." in response.content.decode()
    bad.refresh_from_db()
    ok.refresh_from_db()
    assert bad.status == Job.QUEUED and ok.status == Job.DONE


def test_work_someone_waits_for_goes_ahead_of_background_packs(calls, settings):
    from django_tasks import default_task_backend

    runner.enqueue("test-echo", key="echo:7", label="background", params={"n": 7})
    runner.enqueue("test-echo", key="echo:8", label="asked for", params={"n": 8}, urgent=True)
    for job in Job.objects.order_by("pk"):
        runner.send(job.pk)                     # as on commit
    sent = {r.args[0]: r.task.priority for r in default_task_backend.results}
    background, asked = Job.objects.order_by("pk")
    assert (sent[background.pk], sent[asked.pk]) == (0, 100)
    Job.objects.filter(pk=asked.pk).update(status=Job.FAILED)
    runner.retry(Job.objects.get(pk=asked.pk))
    assert Job.objects.get(pk=asked.pk).params["_urgent"] is True        # a retry keeps its place


def test_on_rq_urgent_work_has_a_queue_of_its_own_that_workers_empty_first(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["urgent", "default"]}}
    urgent, background = runner._task(True), runner._task(False)
    assert (urgent.queue_name, urgent.priority) == ("urgent", 0)       # RQ has no priorities
    assert background.queue_name == "default"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert (runner._task(True).queue_name, runner._task(True).priority) == ("default", 100)


def test_a_job_the_queue_did_not_take_is_sent_once_it_answers(calls, settings, monkeypatch):
    settings.JOBS_STALE_AFTER = 60
    job = Job.objects.create(kind="test-echo", key="echo:9", label="Echo nine", params={"n": 9},
                             created=timezone.now() - timedelta(seconds=61), stage="waiting: the queue did not answer")
    sent = []
    monkeypatch.setattr(runner, "send", lambda pk, **kw: sent.append(pk))
    runner.reclaim_stale()
    assert sent == [job.pk]


def test_on_the_database_queue_the_admin_offers_no_rq_dashboard_that_would_fail(client):
    client.force_login(make_user("root", superuser=True))
    assert "/admin/django_rq/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/django_rq/dashboard/").status_code == 404
    assert client.get("/admin/jobs/job/").status_code == 200               # the queue's page is the jobs page
