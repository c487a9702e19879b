"""Big return files checked and imported by jobs (issue 27 item 4; docs/decisions.md,
Big imports as jobs).

A file up to IMPORT_IN_REQUEST_MAX_BYTES is read, checked and previewed in
the upload request, as before. A larger one would hold the request for
seconds (a 200,000-row file: 26 s and 483 MB), so it is kept at once as a
pending upload (returns/pending.py) and a "check-return" job reads and
checks it, reporting the rows checked and problems found so far; its result
is the preview, stored as the page shows it, so that showing it costs the
request nothing. The confirm queues an "apply-return" job that checks the
file again and writes it in one transaction with the pending upload's
deletion: run twice, the second run finds no upload and says the file was
imported already.

Both jobs act as the user who uploaded (and confirmed) the file: the same
catalogue (what they may write) and permissions as the request would use."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from indicators.models import PendingUpload
from indicators.returns import confirmation, pending
from indicators.returns.file import XLSX_MAGIC, ReturnFileError, check_rows, read_table
from indicators.returns.workflow import catalogue_for, stage
from jobs import runner
from jobs.models import Job

CHECK, APPLY = "check-return", "apply-return"
# An XLSX file's bytes cost about six times a CSV's to read and check (the
# same rows: 3.5 s for 1.15 MB of XLSX, 0.7 s for 1.47 MB of CSV, measured
# with bench/bench_import_job.py --sizes), so it counts six times its size.
XLSX_COST = 6
GONE = ("no such upload waiting for you: it was imported or cancelled already, or expired after a day; "
        "please upload the file again")


def in_request(size: int, name: str, head: bytes = b"") -> bool:
    """Whether a file this size is checked in the upload request (else by a job)."""
    cost = size * XLSX_COST if head.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx") else size
    return cost <= settings.IMPORT_IN_REQUEST_MAX_BYTES


def queue_check(*, user, data: bytes, name: str) -> Job:
    """Keep the file and queue its check; the job the progress page follows."""
    token = pending.keep(user=user, data=data, name=name)
    upload = PendingUpload.objects.only("pk").get(token=token)
    return runner.enqueue(CHECK, key=f"{CHECK}:{upload.pk}", label=f"Check return file {name[:200]}",
                          params={"upload": upload.pk, "name": name[:255], "size": len(data)}, user=user, urgent=True)


def queue_apply(*, user, upload: PendingUpload, post) -> Job:
    """Queue the import of a confirmed upload, with what the form confirmed."""
    return runner.enqueue(APPLY, key=f"{APPLY}:{upload.pk}", label=f"Import return file {upload.name[:200]}",
                          params={"upload": upload.pk, "name": upload.name, "publish": post.get("publish") == "1",
                                  "checked": post.get(confirmation.TICK, ""),
                                  "checked_figure": post.getlist(confirmation.LISTED)}, user=user, urgent=True)


def upload_of(job: Job, *, lock: bool = False) -> PendingUpload | None:
    """The job's pending upload, if it is still there for the job's user
    (less than a day old, its checksum right): pending.find by its token."""
    if job.user is None:
        return None
    token = PendingUpload.objects.filter(pk=job.params.get("upload"), uploader=job.user).values_list(
        "token", flat=True).first()
    return pending.find(user=job.user, token=token or "", lock=lock)


def stored_preview(context: dict) -> dict:
    """The import page's preview (admin/returns.py _preview_context) as JSON:
    each change and warning as the template shows it. The token is left
    out: the page takes it from the upload, for its uploader only."""
    out = {k: v for k, v in context.items() if k not in ("token", "changes", "warnings", "confirm")}
    out["confirm"] = confirmation.as_json(context["confirm"])
    out["changes"] = [{"row": {"number": c.row.number}, "kind": c.kind, "describe": c.describe()}
                      for c in context["changes"]]
    out["warnings"] = [[str(w), key] for w, key in context["warnings"]]
    return out


def _problems(exc: ReturnFileError) -> dict:
    return {"outcome": "problems", "problems": [str(p) for p in exc.problems], "total": exc.total}


def _checked(job: Job, upload: PendingUpload, progress, skipped: list | None = None):
    """The upload's checked rows (reporting progress), or ReturnFileError."""
    progress(0, None, stage="reading the file")
    try:
        header, body = read_table(upload.data, upload.name)
        total = len(body)
        progress(0, total, stage="checking rows", problems=0)
        return check_rows(header, body, catalogue_for(job.user), today=timezone.localdate(), skipped=skipped,
                          progress=lambda done, problems: progress(done, total, stage="checking rows",
                                                                   problems=problems))
    except ReturnFileError as exc:
        progress(stage="found problems", problems=exc.total or len(exc.problems))
        return exc


@runner.kind(CHECK)
def check(job: Job, progress) -> dict:
    """Read and check a big file and build its preview. A file with problems
    is not kept (as in the request: it must be corrected and sent again)."""
    from indicators.admin.returns import _preview_context  # the admin imports this module

    upload = upload_of(job)
    if upload is None:
        return {"outcome": "gone", "problems": [GONE]}
    skipped: list[int] = []
    rows = _checked(job, upload, progress, skipped)
    if isinstance(rows, ReturnFileError):
        upload.delete()
        return _problems(rows)
    progress(len(rows), None, stage="comparing with the figures held")
    upload.forces.set({row.force_id for row in rows})
    context = _preview_context(rows, "", upload.name, len(skipped))
    return {"outcome": "preview", "preview": stored_preview(context)}


@runner.kind(APPLY)
def apply(job: Job, progress) -> dict:
    """Check the confirmed file again and write it, as the request does for a
    small one (admin/returns.py _import). The write is one transaction that
    also deletes the pending upload, so a second run changes nothing: it
    finds no upload and says so.

    The check runs before that transaction, so that its progress (and the
    job's heartbeat) is seen while it runs; the upload's bytes cannot change
    (an upload is only ever deleted), and the transaction begins by locking
    it, so two runs at once write once."""
    from indicators.admin.returns import _outcome, _preview_context  # the admin imports this module

    params, user = job.params, job.user
    gone = {"outcome": "gone", "message": f"{params.get('name', 'The file')} was imported already (or cancelled, "
                                          "or expired after a day): nothing was written this time."}
    upload = upload_of(job)
    if upload is None:
        return gone
    rows = _checked(job, upload, progress)              # again: the data may have changed since the preview
    if isinstance(rows, ReturnFileError):
        upload.delete()
        return _problems(rows)
    publish = bool(params.get("publish"))
    if publish and not user.has_perm("indicators.publish_return"):
        return {"outcome": "problems", "problems": ["you may not publish returns: import the file as a draft"]}
    if publish:
        post = QueryDict(mutable=True)
        post[confirmation.TICK] = params.get("checked", "")
        post.setlist(confirmation.LISTED, params.get("checked_figure", []))
        confirm = confirmation.confirmation(rows, post)
        if not confirm.ok:    # the one rule for publishing (returns/confirmation.py), as in the request
            return {"outcome": "confirm", "confirm_needed": confirm.message(),
                    "preview": stored_preview(_preview_context(rows, "", upload.name, 0))}
    progress(len(rows), len(rows), stage="writing the figures")
    with transaction.atomic():
        if upload_of(job, lock=True) is None:              # imported by a run alongside this one
            return gone
        summary = stage(rows, user=user, source=upload.name, publish=publish)
        upload.delete()
        level, message, url = _outcome(summary, upload.name, publish)
    return {"outcome": "imported", "level": level, "message": message, "url": url}
