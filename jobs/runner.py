"""Queueing and running jobs (issue 27; docs/decisions.md, Job queue).

`enqueue` records a `Job` and sends its id through django-tasks: the
database backend by default (no extra service: `make demo`), RQ when
REDIS_URL is set (any number of workers on any number of machines). A
worker runs `run`, which claims the row, reports progress through
`Progress` and records the outcome.

A worker killed mid-way leaves its job "running" with a heartbeat that
stops. Whichever worker next starts (or starts a job) sends such a job
again, once its heartbeat is older than JOBS_STALE_AFTER seconds. The work
itself is safe to repeat: a job already done is not run again, and each
kind writes what it makes in one transaction (a pack replaces the stored
one; an import's write is atomic and its pending upload goes with it)."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from jobs.models import Job

logger = logging.getLogger(__name__)

# kind -> function(job, progress) -> JSON-able result (jobs/kinds.py registers them)
KINDS: dict[str, Callable] = {}


def kind(name: str):
    def register(function):
        KINDS[name] = function
        return function
    return register


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOBS_STALE_AFTER", 120))


def live(key: str, *, running: bool = True) -> Job | None:
    """The queued (or running, if its worker is alive) job making ``key``."""
    cutoff = timezone.now() - stale_after()
    alive = Q(status=Job.QUEUED) | Q(status=Job.RUNNING, heartbeat__gte=cutoff) if running else Q(status=Job.QUEUED)
    return Job.objects.filter(key=key).filter(alive).order_by("-created").first()


def enqueue(kind_name: str, *, key: str, label: str, params: dict | None = None, user=None,
            join_running: bool = True, urgent: bool = False) -> Job:
    """The job making ``key``: the live one, or a new one sent to the queue
    (when the surrounding transaction commits, so a worker never looks for
    a row it cannot see yet). ``join_running=False``: a job already running
    may be working from data that has changed since, so only a queued one
    is joined (a publish: the queued job reads the data when it starts).
    ``urgent``: someone is waiting for it (a page asked for it, or pages
    readers are about to ask for), so it goes ahead of background work."""
    if kind_name not in KINDS:
        raise ValueError(f"no such kind of job: {kind_name!r}")
    job = live(key, running=join_running)
    if job is not None:
        return job
    if join_running and reclaim_stale(key=key):        # its worker died: that job, sent again
        return Job.objects.filter(key=key, status=Job.QUEUED).order_by("-created").first() or enqueue(
            kind_name, key=key, label=label, params=params, user=user)
    job = Job.objects.create(kind=kind_name, key=key, label=label[:255],
                             params={**(params or {}), **({URGENT: True} if urgent else {})},
                             user=user if user is not None and user.is_authenticated else None)
    transaction.on_commit(lambda: send(job.pk, urgent=urgent))
    return job


URGENT = "_urgent"          # in a job's params: it goes to the front of the queue


def send(job_id: int, *, urgent: bool | None = None) -> None:
    if urgent is None:
        urgent = bool((Job.objects.filter(pk=job_id).values_list("params", flat=True).first() or {}).get(URGENT))
    try:
        result = _task(urgent).enqueue(job_id)
    except Exception:                                    # the queue is down: the job waits, and says so
        logger.exception("job %s could not be sent to the queue", job_id)
        Job.objects.filter(pk=job_id).update(stage="waiting: the queue did not answer")
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


URGENT_QUEUE = "urgent"


def _task(urgent: bool):
    """The task to send: urgent work first. The database backend orders by
    priority; RQ has none, so urgent work has a queue of its own that
    workers empty first (`run_worker` listens to "urgent" before "default")."""
    if not urgent:
        return run_job
    if run_job.get_backend().supports_priority:
        return run_job.using(priority=TASK_MAX_PRIORITY)
    return run_job.using(queue_name=URGENT_QUEUE)


def reclaim_stale(key: str | None = None) -> int:
    """Send again every job (making ``key``) whose worker stopped answering
    (killed mid-way)."""
    cutoff = timezone.now() - stale_after()
    stale = Job.objects.filter(status=Job.RUNNING, heartbeat__lt=cutoff)
    stale = list((stale.filter(key=key) if key else stale).values_list("pk", flat=True))
    for pk in stale:
        if Job.objects.filter(pk=pk, status=Job.RUNNING, heartbeat__lt=cutoff).update(
                status=Job.QUEUED, stage="sent again: its worker stopped"):
            logger.warning("job %s: its worker stopped answering; sent again", pk)
            send(pk)
    # and any the queue did not take when they were made (it did not answer): once it does
    unsent = Job.objects.filter(status=Job.QUEUED, task_id="", created__lt=cutoff)
    for pk in (unsent.filter(key=key) if key else unsent).values_list("pk", flat=True):
        send(pk)
    return len(stale)


def retry(job: Job) -> Job:
    """A failed job, queued again (the operators' page)."""
    if job.status != Job.FAILED:
        raise ValueError("only a failed job can be retried")
    Job.objects.filter(pk=job.pk).update(status=Job.QUEUED, error="", stage="retried", finished=None, done=0)
    transaction.on_commit(lambda: send(job.pk))
    job.refresh_from_db()
    return job


class Progress:
    """What a running job tells the people waiting: ``progress(done, total,
    stage=..., problems=...)``. Writes at most every half second (and always
    when the stage changes); each write is also the job's heartbeat."""

    def __init__(self, job: Job, every: float = 0.5):
        self.job, self.every, self._last, self._stage = job, every, 0.0, None

    def __call__(self, done: int | None = None, total: int | None = None, *, stage: str | None = None,
                 problems: int | None = None) -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._last < self.every:
            return
        self._last, self._stage = now, stage
        fields = {"heartbeat": timezone.now()}
        if done is not None:
            fields["done"] = done
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["stage"] = stage[:200]
        if problems is not None:
            fields["problems"] = problems
        Job.objects.filter(pk=self.job.pk).update(**fields)


def run(job_id: int) -> str:
    """Run one job: claim it, do it, record how it ended. Returns its status."""
    reclaim_stale()
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "gone"
        if job.status in (Job.DONE, Job.FAILED):
            return job.status                          # sent twice: done once
        if job.status == Job.RUNNING and job.heartbeat and job.heartbeat >= now - stale_after():
            return job.status                          # another worker has it
        job.status, job.started, job.heartbeat, job.finished = Job.RUNNING, now, now, None
        job.attempts += 1
        job.save(update_fields=["status", "started", "heartbeat", "finished", "attempts"])
    started = time.process_time()
    try:
        result = KINDS[job.kind](job, Progress(job))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.label)
        Job.objects.filter(pk=job.pk).update(
            status=Job.FAILED, finished=timezone.now(), heartbeat=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=6)}"[:20000])
        return Job.FAILED
    logger.info("job %s (%s) done in %.2f s CPU", job.pk, job.label, time.process_time() - started)
    Job.objects.filter(pk=job.pk).update(status=Job.DONE, finished=timezone.now(), heartbeat=timezone.now(),
                                         result=result, stage="done")
    return Job.DONE


@task()
def run_job(job_id: int) -> str:
    """The task django-tasks carries: one `Job` by its id."""
    return run(job_id)


def run_queued(limit: int | None = None) -> int:
    """Run every queued job here, one after another (tests, and
    ``run_worker --once``): what a worker would do."""
    count = 0
    for pk in Job.objects.filter(status=Job.QUEUED).order_by("created").values_list("pk", flat=True):
        run(pk)
        count += 1
        if limit is not None and count >= limit:
            break
    return count


def queue_health() -> dict:
    """Depth of the queue and the age of its oldest waiting job (/healthz)."""
    waiting = Job.objects.filter(status=Job.QUEUED)
    oldest = waiting.order_by("created").values_list("created", flat=True).first()
    return {"queued": waiting.count(), "running": Job.objects.filter(status=Job.RUNNING).count(),
            "oldest_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0.0}
