"""Long work done off the request (issue 27): the record of each job, and the
panel packs it builds.

The queue itself is django-tasks (the database backend, or RQ on Redis):
it carries a job's id to a worker. A `Job` row is what the people waiting
see (progress, problems so far, the error) and what makes the work safe to
run twice: the runner claims the row, and a retry of a finished job does
nothing (jobs/runner.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, "Queued"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    kind = models.CharField(max_length=40, help_text="What the job does (jobs/kinds.py).")
    key = models.CharField(max_length=255, db_index=True,
                           help_text="What it makes: a second request for the same work joins the live job.")
    label = models.CharField(max_length=255)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=STATUSES, default=QUEUED, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", help_text="Who asked for it; none for work a publish queued.")
    done = models.PositiveIntegerField(default=0, help_text="Units done so far (rows, pages).")
    total = models.PositiveIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=200, blank=True, help_text="What it is doing now, in words.")
    problems = models.PositiveIntegerField(default=0, help_text="Problems found so far (a file's check).")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, help_text="The queue's own id for the last send.")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True,
                                     help_text="Last sign of life from the worker running it.")
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        permissions = [("retry_job", "Can retry a failed job")]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display().lower()})"

    @property
    def seconds(self) -> float | None:
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return None

    @property
    def percent(self) -> int | None:
        if self.total:
            return min(100, round(100 * self.done / self.total))
        return None


class StoredPack(models.Model):
    """A panel pack built by a job, kept in the database so that every
    server serves the same file (SPEC §4: no server's own disk). One per
    force, period, mode, theme, format, language and whether it shows drafts, at the
    data version it was built from: a change to the force's figures makes it
    stale, and the next one is built (reports/packs.py)."""

    force = models.ForeignKey("indicators.Force", on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    mode = models.CharField(max_length=12)
    theme = models.PositiveSmallIntegerField(default=0, help_text="The priority of a theme pack; 0 otherwise.")
    file_format = models.CharField(max_length=4)
    drafts = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="en-gb", db_default="en-gb",
                                help_text="The language it is written in: en-gb, or cy for a Welsh force's pack (issue 31).")
    version = models.CharField(max_length=80, help_text="The data version it was built from (reports/cache.py).")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    built = models.DateTimeField(default=timezone.now)
    build_seconds = models.FloatField(help_text="CPU seconds the build took.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["force", "period", "mode", "theme", "file_format", "drafts",
                                                       "language"], name="one_stored_pack_per_language")]

    def __str__(self) -> str:
        return self.filename
