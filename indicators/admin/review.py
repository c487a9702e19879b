"""Admin pages around a return (issue 15): the review before publishing
(figures old → new, warnings, stale conflicts, the draft writing that
publishes with it, Submit and Publish with a confirmation), the bulk publish
action's checks, the quarter's status per force, and the audit trail.

Permissions are the return admin's own: the review page shows a return the
user may read (else 404: ``ForceScoped.get_queryset``); Submit needs the
change permission on it (an analyst of its force), Publish the publish
permission and the force (``publish_return`` checks again); panel members
read published returns only; the quarter status and the audit trail are for
the force's analysts (and superusers) only, else 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from indicators import periods, selectors
from indicators.access.permissions import can_edit, editable_force_ids
from indicators.admin.grid import local_area_choices, quarter_figures
from indicators.admin.returns import current_values, parse_quarter_param, plan_indicators, quarter_choices
from indicators.engine.ratings import DEFAULT_METHOD
from indicators.models import Force, Observation, Plan, ReturnState
from indicators.returns import grid as grid_rules
from indicators.returns import wide
from indicators.returns.confirmation import confirmation, figure_words
from indicators.returns.figure_warnings import find_warnings
from indicators.returns.workflow import (
    FIELDS,
    ReturnError,
    StaleDraft,
    covered_months,
    publish_return,
    stale_conflicts,
    submit_return,
    unchanged,
)
from reports import formatting as fmt

KIND_WORDS = {"new": "New", "changed": "Changed", "unchanged": "Unchanged"}
AUDIT_LIMIT = 500              # changes listed on the audit trail page, newest first
DUE_WORKING_DAYS = 10          # figures are due this many working days before the panel meeting


def row_anchor(indicator_id: int, month: date) -> str:
    """The id of a figure's row on the review page."""
    return f"figure-{indicator_id}-{periods.format_month(month)}"


@dataclass
class ReviewRow:
    month: date
    kind: str
    old: str
    new: str
    warnings: list[str] = field(default_factory=list)
    conflict: object = None
    anchor: str = ""


@dataclass
class ReviewMeasure:
    indicator: object
    rows: list[ReviewRow] = field(default_factory=list)


def review_figures(ret) -> tuple[list[ReviewMeasure], list, list]:
    """An unpublished return's figures grouped by measure in the plan's
    order: old (published) → new, new/changed/unchanged, warnings and stale
    conflicts beside each; and the warnings and conflicts as lists."""
    lines = list(ret.lines.select_related("indicator").order_by("month"))
    held = {(o["indicator_id"], o["month"]): o for o in Observation.objects.filter(
        indicator_id__in={line.indicator_id for line in lines}, month__in={line.month for line in lines})
        .values("indicator_id", "month", *FIELDS)}
    warnings = find_warnings(lines)
    conflicts = stale_conflicts(ret)
    by_figure: dict = {}
    for w in warnings:
        by_figure.setdefault((w.indicator_id, w.month), []).append(w.message)
    conflict_of = {(c.indicator_id, c.month): c for c in conflicts}
    last = max((line.month for line in lines), default=None)
    order = {ind.id: n for n, ind in enumerate(plan_indicators(ret.force, last))} if last else {}
    measures: dict[int, ReviewMeasure] = {}
    for line in sorted(lines, key=lambda li: (order.get(li.indicator_id, len(order)), li.indicator.name, li.month)):
        ind = line.indicator
        new = {f: getattr(line, f) for f in FIELDS}
        old = held.get((ind.id, line.month))
        kind = "new" if old is None else ("unchanged" if unchanged(old, new, ind.decimals) else "changed")
        measures.setdefault(ind.id, ReviewMeasure(ind)).rows.append(ReviewRow(
            line.month, kind, figure_words(old, ind.unit, ind.decimals), figure_words(new, ind.unit, ind.decimals),
            by_figure.get((ind.id, line.month), []), conflict_of.get((ind.id, line.month)),
            row_anchor(ind.id, line.month)))
    return list(measures.values()), warnings, conflicts


def due_date(meeting_date: date, working_days: int = DUE_WORKING_DAYS) -> date:
    """``working_days`` working days (Monday to Friday) before the meeting
    (docs/decisions.md, "When a quarter's figures are due")."""
    day, left = meeting_date, working_days
    while left:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


class ReviewViews:
    """Mixed into ReturnAdmin, before ReturnViews."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("status/", wrap(self.status_view), name="indicators_return_status"),
            path("audit/", wrap(self.audit_view), name="indicators_return_audit"),
            path("template/wide/", wrap(self.wide_template_view), name="indicators_return_wide_template"),
            path("<path:object_id>/review/", wrap(self.review_view), name="indicators_return_review"),
        ] + super().get_urls()

    # --- review -------------------------------------------------------------

    def review_view(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied              # as the change page: no permission on returns at all
        ret = self.get_object(request, unquote(object_id))
        if ret is None or not self.has_view_or_change_permission(request, ret):
            raise Http404("No such return, or not one you may read")
        errors: list[str] = []
        if request.method == "POST":
            done = self._review_action(request, ret, errors)
            if done is not None:
                return done
            ret.refresh_from_db()
        unpublished = ret.state != ReturnState.PUBLISHED
        if unpublished:
            measures, warnings, conflicts = review_figures(ret)
            entries = []
        else:
            measures, warnings, conflicts = [], [], []
            entries = [e for e in selectors.audit_trail(force=ret.force, return_id=ret.pk) if e.kind == "figure"]
        months = covered_months(ret, {row.month for m in measures for row in m.rows})
        summaries, commentary = selectors.draft_writing(force=ret.force, months=months) if unpublished else ([], [])
        counts = {k: sum(1 for m in measures for r in m.rows if r.kind == k) for k in KIND_WORDS}
        names = {m.indicator.id: m.indicator.name for m in measures}
        # The publish section's list names each warned figure and links to its row above (a warning's
        # message alone, "48,840 is more than 3× …", does not say which measure and month it is about).
        warned = [{"label": f"{names.get(w.indicator_id, '')}, {periods.month_label(w.month)}",
                   "message": w.message, "anchor": row_anchor(w.indicator_id, w.month)} for w in warnings]
        # What publishing needs ticked, at the top of the page (issue 28, item 4): always unticked, so a
        # refused POST's list (changed since it was shown) is confirmed afresh.
        confirm = confirmation(ret.lines.all(), None, conflicts=conflicts, anchor=row_anchor) if unpublished else None
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": ret, "ret": ret,
            "title": f"Review return #{ret.pk}: {ret.force.name} {ret.period}",
            "measures": measures, "warnings": warnings, "warned": warned, "conflicts": conflicts, "entries": entries,
            "counts": counts, "kind_words": KIND_WORDS, "errors": errors, "confirm": confirm,
            "drafts": [{"label": f"Executive summary, {periods.month_label(s.month)}",
                        "html": fmt.render_markdown(s.text)} for s in summaries]
                      + [{"label": f"Commentary on {_about(c)}, {periods.month_label(c.month)}",
                          "html": fmt.render_markdown(c.text)} for c in commentary],
            "can_submit": ret.state == ReturnState.DRAFT and self.has_change_permission(request, ret),
            "can_publish": unpublished and self.has_publish_permission(request) and self.may_edit(request, ret),
            "posted": request.method == "POST",
        }
        return TemplateResponse(request, "admin/indicators/return/review.html", context,
                                status=400 if errors else 200)

    def _review_action(self, request, ret, errors: list[str]):
        """Submit or publish from the review page; a redirect when done, None
        (and ``errors``) when refused. Nothing changes when refused."""
        action = request.POST.get("do")
        here = reverse("admin:indicators_return_review", args=[ret.pk])
        if action == "submit":
            if not self.has_change_permission(request, ret):
                raise PermissionDenied
            try:
                submit_return(ret, user=request.user)
            except ReturnError as exc:
                errors.append(str(exc))
                return None
            self.message_user(request, f"Return #{ret.pk} ({ret.force.slug} {ret.period}) submitted.")
            return redirect(here)
        if action != "publish":
            errors.append("Choose Submit or Publish.")
            return None
        if not (self.has_publish_permission(request) and self.may_edit(request, ret)):
            raise PermissionDenied
        if ret.state == ReturnState.PUBLISHED:
            errors.append(f"Return #{ret.pk} is already published.")
            return None
        # The one rule (returns/confirmation.py): changes to published figures, warnings and figures older than
        # one published since are listed old → new above, and need the one tick; nothing else does.
        conflicts = stale_conflicts(ret)
        confirm = confirmation(ret.lines.all(), request.POST, conflicts=conflicts, anchor=row_anchor)
        if not confirm.ok:
            errors.append(confirm.message())
            return None
        try:
            result = publish_return(ret, user=request.user,
                                    confirm=[c.key for c in conflicts if confirm.confirms(c)])
        except StaleDraft as exc:
            n = len(exc.conflicts)
            errors.append(f"Not published: {n} figure{'s were' if n != 1 else ' was'} published since the list was "
                          "shown. Check the figures listed again and tick “I have checked these figures”.")
            return None
        except ReturnError as exc:
            errors.append(str(exc))
            return None
        self.message_user(request, f"Return #{ret.pk} ({ret.force.slug} {ret.period}) published: {result['new']} new, "
                                   f"{result['changed']} changed, {result['unchanged']} unchanged.",
                          messages.SUCCESS)
        return redirect(here)

    # --- bulk publish keeps the review's checks -----------------------------

    def publish_selected(self, request, queryset):
        """The list's publish action: a return with figures that need the
        tick (returns/confirmation.py: changes to published figures, warnings,
        stale conflicts) is not published; the message sends the analyst to
        its review page, where they are listed and confirmed (SPEC §4)."""
        for ret in queryset.select_related("force"):
            review = reverse("admin:indicators_return_review", args=[ret.pk])
            label = f"Return #{ret.pk} ({ret.force.slug} {ret.period})"
            if ret.state == ReturnState.PUBLISHED:
                self.message_user(request, f"{label} is already published.", messages.ERROR)
                continue
            try:
                if not (self.has_publish_permission(request) and self.may_edit(request, ret)):
                    raise ReturnError(f"{request.user} may not publish returns of {ret.force.name}")
                conflicts = stale_conflicts(ret)
                confirm = confirmation(ret.lines.all(), None, conflicts=conflicts)
                if confirm.needed:          # the one rule: a list has no tick, its review page has
                    changed, warned = len(confirm.changed), len(confirm.warned)
                    why = ", ".join(part for part in (
                        f"{changed} figure(s) changing a published figure" if changed else "",
                        f"{warned} figure(s) with warnings" if warned else "",
                        f"{len(conflicts)} figure(s) older than one published since" if conflicts else "") if part)
                    self.message_user(request, format_html(
                        "{} was not published: it has {}. <a href=\"{}\">Review it</a> to confirm them and "
                        "publish it there.", label, why, review), messages.ERROR)
                    continue
                result = publish_return(ret, user=request.user)
            except ReturnError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            self.message_user(request, f"{label} published: {result['new']} new, {result['changed']} changed, "
                                       f"{result['unchanged']} unchanged.")
        return None

    # --- quarter status -----------------------------------------------------

    def _analyst_force(self, request) -> Force:
        """The force named by ?force=, if the user is one of its analysts (or
        a superuser); else 404, whoever asks."""
        force = Force.objects.filter(slug=request.GET.get("force") or "").first()
        if force is None or not can_edit(request.user, force):
            raise Http404("No such force, or not one of yours")
        return force

    def status_view(self, request):
        ids = editable_force_ids(request.user)
        if ids is not None and not ids:
            raise Http404("The quarter status is for a force's analysts")
        forces = Force.objects.filter(plans__isnull=False).distinct().order_by("name")
        forces = forces if ids is None else forces.filter(pk__in=ids)
        today = timezone.localdate()
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Quarter status",
                   "forces": forces, "quarters": quarter_choices(today, forces)}
        if not request.GET.get("force"):
            # The picker opens on the quarter the grid opens on: the one to file next.
            first = forces.first()
            context["quarter"] = _quarter_to_file(first, forces, today) if first else ""
            return TemplateResponse(request, "admin/indicators/return/status.html", context)
        force = self._analyst_force(request)
        # Without ?quarter=, the quarter to file next (as the grid), not last calendar quarter: that
        # can lie past the plan's years, a quarter of "missing" cells the picker does not even offer.
        quarter = request.GET.get("quarter") or _quarter_to_file(force, forces, today)
        months = parse_quarter_param(quarter)
        area = None
        if request.GET.get("area"):
            area = selectors.local_area_by_code(force=force, code=request.GET["area"])
            if area is None:
                raise Http404(f"{force.name} has no local area {request.GET['area']!r}")
        context.update(quarter_status(force, quarter, months, area))
        ended = grid_rules.ended_plan(selectors.plan_for(force=force, period=months[-1], with_measures=False), months)
        context["plan_ended"] = grid_rules.ended_words(force, ended) if ended else None
        query = f"force={force.slug}&quarter={quarter.replace(' ', '+')}"
        context.update({"force": force, "quarter": quarter, "area": area, "local_areas": local_area_choices(force),
                        "query": query, "grid_query": query + (f"&area={area.code}" if area else "")})
        return TemplateResponse(request, "admin/indicators/return/status.html", context)

    # --- audit trail --------------------------------------------------------

    def audit_view(self, request):
        force = self._analyst_force(request)
        code = request.GET.get("indicator") or ""
        indicator = force.indicators.filter(code=code).first() if code else None
        if code and indicator is None:
            raise Http404(f"{force.name} has no measure {code!r}")
        entries = selectors.audit_trail(force=force, indicator_id=indicator.pk if indicator else None,
                                        limit=AUDIT_LIMIT)
        _add_replaced_ratings(force, entries)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": f"Audit trail: {force.name}" + (f", {indicator.name}" if indicator else ""),
                   "force": force, "indicator": indicator, "entries": entries,
                   "cut": len(entries) == AUDIT_LIMIT, "limit": AUDIT_LIMIT,
                   "measures": force.indicators.order_by("name")}
        return TemplateResponse(request, "admin/indicators/return/audit.html", context)

    # --- wide template ------------------------------------------------------

    def wide_template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        force = self._analyst_force(request)
        months = parse_quarter_param(request.GET.get("quarter"))
        indicators = plan_indicators(force, months[-1])
        headline = selectors.indicator_frame(force=force, period=months[-1])
        marks = dict(zip(headline["id"], headline["headline"]))
        data = wide.workbook(force, months, indicators, current_values(indicators, months),
                             {i.id: bool(marks.get(i.id)) for i in indicators})
        name = f"{force.slug}-quarter-{periods.quarter(months[0]).replace('/', '-').replace(' ', '-')}.xlsx"
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _quarter_to_file(force: Force, forces, today: date) -> str:
    default = grid_rules.default_quarter(force, grid_rules.plan_quarters(forces, today), today)
    return grid_rules.quarter_key(*default) if default else periods.quarter(
        periods.add_months(periods.first_of_month(today), -3))


def _about(commentary) -> str:
    if commentary.priority_id:
        return f"priority {commentary.priority.number}"
    return commentary.indicator.name


def quarter_status(force: Force, quarter: str, months: list[date], area=None) -> dict:
    """What is held for each measure of the force's plan and each month of
    the quarter (published, or in a draft), what is missing, and the panel
    meeting that reports the quarter with the date its figures are due.
    With ``area``, one local area's: the measures its grid shows (those the
    plan breaks down by area) and that area's figures."""
    indicators, held = quarter_figures(force, area, months, plan_indicators, current_values)
    waiting = set(selectors.pending_lines(indicator_ids=[i.id for i in indicators], first=months[0], last=months[-1],
                                          area_id=area.id if area else None).values_list("indicator_id", "month"))
    frame = selectors.indicator_frame(force=force, period=months[-1]) if indicators else None
    headline = dict(zip(frame["id"], frame["headline"])) if frame is not None else {}
    rows, counts = [], {"final": 0, "provisional": 0, "unavailable": 0, "missing": 0, "draft": 0,
                        "not_expected": 0}
    complete = 0
    unexpected = selectors.measures_expecting_no_figures(indicator_ids=[i.id for i in indicators],
                                                         financial_year=periods.financial_year(months[-1]))
    for ind in indicators:
        cells = []
        # SPEC §6: a quarterly measure is due at the quarter's end, an annual one in March, an irregular one
        # never; a month between its spans is not missing ("between", not counted). A milestone, and a
        # measure with no numeric target that has never had a figure, expect none ("not expected").
        frequency = getattr(ind, "frequency", None) or "monthly"
        due = set(grid_rules.entry_months(frequency, months))
        for month in months:
            v = held.get((ind.id, month))
            why = ""
            if v is None and month in due and ind.id in unexpected:
                status, why = "between", unexpected[ind.id]
                counts["not_expected"] += 1
            elif v is None:
                status = "missing" if month in due else "between"
            else:
                status = v["status"] or "final"
            draft = (ind.id, month) in waiting
            if status != "between":
                counts[status] += 1
            counts["draft"] += draft
            cells.append({"month": month, "status": status, "draft": draft,
                          "between": why or grid_rules.closed_words(frequency, month, months) if status == "between"
                          else "",
                          "value": "" if v is None or status == "unavailable" else fmt.measure(
                              v["value"], ind.unit, ind.decimals),
                          "note": "" if v is None else (v["note"] or "")})
        complete += all(c["status"] != "missing" for c in cells)
        rows.append({"indicator": ind, "headline": bool(headline.get(ind.id)), "cells": cells})
    meetings = selectors.meeting_list(force=force)
    meeting = next((m for m in meetings if m.period >= months[-1]), None)
    today = timezone.localdate()
    upcoming = next((m for m in meetings if m.date >= today), None)
    return {"rows": rows, "months": months, "counts": counts, "complete": complete, "measures": len(indicators),
            "meeting": meeting, "due": due_date(meeting.date) if meeting else None,
            "upcoming": upcoming, "upcoming_due": due_date(upcoming.date) if upcoming else None,
            "due_days": DUE_WORKING_DAYS, "today": today}


def _add_replaced_ratings(force: Force, entries) -> None:
    """Beside each assessment: the rating the figures give (published data,
    as the pages compute it now, by the rating method of the plan in force
    at its month), which a manual rating overrides. A fixed number of
    queries however many months are assessed: the plans, the indicators,
    and the engine's inputs once per rating method (usually one)."""
    from indicators.engine.performance import evaluate

    wanted: dict[date, set[int]] = {}
    for e in entries:
        if e.kind == "assessment":
            wanted.setdefault(e.month, set()).add(e.indicator_id)
    if not wanted:
        return
    plans = sorted(Plan.objects.filter(force=force).values_list("start", "assessment"))

    def method_at(month):
        started = [m for start, m in plans if start <= month]
        return started[-1] if started else (plans[-1][1] if plans else DEFAULT_METHOD)

    ids = sorted({i for group in wanted.values() for i in group})
    frame = selectors.indicator_frame_by_ids(indicator_ids=ids, headline_ids=set())
    computed: dict[tuple[int, date], str | None] = {}
    by_method: dict[str, list[date]] = {}
    for month in wanted:
        by_method.setdefault(method_at(month), []).append(month)
    for method, months in by_method.items():
        inputs = selectors.performance_inputs_many(forces=[force], indicators=frame, months=sorted(months),
                                                   drafts_force_ids=set(), rating_methods={force.slug: method})
        for month in months:
            for result in evaluate(inputs, period=month, indicator_ids=sorted(wanted[month]), monthly=False):
                computed[(result.id, month)] = result.rating.computed
    for e in entries:
        if e.kind == "assessment":
            e.replaced = computed.get((e.indicator_id, e.month))
