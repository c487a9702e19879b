"""The quarterly grid page (admin): every measure of the force's plan by the
quarter's three months, filled in with the figures held, with the previous
month and the same month last year beside each cell, every problem and
warning beside its cell, and a count of what is filled. Server-rendered and
complete without scripts; static/js/grid.js adds paste from Excel and
spreadsheet keys.

Saving checks the cells by the return file's rules (file.check_rows) and
keeps them in the force's draft grid return (workflow.save_grid); "Save
and publish" publishes that draft too, by the one rule for publishing
(returns/confirmation.py): changes to published figures and warned figures
are shown old → new first, and published with one tick.

With ``?area=<code>`` the grid is one local area's: the measures the plan
breaks down by area (those with local figures for the force), that area's
figures and references, its own draft grid return, rows filed with the
``area`` column (docs/decisions.md, "The quarterly grid per local area").

Measures expecting no figure (a milestone, a measure reported in words:
`selectors.measures_expecting_no_figures`) are left out of the grid unless
``?all=1`` ("Show all measures") and never count towards its completeness.
A measure whose inputs the form does not carry keeps the figures held:
a row left out is never read as emptied (issue 28, item 2)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from indicators import periods, selectors
from indicators.access.permissions import write_refusal
from indicators.models import Force, Observation
from indicators.returns import grid as rules
from indicators.returns.confirmation import confirmation
from indicators.returns.figure_warnings import find_warnings, reference_figures, reference_months
from indicators.returns.file import (
    COLUMNS,
    COLUMNS_WITH_AREA,
    STATUSES,
    Problem,
    ReturnFileError,
    check_rows,
    format_cell,
)
from indicators.returns.workflow import (
    ReturnError,
    StaleDraft,
    catalogue_for,
    preview,
    publish_return,
    save_grid,
    stale_conflicts,
)

TEMPLATE = "admin/indicators/return/grid.html"


def grid_view(admin, request, *, editable_forces, plan_indicators, current_values, parse_quarter_param):
    admin._require_add(request)
    forces = editable_forces(request.user)
    today = timezone.localdate()
    quarters = rules.plan_quarters(forces, today)
    can_publish = request.user.has_perm("indicators.publish_return")
    context = {**admin.admin_site.each_context(request), "opts": admin.model._meta, "title": "Quarterly return",
               "forces": forces, "quarters": [rules.quarter_key(*q) for q in quarters], "can_publish": can_publish,
               "statuses": STATUSES}
    slug, quarter = request.GET.get("force"), request.GET.get("quarter")
    if not slug or not quarter:
        picked = forces.filter(slug=slug).first() if slug else forces.first()
        default = rules.default_quarter(picked, quarters, today) if picked else None
        context.update(picked_force=picked, quarter=rules.quarter_key(*default) if default else "",
                       local_areas=local_area_choices(picked))
        return TemplateResponse(request, TEMPLATE, context)
    force = forces.filter(slug=slug).first()
    if force is None:
        other = Force.objects.filter(slug=slug).first()
        if other is None:
            raise PermissionDenied
        # Another force's grid: say whose figures they are (issue 24, item 1), show and save nothing.
        context.update(picked_force=None, write_refused=write_refusal(request.user, other)
                       or f"{other.name} has no plan, so it has no quarterly grid; file its figures with a file")
        return TemplateResponse(request, TEMPLATE, context, status=403)
    local_areas = local_area_choices(force)
    context.update(picked_force=force, local_areas=local_areas)
    area = None
    if request.GET.get("area"):
        area = selectors.local_area_by_code(force=force, code=request.GET["area"])
        if area is None:
            raise Http404(f"{force.name} has no local area {request.GET['area']!r}")
    context["area"] = area
    months = parse_quarter_param(quarter)
    if quarter not in context["quarters"]:
        # Only the quarters the picker offers (those of the plans, none in the future): a typed URL
        # for another quarter would show, and save, figures for months no plan covers.
        context.update(quarter=quarter, quarter_refused=quarter)
        return TemplateResponse(request, TEMPLATE, context, status=400)
    indicators, values = quarter_figures(force, area, months, plan_indicators, current_values)
    area_id = area.id if area else None
    not_expected = selectors.measures_expecting_no_figures(indicator_ids=[i.id for i in indicators],
                                                           financial_year=periods.financial_year(months[-1]))
    show_all = request.GET.get("all") == "1"
    context.update(show_all=show_all, switch_url=_switch_url(request, show_all))
    ended = rules.ended_plan(getattr(indicators, "plan", None), months)
    context.update(force=force, quarter=quarter, months=months,
                   plan_ended=rules.ended_words(force, ended) if ended else None)
    if request.method != "POST":
        grid = _grid_rows(indicators, months, values, None, area_id, not_expected)
        _annotate(grid, _held_warnings(grid, area_id), {})
        return _render(request, context, grid, rules.snapshot(grid))

    action = request.POST.get("action", "draft")
    if action not in ("check", "draft", "publish"):
        action = "draft"
    if action == "publish" and not can_publish:
        raise PermissionDenied
    with transaction.atomic():
        # One grid save of a force at a time: the snapshot compared below is the one written.
        list(Force.objects.select_for_update().filter(pk=force.pk).values_list("pk"))
        # The figures held now, read under the lock: another analyst's save may have landed since the page opened.
        values = area_values(force, area, indicators, months) if area else current_values(indicators, months)
        grid = _grid_rows(indicators, months, values, request.POST, area_id, not_expected)
        shown = rules.read_snapshot(request.POST.get("shown"))
        overtaken = rules.overtaken(shown, grid) if shown is not None else []
        if overtaken:
            errors = {o.key: [o.message()] for o in overtaken}
            _annotate(grid, [], errors)
            context["overtaken"] = overtaken
            return _render(request, context, grid, rules.snapshot(grid))
        errors = _withdrawals_without_a_note(grid, months, area_id)
        body, where = _grid_body(force, grid, area)
        problems: list[Problem] = []
        rows = []
        if not body and not errors:
            problems = [Problem(None, None, "the grid is empty: type or paste at least one figure, then save")]
        elif body:
            try:
                rows = check_rows(COLUMNS_WITH_AREA if area else COLUMNS, body, catalogue_for(request.user),
                                  today=timezone.localdate())
            except ReturnFileError as exc:
                problems = exc.problems
        placed = _grid_errors(problems, where)
        for key, messages_ in placed.items():
            errors.setdefault(key, []).extend(messages_)
        if errors or problems:
            context["problems"] = [p for p in problems if p.row not in where]
            context["problem_count"] = len(context["problems"]) + sum(len(v) for v in errors.values())
            _annotate(grid, [], errors)
            return _render(request, context, grid, request.POST.get("shown", ""))
        # Warnings only of the figures this save changes: a warned figure published already (and left
        # as it was) is not published again, so it is neither shown nor confirmed, as on the review page.
        changing = {(c.row.indicator_id, c.row.month) for c in preview(rows) if c.kind != "unchanged"}
        warnings = [w for w in find_warnings(rows) if (w.indicator_id, w.month) in changing]
        _annotate(grid, warnings, {})
        if action == "check":
            context["checked"] = True
            return _render(request, context, grid, request.POST.get("shown", ""))
        confirm = None
        if action == "publish":
            # The one rule (returns/confirmation.py): changes to published figures and warned figures are
            # shown old → new, and published only with the one tick; nothing is saved until then.
            anchors = {(row["indicator"].id, c["month"]): f"{'numerator' if row['ratio'] else 'value'}-{c['key']}"
                       for row in grid for c in row["cells"]}
            confirm = confirmation(rows, request.POST, anchor=lambda i, m: anchors.get((i, m), ""))
            if not confirm.ok:
                context["confirm"] = confirm
                return _render(request, context, grid, request.POST.get("shown", ""))
        ret, summary = save_grid(force, quarter, rows, request.user, area=area)
    label = f"{force.name}{f', {area.name}' if area else ''} {quarter}"
    if ret is None:
        admin.message_user(request, f"{label}: {summary.nothing_changed_message()}.", messages.INFO)
        return redirect(request.get_full_path())
    url = reverse("admin:indicators_return_review", args=[ret.pk])
    noted = f" {len(warnings)} warning{'s' if len(warnings) != 1 else ''}: see beside the cells." if warnings else ""
    if action == "publish":
        try:
            result = publish_return(ret, user=request.user,
                                    confirm=[c.key for c in stale_conflicts(ret) if confirm.confirms(c)])
        except StaleDraft as exc:
            admin.message_user(request, format_html(
                "{}: saved in draft <a href=\"{}\">return #{}</a> but not published: {}", label, url, ret.pk, exc),
                messages.ERROR)
            return redirect(request.get_full_path())
        except ReturnError as exc:
            admin.message_user(request, f"{label}: saved as a draft but not published: {exc}", messages.ERROR)
            return redirect(request.get_full_path())
        admin.message_user(request, format_html(
            "{}: published from <a href=\"{}\">return #{}</a>: {} new, {} changed, {} unchanged.{}", label, url,
            ret.pk, result["new"], result["changed"], result["unchanged"], noted), messages.SUCCESS)
        return redirect(request.get_full_path())
    held = ret.lines.count()
    admin.message_user(request, format_html(
        "{}: {} figure{} saved in draft <a href=\"{}\">return #{}</a> ({}).{} Review it, then submit or publish.",
        label, held, "" if held == 1 else "s", url, ret.pk, " ".join(summary.lines()), noted), messages.SUCCESS)
    return redirect(request.get_full_path())


def local_area_choices(force) -> list[tuple[str, str]]:
    """The force's local areas as the picker offers them: (code, name). One query."""
    if force is None:
        return []
    frame = selectors.local_area_frame(force=force)
    return list(zip(frame["area_code"], frame["area_name"]))


def quarter_figures(force, area, months, plan_indicators, current_values) -> tuple[list, dict]:
    """The measures a quarter's grid shows and the figures held for them, by
    (indicator id, month): the force's plan measures and the force's own
    figures; with ``area``, the measures the plan breaks down by area (those
    with a local figure) and that area's figures. The grid and the quarter
    status page both use it."""
    indicators = plan_indicators(force, months[-1])
    if area is None:
        return indicators, current_values(indicators, months)
    broken_down = selectors.indicator_ids_with_area_figures(force=force)
    kept = [ind for ind in indicators if ind.id in broken_down]
    if hasattr(indicators, "plan"):
        kept = type(indicators)(kept)
        kept.plan = indicators.plan
    return kept, area_values(force, area, kept, months)


def area_values(force, area, indicators, months) -> dict:
    """One local area's figures, published with unpublished lines laid over
    them, by (indicator id, month), as ``current_values`` gives the force's."""
    ids = {ind.id for ind in indicators}
    frame = selectors.area_observation_frame(force=force, start=months[0], end=months[-1], include_drafts=True)
    return {(r["indicator_id"], r["month"]): r for r in frame.to_dict("records")
            if r["area_id"] == area.id and r["indicator_id"] in ids}


def _switch_url(request, show_all: bool) -> str:
    """The grid's own address with "Show all measures" switched the other way."""
    query = request.GET.copy()
    if show_all:
        query.pop("all", None)
    else:
        query["all"] = "1"
    return f"{request.path}?{query.urlencode()}"


def _cell_words(row, cell) -> str:
    return f"{row['indicator'].name}, {periods.month_label(cell['month'])}"


def _anchor(row, cell) -> str:
    return f"{'numerator' if row['ratio'] else 'value'}-{cell['key']}"


def _render(request, context, grid, shown):
    # irregular measures: entered by file only (SPEC §6), listed above the grid, no row in it
    context["file_only"] = [row["indicator"] for row in grid if row["file_only"]]
    grid = [row for row in grid if not row["file_only"]]
    counts = rules.filled_counts(grid)
    hidden = [] if context.get("show_all") else [row for row in grid if rules.hidden_by_default(row)]
    if hidden:
        grid = [row for row in grid if row not in hidden]
    context.update(hidden=[row["indicator"] for row in hidden], number_rules=rules.NUMBER_RULES,
                   # for the paste by name: a pasted row of a measure left out is named as such, not as unknown
                   hidden_names=[[row["indicator"].name, row["indicator"].code] for row in hidden],
                   not_expected_count=sum(bool(row["not_expected"]) for row in grid) + len(hidden),
                   # every problem with a cell, linked to it (as the warnings are), for the summary at the top
                   cell_problems=[{"cell": _cell_words(row, c), "message": e, "anchor": _anchor(row, c)}
                                  for row in grid for c in row["cells"] for e in c["errors"]])
    context.update(grid=grid, shown=shown, counts=counts,
                   warnings=[{"key": rules.warning_key(w), "cell": _cell_words(row, c), "message": w.message,
                              "anchor": _anchor(row, c)}
                             for row in grid for c in row["cells"] for w in c["warning_objects"]])
    return TemplateResponse(request, TEMPLATE, context)



# --- the cells ----------------------------------------------------------------------------------------------

def _display(ind, held: dict) -> dict:
    """A held figure as the grid's inputs show it (strings)."""
    ratio = ind.aggregation in ("ratio", "weighted-mean")
    return {"value": format_cell(held.get("value")) if not ratio or held.get("numerator") is None else "",
            "numerator": format_cell(held.get("numerator")), "denominator": format_cell(held.get("denominator")),
            "status": held.get("status") or "", "note": held.get("note") or ""}


def _frequency(ind) -> str:
    return getattr(ind, "frequency", None) or "monthly"


def _length(ind) -> int:
    """How many months a grid cell's figure of ``ind`` covers."""
    return {"quarterly": getattr(ind, "covers", None) or 3, "annual": 12}.get(_frequency(ind), 1)


def _grid_rows(indicators, months, values, posted, area_id=None, not_expected=None) -> list[dict]:
    """A row per measure: ``cells``, the months it takes a figure in (SPEC §6:
    a quarterly measure its quarter's end, an annual one March, an irregular
    one none) and ``columns``, a place per month of the quarter, its cell or
    the words why it has none; ``not_expected``, why the measure expects no
    figure ("" when it does). A measure expecting no figure whose inputs the
    form does not carry at all (the grid left its row out) keeps the figures
    held: it is not read as emptied. (Any other measure missing from a post is
    read as empty, as before: the grid always shows it.)"""
    not_expected = not_expected or {}
    open_months = {ind.id: rules.entry_months(_frequency(ind), months) for ind in indicators}
    references = reference_figures({(ind.id, m) for ind in indicators for m in open_months[ind.id]}, area_id,
                                   {ind.id: _length(ind) for ind in indicators})
    grid = []
    for ind in indicators:
        ratio = ind.aggregation in ("ratio", "weighted-mean")
        left_out = posted is not None and ind.id in not_expected and not any(
            f"{name}-{ind.id}-{periods.format_month(m)}" in posted for name in rules.FIELDS for m in open_months[ind.id])
        cells = []
        columns = []
        for month in months:
            if month not in open_months[ind.id]:
                columns.append({"closed": rules.closed_words(_frequency(ind), month, months), "month": month})
                continue
            key = f"{ind.id}-{periods.format_month(month)}"
            current = values.get((ind.id, month), {})
            held = _display(ind, current) if current else {f: "" for f in rules.FIELDS}
            if left_out:
                cell = dict(held)                          # not in the form: nothing of it is changed
            elif posted is not None:
                cell = {name: posted.get(f"{name}-{key}", "").strip() for name in rules.FIELDS}
                cell["value"] = rules.normalise_number(cell["value"], ind.unit)
                for part in ("numerator", "denominator"):
                    cell[part] = rules.normalise_number(cell[part], "count")
                if not ratio and cell["value"]:
                    # the grid has no inputs for a non-ratio figure's parts: keep those held
                    cell.update(numerator=format_cell(current.get("numerator")),
                                denominator=format_cell(current.get("denominator")))
            else:
                cell = dict(held)
            refs = [(label.removeprefix("the ").capitalize(), m, references[(ind.id, m)]) for label, m in
                    reference_months(month, _length(ind)) if references.get((ind.id, m)) is not None]
            cell.update({"key": key, "month": month, "held": held, "held_value": current.get("value"),
                         "held_figure": {f: _plain(current.get(f)) for f in rules.FIELDS} if current else None,
                         "first_month": rules.span_first(_frequency(ind), month, getattr(ind, "covers", None)),
                         "refs": [(label, m, _show(v, ind)) for label, m, v in refs],
                         "errors": [], "warnings": [], "warning_objects": []})
            cells.append(cell)
            columns.append(cell)
        grid.append({"indicator": ind, "ratio": ratio, "headline": getattr(ind, "headline", False),
                     "cells": cells, "columns": columns, "frequency": _frequency(ind),
                     "file_only": _frequency(ind) == "irregular", "not_expected": not_expected.get(ind.id, "")})
    return grid


def _plain(value):
    """A frame's cell as the checks read it: None for a missing number (pandas gives NaN)."""
    if value is None or isinstance(value, float) and value != value:
        return None
    return float(value) if hasattr(value, "dtype") else value


def _show(value: float, ind) -> str:
    decimals = max(0, min(int(getattr(ind, "decimals", 0) or 0), 4))
    text = f"{value:,.{decimals}f}" if not float(value).is_integer() or decimals == 0 else f"{value:,.0f}"
    return f"{text} %" if ind.unit == "percent" or ind.aggregation == "ratio" else text


def _held_warnings(grid, area_id=None):
    """Warnings of the figures the grid shows that publishing would change
    (those a draft holds): a published figure is not warned about again."""
    figures = [SimpleNamespace(indicator_id=row["indicator"].id, area_id=area_id, month=c["month"],
                               first_month=c["first_month"],
                               **{**c["held_figure"], "status": c["held_figure"]["status"] or "final"})
               for row in grid for c in row["cells"] if c["held_figure"] is not None]
    changing = {(c.row.indicator_id, c.row.month) for c in preview(figures) if c.kind != "unchanged"}
    return [w for w in find_warnings(figures) if (w.indicator_id, w.month) in changing]


def _annotate(grid, warnings, errors: dict) -> None:
    by_cell: dict = {}
    for w in warnings:
        by_cell.setdefault(f"{w.indicator_id}-{periods.format_month(w.month)}", []).append(w)
    for row in grid:
        for cell in row["cells"]:
            cell["errors"] = errors.get(cell["key"], []) + errors.get((row["indicator"].id, cell["month"]), [])
            cell["warning_objects"] = by_cell.get(cell["key"], [])
            cell["warnings"] = [w.message for w in cell["warning_objects"]]
            ids = [f"ref-{cell['key']}"] if cell["refs"] else []
            ids += [f"warn-{cell['key']}"] if cell["warnings"] else []
            ids += [f"err-{cell['key']}"] if cell["errors"] else []
            cell["describedby"] = " ".join(ids)


def _withdrawals_without_a_note(grid, months, area_id=None) -> dict:
    """A published figure whose cell was emptied stays published unless it is
    withdrawn (status unavailable, with a note saying why): say so beside the
    cell rather than keep the old figure silently."""
    emptied = [(row, c) for row in grid for c in row["cells"]
               if any(c["held"][f] for f in ("value", "numerator", "denominator"))
               and not any(c[f] for f in ("value", "numerator", "denominator", "note"))
               and c["status"] in ("", "final", "provisional")]
    if not emptied:
        return {}
    published = {(o["indicator_id"], o["month"]): o for o in Observation.objects.filter(
        indicator_id__in={row["indicator"].id for row, _ in emptied}, area_id=area_id, month__in=months,
        value__isnull=False)
        .values("indicator_id", "month", *rules.FIELDS)}
    out = {}
    for row, c in emptied:
        held = published.get((row["indicator"].id, c["month"]))
        if held is None:
            continue
        shown = rules.describe_fields([c["held"][f] for f in rules.FIELDS])
        public = rules.describe_fields([format_cell(held[f]) if f in ("value", "numerator", "denominator")
                                        else held[f] or "" for f in rules.FIELDS])
        # The cell may have shown a draft's figure: name the published one, which is what stays.
        emptied_what = (f"the published figure {public}" if shown == public
                        else f"the draft figure {shown}; the published figure is {public}")
        out[c["key"]] = [f"value: you emptied {emptied_what}, which stays published unless withdrawn: set the "
                         "status to unavailable and say why in the note, or type the figure back"]
    return out


def _grid_body(force, grid, area=None):
    """The grid as file rows (so it is checked by exactly the same rules; a
    local area's grid fills the ``area`` column), and where each row came from."""
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
                                  cell["note"], *([area.code] if area else [])]))
            where[number] = (row["indicator"].id, cell["month"])
    return body, where


def _grid_errors(problems: list[Problem], where) -> dict:
    """Each problem beside the grid cell of its row."""
    errors: dict = {}
    for problem in problems:
        if problem.row in where:
            errors.setdefault(where[problem.row], []).append(
                (f"{problem.column}: " if problem.column else "") + rules.grid_message(problem.message))
    return errors
