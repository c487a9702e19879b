"""Admin pages for returns: the quarterly grid, file import with preview,
and the pre-filled template download."""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from indicators import periods, selectors
from indicators.access.permissions import can_edit, editable_force_ids
from indicators.models import Force, Plan
from indicators.returns.file import (
    COLUMNS,
    COLUMNS_WITH_AREA,
    STATUSES,
    Problem,
    ReturnFileError,
    check_rows,
    format_cell,
    read_table,
    too_large,
)
from indicators.returns.workflow import (
    ReturnError,
    StaleDraft,
    catalogue_for,
    preview,
    publish_return,
    save_grid,
    stage,
    summarise,
)

UPLOADS = Path(tempfile.gettempdir()) / "pccperf-uploads"
UPLOAD_TTL = 24 * 3600
PREVIEW_ROWS = 200


def editable_forces(user):
    ids = editable_force_ids(user)
    qs = Force.objects.filter(plans__isnull=False).distinct().order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def quarter_choices(today: date, forces) -> list[tuple[str, str]]:
    """Quarters from the start of the forces' earliest plan (at most ten
    years back) to the current one, newest first."""
    current = periods.fy_start_year(today), periods.quarter_number(today)
    first = Plan.objects.filter(force__in=forces).aggregate(first=Min("start"))["first"]
    first_fy = max(periods.fy_start_year(first) if first else current[0] - 4, current[0] - 10)
    out = []
    for fy in range(current[0], first_fy - 1, -1):
        for q in range(4, 0, -1):
            if (fy, q) <= current:
                out.append((f"{periods.fy_label(fy)} Q{q}", f"{periods.fy_label(fy)} Q{q}"))
    return out


def parse_quarter_param(raw: str | None) -> list[date]:
    try:
        fy, q = periods.parse_quarter(raw or "")
    except ValueError as exc:
        raise Http404(str(exc)) from None
    return periods.quarter_months(fy, q)


def plan_indicators(force: Force, month: date):
    plan = selectors.plan_for(force=force, period=month)
    if plan is None:
        return []
    seen, out = set(), []
    for area in plan.areas.all():
        for priority in area.priorities.all():
            for measure in priority.measures.all():
                if measure.indicator_id not in seen:
                    seen.add(measure.indicator_id)
                    measure.indicator.force = force
                    out.append(measure.indicator)
    return out


def current_values(indicators, months) -> dict:
    """Published figures with unpublished lines laid over them, by (indicator id, month)."""
    frame = selectors.observation_frame(indicator_ids=[i.id for i in indicators], start=months[0], end=months[-1],
                                        include_drafts=True)
    return {(r["indicator_id"], r["month"]): r for r in frame.to_dict("records")}


def template_rows(force: Force, months: list[date]) -> list[list[str]]:
    indicators = plan_indicators(force, months[-1])
    values = current_values(indicators, months)
    rows = []
    for ind in indicators:
        for month in months:
            v = values.get((ind.id, month), {})
            rows.append([force.slug, ind.code, periods.format_month(month), format_cell(v.get("value")),
                         format_cell(v.get("numerator")), format_cell(v.get("denominator")), v.get("status") or "",
                         v.get("note") or "", ""])
    return rows + area_template_rows(force, indicators, months)


def area_template_rows(force: Force, indicators, months: list[date]) -> list[list[str]]:
    """The template's rows for local areas (the ninth column, ``area``): each
    local area of the force for each measure the plan breaks down by area
    (one that has local figures), pre-filled like the force's rows."""
    broken_down = selectors.indicator_ids_with_area_figures(force=force)
    measures = [ind for ind in indicators if ind.id in broken_down]
    if not measures:
        return []
    areas = selectors.local_area_frame(force=force)
    frame = selectors.area_observation_frame(force=force, start=months[0], end=months[-1], include_drafts=True)
    values = {(r["indicator_id"], r["area_id"], r["month"]): r for r in frame.to_dict("records")}
    rows = []
    for ind in measures:
        for area_id, code in zip(areas["area_id"], areas["area_code"]):
            for month in months:
                v = values.get((ind.id, area_id, month), {})
                rows.append([force.slug, ind.code, periods.format_month(month), format_cell(v.get("value")),
                             format_cell(v.get("numerator")), format_cell(v.get("denominator")),
                             v.get("status") or "", v.get("note") or "", code])
    return rows


class ReturnViews:
    """Mixed into ReturnAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="indicators_return_import"),
            path("grid/", wrap(self.grid_view), name="indicators_return_grid"),
            path("template/", wrap(self.template_view), name="indicators_return_template"),
        ] + super().get_urls()

    def _require_add(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

    # --- template -----------------------------------------------------------

    def template_view(self, request):
        self._require_add(request)
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
            sheet.append(COLUMNS_WITH_AREA)
            for row in rows:
                sheet.append([float(c) if i in (3, 4, 5) and c else c for i, c in enumerate(row)])
            for column in sheet.iter_cols(min_col=3, max_col=3, min_row=2):
                for cell in column:
                    cell.number_format = "@"       # keep 2013-04 as text, not a date
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(buffer.getvalue(), content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response, lineterminator="\r\n")
        writer.writerow(COLUMNS_WITH_AREA)
        writer.writerows(rows)
        return response

    # --- import -------------------------------------------------------------

    def import_view(self, request):
        self._require_add(request)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Import a return file",
                   "forces": editable_forces(request.user), "quarters": quarter_choices(timezone.localdate(), editable_forces(request.user)),
                   "can_publish": request.user.has_perm("indicators.publish_return"),
                   "template_url": reverse("admin:indicators_return_template")}
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, context)
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                context["problems"] = [Problem(None, None, "choose a CSV or XLSX file to upload")]
            elif too_large(upload.size):
                context["problems"] = [too_large(upload.size)]       # refused before reading
            else:
                data = upload.read()
                skipped: list[int] = []
                result = self._check(request, data, upload.name, skipped)
                if isinstance(result, ReturnFileError):
                    context.update(problems=result.problems, problem_total=result.total)
                else:
                    token = self._keep(request, data, upload.name)
                    changes = preview(result)
                    context.update({
                        "token": token, "filename": upload.name, "rows": len(result), "skipped": len(skipped),
                        "summary": summarise(changes).lines(),
                        "changes": [c for c in changes if c.kind != "unchanged"][:PREVIEW_ROWS],
                        "more": max(0, len([c for c in changes if c.kind != "unchanged"]) - PREVIEW_ROWS),
                    })
        return TemplateResponse(request, "admin/indicators/return/import.html", context)

    def _check(self, request, data: bytes, name: str, skipped: list | None = None) -> list | ReturnFileError:
        """The file's checked rows, or the error listing its problems."""
        try:
            header, body = read_table(data, name)
            return check_rows(header, body, catalogue_for(request.user), today=timezone.localdate(),
                              skipped=skipped)
        except ReturnFileError as exc:
            return exc

    def _keep(self, request, data: bytes, name: str) -> str:
        UPLOADS.mkdir(exist_ok=True, mode=0o700)
        now = time.time()
        for old in UPLOADS.iterdir():
            if now - old.stat().st_mtime > UPLOAD_TTL:
                old.unlink(missing_ok=True)
        token = f"{request.user.pk}-{secrets.token_hex(16)}"
        (UPLOADS / token).write_bytes(data)
        (UPLOADS / f"{token}.name").write_text(name)
        return token

    def _confirm_import(self, request, context):
        token = request.POST.get("token", "")
        if not token.startswith(f"{request.user.pk}-") or "/" in token or not (UPLOADS / token).exists():
            context["problems"] = [Problem(None, None, "the upload has expired; please upload it again")]
            return TemplateResponse(request, "admin/indicators/return/import.html", context)
        data = (UPLOADS / token).read_bytes()
        name = (UPLOADS / f"{token}.name").read_text()
        rows = self._check(request, data, name)           # again: the data may have changed since the preview
        if isinstance(rows, ReturnFileError):
            context.update(problems=rows.problems, problem_total=rows.total)
            return TemplateResponse(request, "admin/indicators/return/import.html", context)
        publish = request.POST.get("publish") == "1"
        if publish and not request.user.has_perm("indicators.publish_return"):
            raise PermissionDenied
        summary = stage(rows, user=request.user, source=name, publish=publish)
        for f in (UPLOADS / token, UPLOADS / f"{token}.name"):
            f.unlink(missing_ok=True)
        if summary.nothing_changed:
            self.message_user(request, f"{name}: {summary.nothing_changed_message()}.", messages.INFO)
            return redirect(reverse("admin:indicators_return_changelist"))
        state = "published" if publish else "saved as a draft"
        self.message_user(request, f"{name}: {len(rows):,} figures {state} in return "
                                   f"{', '.join('#' + str(r.pk) for r in summary.returns)}. "
                          + " ".join(summary.lines()), messages.SUCCESS)
        if len(summary.returns) == 1:
            return redirect(reverse("admin:indicators_return_change", args=[summary.returns[0].pk]))
        return redirect(reverse("admin:indicators_return_changelist"))

    # --- publish, confirming a stale draft's conflicts ------------------------

    def publish_selected(self, request, queryset):
        """The publish action. A stale draft is not published; its conflicts
        are shown with one checkbox each, and the draft is published when
        the form comes back with every one ticked (SPEC §4)."""
        ticked = set(request.POST.getlist("confirm_stale"))
        refused: list[StaleDraft] = []
        for ret in queryset.select_related("force"):
            confirm = {key.split("|", 1)[1] for key in ticked if key.startswith(f"{ret.pk}|")}
            try:
                result = publish_return(ret, user=request.user, confirm=confirm)
            except StaleDraft as exc:
                refused.append(exc)
                continue
            except ReturnError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            self.message_user(request, f"Return {ret.pk} ({ret.force.slug} {ret.period}) published: {result['new']} "
                                       f"new, {result['changed']} changed, {result['unchanged']} unchanged.")
        if not refused:
            return None
        if "stale_form" in request.POST:
            for exc in refused:
                self.message_user(request, f"Return {exc.ret.pk} ({exc.ret.force.slug} {exc.ret.period}) was not "
                                           f"published: tick each conflict to overwrite the figure published since.",
                                  messages.ERROR)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Publish older figures over newer ones?", "refused": refused,
                   "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/indicators/return/publish_confirm.html", context)

    # --- grid ---------------------------------------------------------------

    def grid_view(self, request):
        self._require_add(request)
        forces = editable_forces(request.user)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Quarterly return", "forces": forces,
                   "quarters": quarter_choices(timezone.localdate(), forces)}
        slug, quarter = request.GET.get("force"), request.GET.get("quarter")
        if not slug or not quarter:
            return TemplateResponse(request, "admin/indicators/return/grid.html", context)
        force = forces.filter(slug=slug).first()
        if force is None:
            raise PermissionDenied
        months = parse_quarter_param(quarter)
        indicators = plan_indicators(force, months[-1])
        values = current_values(indicators, months)
        errors: dict = {}
        posted = request.POST if request.method == "POST" else None
        grid = _grid_rows(indicators, months, values, posted)
        if posted is not None:
            body, where = _grid_body(force, grid)
            try:
                rows = check_rows(COLUMNS, body, catalogue_for(request.user), today=timezone.localdate())
            except ReturnFileError as exc:
                errors = _grid_errors(exc.problems, where)
                context["problems"] = exc.problems
            else:
                ret, summary = save_grid(force, quarter, rows, request.user)
                if ret is None:
                    self.message_user(request, f"{force.name} {quarter}: {summary.nothing_changed_message()}.",
                                      messages.INFO)
                    return redirect(request.get_full_path())
                self.message_user(request, f"{force.name} {quarter}: {ret.lines.count()} figures saved in draft "
                                           f"return #{ret.pk} ({' '.join(summary.lines())}). Review it, then submit "
                                           "or publish.", messages.SUCCESS)
                return redirect(reverse("admin:indicators_return_change", args=[ret.pk]))
        for row in grid:
            for cell in row["cells"]:
                cell["errors"] = errors.get((row["indicator"].id, cell["month"]), [])
        context.update({"force": force, "quarter": quarter, "months": months, "grid": grid,
                        "statuses": STATUSES})
        return TemplateResponse(request, "admin/indicators/return/grid.html", context)


def _grid_rows(indicators, months, values, posted) -> list[dict]:
    grid = []
    for ind in indicators:
        cells = []
        for month in months:
            key = f"{ind.id}-{periods.format_month(month)}"
            current = values.get((ind.id, month), {})
            if posted is not None:
                cell = {name: posted.get(f"{name}-{key}", "").strip() for name in ("value", "numerator",
                                                                                   "denominator", "status", "note")}
                if ind.aggregation != "ratio" and cell["value"]:
                    # the grid has no inputs for a non-ratio figure's parts: keep those held
                    cell.update(numerator=format_cell(current.get("numerator")),
                                denominator=format_cell(current.get("denominator")))
            else:
                cell = {"value": format_cell(current.get("value")) if ind.aggregation != "ratio" or
                        current.get("numerator") is None else "",
                        "numerator": format_cell(current.get("numerator")), "denominator": format_cell(current.get("denominator")),
                        "status": current.get("status") or "", "note": current.get("note") or ""}
            cell.update({"key": key, "month": month})
            cells.append(cell)
        grid.append({"indicator": ind, "ratio": ind.aggregation == "ratio", "cells": cells})
    return grid


def _grid_body(force, grid):
    """The grid as file rows (so it is checked by exactly the same rules),
    and where each row came from."""
    body, where = [], {}
    number = 1
    for row in grid:
        for cell in row["cells"]:
            if not any(cell[k] for k in ("value", "numerator", "denominator", "note")) and \
                    cell["status"] in ("", "final"):
                continue                                   # an empty cell is no figure
            number += 1
            body.append((number, [force.slug, row["indicator"].code, periods.format_month(cell["month"]),
                                  cell["value"], cell["numerator"], cell["denominator"], cell["status"],
                                  cell["note"]]))
            where[number] = (row["indicator"].id, cell["month"])
    return body, where


def _grid_errors(problems: list[Problem], where) -> dict:
    """Each problem beside the grid cell of its row."""
    errors: dict = {}
    for problem in problems:
        if problem.row in where:
            errors.setdefault(where[problem.row], []).append(
                (f"{problem.column}: " if problem.column else "") + problem.message)
    return errors
