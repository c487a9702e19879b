"""Admin pages for returns: the quarterly grid, file import with preview,
and the pre-filled template download."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from indicators import periods, selectors
from indicators.access.permissions import can_edit, editable_force_ids
from indicators.admin import grid as grid_page
from indicators.models import Force
from indicators.returns import grid as grid_rules
from indicators.returns import jobs as import_jobs
from indicators.returns import pending
from indicators.returns.confirmation import confirmation
from indicators.returns.figure_warnings import find_warnings
from indicators.returns.file import (
    TEMPLATE_COLUMNS,
    Problem,
    ReturnFileError,
    check_rows,
    format_cell,
    read_table,
    too_large,
)
from indicators.returns.workflow import (
    catalogue_for,
    preview,
    stage,
    summarise,
)
from jobs.models import Job

PREVIEW_ROWS = 200


def editable_forces(user):
    ids = editable_force_ids(user)
    qs = Force.objects.filter(plans__isnull=False).distinct().order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def quarter_choices(today: date, forces) -> list[tuple[str, str]]:
    """Every quarter of the forces' plans (first plan's start to last plan's
    end), none after the current one, newest first."""
    return [(grid_rules.quarter_key(*q),) * 2 for q in grid_rules.plan_quarters(forces, today)]


def import_defaults(forces, today: date) -> tuple[Force | None, str]:
    """The force and quarter the import page's template picker opens on: the
    user's first force and the quarter to file next, as the grid and the
    quarter status open on (returns/grid.py ``default_quarter``), not the
    newest quarter of the plan."""
    from indicators.admin.review import _quarter_to_file  # review imports this module

    force = forces.first()
    return force, (_quarter_to_file(force, forces, today) if force else "")


def parse_quarter_param(raw: str | None) -> list[date]:
    try:
        fy, q = periods.parse_quarter(raw or "")
    except ValueError as exc:
        raise Http404(str(exc)) from None
    return periods.quarter_months(fy, q)


class PlanMeasures(list):
    """The indicators of a plan's measures, in the plan's order, with the plan
    they come from (``plan``; None without one)."""
    plan = None


def plan_indicators(force: Force, month: date) -> PlanMeasures:
    plan = selectors.plan_for(force=force, period=month)
    out = PlanMeasures()
    out.plan = plan
    if plan is None:
        return out
    seen = set()
    for area in plan.areas.all():
        for priority in area.priorities.all():
            for measure in priority.measures.all():
                if measure.indicator_id not in seen:
                    seen.add(measure.indicator_id)
                    measure.indicator.force = force
                    measure.indicator.headline = measure.headline
                    out.append(measure.indicator)
    return out


def current_values(indicators, months) -> dict:
    """Published figures with unpublished lines laid over them, by (indicator id, month)."""
    frame = selectors.observation_frame(indicator_ids=[i.id for i in indicators], start=months[0], end=months[-1],
                                        include_drafts=True)
    return {(r["indicator_id"], r["month"]): r for r in frame.to_dict("records")}


def _preview_context(rows, token: str, name: str, skipped: int) -> dict:
    """What the import preview shows of checked ``rows``: the changes, and the
    warnings (SPEC §4) with the keys "I have checked these figures" confirms."""
    changes = preview(rows)
    changed = [c for c in changes if c.kind != "unchanged"]
    return {"token": token, "filename": name, "rows": len(rows), "skipped": skipped,
            "summary": summarise(changes).lines(), "changes": changed[:PREVIEW_ROWS],
            "more": max(0, len(changed) - PREVIEW_ROWS),
            "warnings": [(w, grid_rules.warning_key(w)) for w in find_warnings(rows)],
            # publishing at once follows the one rule (returns/confirmation.py): these need the tick
            "confirm": confirmation(rows, None)}


def _template_months(ind, months: list[date], held: set[date]) -> list[date]:
    """The months of the quarter a measure's template rows are for (SPEC §6):
    those it takes a figure in (grid_rules.entry_months), and for an
    irregular measure each month a figure held ends in, or else the quarter's
    last month, its ``from`` left for the analyst to fill."""
    frequency = getattr(ind, "frequency", None) or "monthly"
    if frequency == "irregular":
        return sorted(held) or months[-1:]
    return grid_rules.entry_months(frequency, months)


def _template_row(force: Force, ind, month: date, v: dict, area: str = "") -> list[str]:
    first = v.get("first_month")
    first = None if first is None or first != first else first            # a frame gives NaT/NaN for none
    return [force.slug, ind.code, periods.format_month(month), format_cell(v.get("value")),
            format_cell(v.get("numerator")), format_cell(v.get("denominator")), v.get("status") or "",
            v.get("note") or "", area, periods.format_month(first) if first else "", format_cell(v.get("lower")),
            format_cell(v.get("upper"))]


def template_rows(force: Force, months: list[date]) -> list[list[str]]:
    """The long template's rows, in TEMPLATE_COLUMNS: a row per measure and month
    it takes a figure in, pre-filled with the figures held."""
    indicators = plan_indicators(force, months[-1])
    values = current_values(indicators, months)
    rows = []
    for ind in indicators:
        held = {m for (i, m) in values if i == ind.id}
        for month in _template_months(ind, months, held):
            rows.append(_template_row(force, ind, month, values.get((ind.id, month), {})))
    return rows + area_template_rows(force, indicators, months)


def area_template_rows(force: Force, indicators, months: list[date]) -> list[list[str]]:
    """The template's rows for local areas (the ninth column, ``area``): each
    local area of the force for each measure the plan breaks down by area
    (one that has local figures), pre-filled like the force's rows."""
    measures, areas, frame = selectors.area_template_inputs(force=force, indicators=indicators, months=months)
    if not measures:
        return []
    values = {(r["indicator_id"], r["area_id"], r["month"]): r for r in frame.to_dict("records")}
    rows = []
    for ind in measures:
        for area_id, code in zip(areas["area_id"], areas["area_code"]):
            held = {m for (i, a, m) in values if i == ind.id and a == area_id}
            for month in _template_months(ind, months, held):
                rows.append(_template_row(force, ind, month, values.get((ind.id, area_id, month), {}), code))
    return rows


class ReturnViews:
    """Mixed into ReturnAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="indicators_return_import"),
            path("import/job/<int:job_id>/", wrap(self.import_job_view), name="indicators_return_import_job"),
            path("grid/", wrap(self.grid_view), name="indicators_return_grid"),
            path("template/", wrap(self.template_view), name="indicators_return_template"),
        ] + super().get_urls()

    def _require_add(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

    # --- template -----------------------------------------------------------

    def template_view(self, request):
        self._require_add(request)
        if request.GET.get("format") == "wide":         # measures × months (admin/review.py, returns/wide.py)
            return self.wide_template_view(request)
        force = Force.objects.filter(slug=request.GET.get("force")).first()
        if force is None or not can_edit(request.user, force):
            raise Http404("No such force, or not one of yours")
        months = parse_quarter_param(request.GET.get("quarter"))
        rows = template_rows(force, months)
        name = f"{force.slug}-return-{periods.quarter(months[0]).replace('/', '-').replace(' ', '-')}"
        if request.GET.get("format") == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "Return"
            sheet.append(TEMPLATE_COLUMNS)
            for row in rows:
                sheet.append([float(c) if i in (3, 4, 5, 10, 11) and c else c for i, c in enumerate(row)])
            for col in (3, 10):                    # month and from
                for column in sheet.iter_cols(min_col=col, max_col=col, min_row=2):
                    for cell in column:
                        cell.number_format = "@"   # keep 2013-04 as text, not a date
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(buffer.getvalue(), content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response, lineterminator="\r\n")
        writer.writerow(TEMPLATE_COLUMNS)
        writer.writerows(rows)
        return response

    # --- import -------------------------------------------------------------

    def import_view(self, request):
        self._require_add(request)
        forces = editable_forces(request.user)
        force, quarter = import_defaults(forces, timezone.localdate())
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Import a return file",
                   "forces": forces, "quarters": quarter_choices(timezone.localdate(), forces),
                   "force": force, "quarter": quarter, "template_format": "wide",
                   "can_publish": request.user.has_perm("indicators.publish_return"),
                   "template_url": reverse("admin:indicators_return_template")}
        if request.method == "POST" and "cancel" in request.POST:
            if pending.discard(user=request.user, token=request.POST.get("token", "")):
                self.message_user(request, "The upload was cancelled; nothing was imported.", messages.INFO)
            return redirect(reverse("admin:indicators_return_import"))
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, context)
        if request.method == "POST":
            upload = request.FILES.get("file")
            sent = _content_length(request)
            if upload is None and too_large(sent):
                # larger than the upload handler keeps in memory: no file was kept
                context["problems"] = [too_large(sent)]
            elif upload is None:
                context["problems"] = [Problem(None, None, "choose a CSV or XLSX file to upload")]
            elif too_large(upload.size):
                context["problems"] = [too_large(upload.size)]       # refused before reading
            elif not import_jobs.in_request(upload.size, upload.name, upload.read(4)):
                # a big file: kept at once and checked by a job, the analyst following its page
                upload.seek(0)
                job = import_jobs.queue_check(user=request.user, data=upload.read(), name=upload.name)
                return redirect(reverse("admin:indicators_return_import_job", args=[job.pk]))
            else:
                upload.seek(0)
                data = upload.read()
                skipped: list[int] = []
                result = self._check(request, data, upload.name, skipped)
                if isinstance(result, ReturnFileError):
                    context.update(problems=result.problems, problem_total=result.total)
                else:
                    token = pending.keep(user=request.user, data=data, name=upload.name,
                                         force_ids={row.force_id for row in result})
                    context.update(_preview_context(result, token, upload.name, len(skipped)))
        return TemplateResponse(request, "admin/indicators/return/import.html", context)

    def _check(self, request, data: bytes, name: str, skipped: list | None = None) -> list | ReturnFileError:
        """The file's checked rows, or the error listing its problems."""
        try:
            header, body = read_table(data, name)
            return check_rows(header, body, catalogue_for(request.user), today=timezone.localdate(),
                              skipped=skipped)
        except ReturnFileError as exc:
            return exc

    def _confirm_import(self, request, context):
        with transaction.atomic():
            upload = pending.find(user=request.user, token=request.POST.get("token", ""), lock=True)
            if upload is None:
                # Not this user's, already imported or cancelled, or older than a day.
                context["problems"] = [Problem(None, None, "no such upload waiting for you: it was imported or "
                                                           "cancelled already, or expired after a day; please "
                                                           "upload the file again")]
                return TemplateResponse(request, "admin/indicators/return/import.html", context, status=404)
            if not import_jobs.in_request(upload.size, upload.name, upload.data[:4]):
                if request.POST.get("publish") == "1" and not request.user.has_perm("indicators.publish_return"):
                    raise PermissionDenied
                job = import_jobs.queue_apply(user=request.user, upload=upload, post=request.POST)
                return redirect(reverse("admin:indicators_return_import_job", args=[job.pk]))
            return self._import(request, context, upload)

    def import_job_view(self, request, job_id: int):
        """A big file's check or import as its job goes (refreshing itself
        every 2 s, without scripts), then its outcome: the same preview and
        confirm as a small file's, its problems, or the import's message.
        Only the uploader sees it."""
        self._require_add(request)
        job = Job.objects.filter(pk=job_id, kind__in=(import_jobs.CHECK, import_jobs.APPLY),
                                 user=request.user).first() if request.user.is_authenticated else None
        if job is None:
            raise Http404("No such import of yours")
        name = job.params.get("name", "")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "job": job,
                   "title": f"Import a return file: {name}",
                   "can_publish": request.user.has_perm("indicators.publish_return"),
                   "import_url": reverse("admin:indicators_return_import")}
        result = job.result or {}
        if job.status in (Job.QUEUED, Job.RUNNING):
            context["job_waiting"] = True
        elif job.status == Job.FAILED:
            context["problems"] = ["the job stopped with an error (the operators can see it and retry it); "
                                   "nothing was written"]
        elif result.get("outcome") in ("preview", "confirm"):
            upload = import_jobs.upload_of(job)
            if upload is None:
                context["problems"] = [import_jobs.GONE]
            else:
                context.update(result["preview"], token=upload.token,
                               confirm_needed=result.get("confirm_needed"))
        elif result.get("outcome") == "imported":
            context.update(done_message=result["message"], done_url=result["url"])
        elif result.get("outcome") == "gone" and "message" in result:
            context.update(done_message=result["message"], done_url=reverse("admin:indicators_return_changelist"))
        else:
            context.update(problems=result.get("problems", []), problem_total=result.get("total"))
        return TemplateResponse(request, "admin/indicators/return/import.html", context)

    def _import(self, request, context, upload):
        data, name = upload.data, upload.name
        rows = self._check(request, data, name)           # again: the data may have changed since the preview
        if isinstance(rows, ReturnFileError):
            upload.delete()
            context.update(problems=rows.problems, problem_total=rows.total)
            return TemplateResponse(request, "admin/indicators/return/import.html", context)
        publish = request.POST.get("publish") == "1"
        if publish and not request.user.has_perm("indicators.publish_return"):
            raise PermissionDenied
        if publish:
            # the one rule: changed published figures and warned figures need "I have checked these figures"
            confirm = confirmation(rows, request.POST)
            if not confirm.ok:
                context.update(_preview_context(rows, upload.token, name, 0), confirm_needed=confirm.message(),
                               confirm=confirm)
                return TemplateResponse(request, "admin/indicators/return/import.html", context)
        summary = stage(rows, user=request.user, source=name, publish=publish)
        upload.delete()
        level, message, url = _outcome(summary, name, publish)
        self.message_user(request, message, messages.INFO if level == "info" else messages.SUCCESS)
        return redirect(url)

    # --- grid ---------------------------------------------------------------

    def grid_view(self, request):
        return grid_page.grid_view(self, request, editable_forces=editable_forces, plan_indicators=plan_indicators,
                                   current_values=current_values, parse_quarter_param=parse_quarter_param)


def _outcome(summary, name: str, publish: bool) -> tuple[str, str, str]:
    """(level, message, address) after an import: what the request shows for
    a small file and the apply job stores for a big one (returns/jobs.py)."""
    if summary.nothing_changed:
        return "info", f"Read {name}: {summary.nothing_changed_message()}.", reverse(
            "admin:indicators_return_changelist")
    state = "published" if publish else "saved as a draft"
    # Only new and changed figures go into the return: say how many, not the file's rows.
    kept, left = summary.kept, summary.figures - summary.kept
    # The message starts with the count: the admin capitalises a message's first letter, which
    # would misspell a file name put first (june.csv shown as "June.csv").
    message = (f"{kept:,} figure{'' if kept == 1 else 's'} from {name} {state} in return "
               f"{', '.join('#' + str(r.pk) for r in summary.returns)}"
               + (f"; {left:,} equal to the published figure{'' if left == 1 else 's'} "
                  "left out" if left else "") + ". " + " ".join(summary.lines()))
    if len(summary.returns) == 1:       # the analyst goes on to review and publish it
        return "success", message, reverse("admin:indicators_return_review", args=[summary.returns[0].pk])
    return "success", message, reverse("admin:indicators_return_changelist")


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
