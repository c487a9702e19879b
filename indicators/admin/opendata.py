"""The admin's *Import data.police.uk open data* (issue 27 item 5): what
`import_policeuk` does from the command line, from a browser, off the web
request.

An administrator uploads one data.police.uk archive (.zip) or street files
(.csv, .csv.gz), with the command's options (forces, skip unknown, publish
or draft). The upload is bounded and kept in the database as a pending
upload (indicators/opendata/policeuk_upload.py); a "policeuk-preview" job
counts it with progress and makes `--dry-run`'s preview; the job's page
refreshes itself (no script) until it is ready, then offers Confirm and
Cancel. Confirm queues "policeuk-apply", which writes in one transaction,
and the same kind of page shows the outcome with links to the returns.

Who may: the permissions `import_policeuk --user` demands (add returns;
publish returns too to publish at once), checked on every request and again
by each job; the figures are checked as a return file's, so a user's forces
are their scope. A job's pages are its uploader's only (404 for anyone
else)."""

from __future__ import annotations

import os
from io import UnsupportedOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from indicators.opendata import policeuk
from indicators.opendata.policeuk_upload import (
    bundle,
    max_members,
    max_unpacked,
    max_upload,
    may_import,
    mb,
)
from indicators.returns import pending
from jobs import runner
from jobs.models import Job

FORM = "admin/indicators/return/opendata.html"
JOB = "admin/indicators/return/opendata_job.html"
PREVIEW, APPLY = "policeuk-preview", "policeuk-apply"


class BoundedMemoryHandler(MemoryFileUploadHandler):
    """The settings' in-memory upload handler, with this page's larger limit
    (POLICEUK_UPLOAD_MAX_BYTES) instead of FILE_UPLOAD_MAX_MEMORY_SIZE. A
    larger request keeps no file (its body is read and dropped, so the form's
    CSRF token still arrives) and the page says how large it was."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        stream = getattr(input_data, "_stream", input_data)
        try:
            content_length = stream.seek(0, os.SEEK_END)
        except (UnsupportedOperation, AttributeError):
            pass                        # WSGI's stream enforces Content-Length
        else:
            stream.seek(0)
        self.activated = content_length is not None and content_length <= max_upload()
        if not self.activated:
            self.request.opendata_refused = content_length


def urls(admin) -> list:
    """The pages, under the returns' admin (their figures arrive as returns)."""
    wrap = admin.admin_site.admin_view

    @csrf_exempt                        # checked below, once the upload handler is this page's
    def upload(request):
        request.upload_handlers = [BoundedMemoryHandler(request)]
        return csrf_protect(lambda r: upload_view(admin, r))(request)

    return [
        path("opendata/", wrap(upload), name="indicators_return_opendata"),
        path("opendata/<int:job_id>/", wrap(lambda request, job_id: job_view(admin, request, job_id)),
             name="indicators_return_opendata_job"),
    ]


def _context(admin, request, title: str) -> dict:
    return {**admin.admin_site.each_context(request), "opts": admin.model._meta, "title": title}


def upload_view(admin, request):
    if not may_import(request.user):
        raise PermissionDenied
    context = {**_context(admin, request, "Import data.police.uk open data"),
               "forces": sorted(policeuk.FORCES.items(), key=lambda item: item[1]),
               "may_publish": may_import(request.user, publish=True), "max_upload": mb(max_upload()),
               "max_members": max_members(), "max_unpacked": mb(max_unpacked())}
    if request.method != "POST":
        return TemplateResponse(request, FORM, context)
    publish = request.POST.get("publish") == "1"
    if publish and not may_import(request.user, publish=True):
        raise PermissionDenied
    chosen = request.POST.getlist("force")
    context.update(chosen=chosen, publish=publish, skip_unknown=bool(request.POST.get("skip_unknown")))
    refused = getattr(request, "opendata_refused", None)
    if refused is not None:
        return _refuse(request, context, [f"the upload is {mb(refused) if refused else 'of unknown size'}; at "
                                          f"most {mb(max_upload())} is taken: upload one month's archive, or "
                                          "fewer files"])
    unknown = [slug for slug in chosen if slug not in policeuk.FORCES]
    if unknown:
        return _refuse(request, context, [f"force {slug!r}: not a data.police.uk force id" for slug in unknown])
    files = request.FILES.getlist("files")
    try:
        data, name = bundle([(f.name, f.read()) for f in files])
    except policeuk.PoliceUkError as exc:
        return _refuse(request, context, exc.problems)
    token = pending.keep(user=request.user, data=data, name=name)
    job = runner.enqueue(PREVIEW, key=f"{PREVIEW}:{token}", label=f"data.police.uk preview: {name}",
                         params={"token": token, "forces": chosen, "skip_unknown": context["skip_unknown"],
                                 "publish": publish}, user=request.user, urgent=True)
    return redirect(reverse("admin:indicators_return_opendata_job", args=[job.pk]))


def _refuse(request, context, problems):
    context["problems"] = problems
    return TemplateResponse(request, FORM, context, status=400)


def _job(request, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind__in=(PREVIEW, APPLY), user=request.user).first()
    if job is None or not request.user.is_authenticated:
        raise Http404("No such import, or not yours")
    return job


def job_view(admin, request, job_id: int):
    if not may_import(request.user):
        raise PermissionDenied
    job = _job(request, job_id)
    token = job.params.get("token", "")
    if request.method == "POST":
        if job.kind != PREVIEW:
            raise Http404("Only a preview is confirmed or cancelled")
        if "cancel" in request.POST:
            if pending.discard(user=request.user, token=token):
                admin.message_user(request, "The upload was not imported and has been deleted; nothing changed.",
                                   messages.INFO)
            return redirect(reverse("admin:indicators_return_opendata"))
        return _confirm(request, job, token)
    context = {**_context(admin, request, "Import data.police.uk open data"), "job": job,
               "running": job.status in (Job.QUEUED, Job.RUNNING), "result": job.result or {},
               "error": job.error.split("\n\n")[0] if job.error else ""}
    if job.kind == PREVIEW and job.status == Job.DONE:
        applied = Job.objects.filter(key=f"{APPLY}:{token}", user=request.user).order_by("-created").first()
        context.update(applied=applied, waiting=applied is None and pending.waiting(user=request.user, token=token)
                       and not (job.result or {}).get("problem_count"))
    if job.kind == APPLY:
        context["returns"] = [{**r, "url": reverse("admin:indicators_return_change", args=[r["id"]])}
                              for r in (job.result or {}).get("returns", [])]
    return TemplateResponse(request, JOB, context)


def _confirm(request, job: Job, token: str):
    """Queue the import of a previewed upload, as its uploader, if they may
    still (publishing needs its own permission)."""
    if not may_import(request.user, publish=job.params.get("publish", False)):
        raise PermissionDenied
    if job.status != Job.DONE or (job.result or {}).get("problem_count"):
        raise Http404("This upload has no preview to confirm")
    if not pending.waiting(user=request.user, token=token):
        live = Job.objects.filter(key=f"{APPLY}:{token}", user=request.user).order_by("-created").first()
        if live is not None:                 # confirmed twice: the import already under way
            return redirect(reverse("admin:indicators_return_opendata_job", args=[live.pk]))
        raise Http404("No upload is waiting for you: it was imported or cancelled already, or expired after a "
                      "day; please upload it again")
    apply = runner.enqueue(APPLY, key=f"{APPLY}:{token}", label=f"data.police.uk import: {job.result.get('name')}",
                           params=job.params, user=request.user, urgent=True)
    return redirect(reverse("admin:indicators_return_opendata_job", args=[apply.pk]))
