"""The operators' view of the queue (issue 27, item 6): every job, queued,
running, failed (with its error) or done, and how long it took; failed jobs
can be retried from here."""

from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html

from jobs import runner
from jobs.models import Job, StoredPack


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("label", "kind", "status", "progress", "attempts", "created", "took", "short_error")
    list_filter = ("status", "kind")
    search_fields = ("label", "key")
    date_hierarchy = "created"
    actions = ["retry_failed"]
    readonly_fields = [f.name for f in Job._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Progress")
    def progress(self, job):
        if job.status == Job.DONE:
            return "done"
        parts = [job.stage] if job.stage else []
        if job.total:
            parts.append(f"{job.done:,} of {job.total:,} ({job.percent}%)")
        if job.problems:
            parts.append(f"{job.problems:,} problem{'s' if job.problems != 1 else ''}")
        return "; ".join(parts) or "—"

    @admin.display(description="Took")
    def took(self, job):
        return f"{job.seconds:.1f} s" if job.seconds is not None else "—"

    @admin.display(description="Error")
    def short_error(self, job):
        if not job.error:
            return ""
        return format_html('<span title="{}">{}</span>', job.error, job.error.splitlines()[0][:120])

    @admin.action(description="Retry the selected failed jobs", permissions=["retry"])
    def retry_failed(self, request, queryset):
        failed = list(queryset.filter(status=Job.FAILED))
        with transaction.atomic():
            for job in failed:
                runner.retry(job)
        skipped = queryset.count() - len(failed)
        self.message_user(request, f"{len(failed)} job{'s' if len(failed) != 1 else ''} queued again"
                          + (f"; {skipped} not failed, left as they were" if skipped else "") + ".",
                          messages.SUCCESS if failed else messages.WARNING)

    def has_retry_permission(self, request):
        return request.user.has_perm("jobs.retry_job")


@admin.register(StoredPack)
class StoredPackAdmin(admin.ModelAdmin):
    list_display = ("filename", "force", "period", "mode", "file_format", "drafts", "size", "built", "build_seconds")
    list_filter = ("file_format", "mode", "drafts", "force")
    exclude = ("content",)
    readonly_fields = [f.name for f in StoredPack._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# django_rq is installed whatever the backend (one schema for both), and registers its queue dashboard in the
# admin; on the database queue there is no RQ to show, and the page would fail (it asks Redis): the jobs page
# above is the queue's page then.
if settings.JOBS_BACKEND != "rq":
    from django_rq.models import Dashboard

    if admin.site.is_registered(Dashboard):
        admin.site.unregister(Dashboard)
