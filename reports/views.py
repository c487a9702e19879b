"""Pages: request -> selectors -> engine -> panels -> template."""

from __future__ import annotations

from datetime import date

import markdown
import nh3
import pandas as pd
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from indicators import periods, selectors
from indicators.engine import columns as c
from indicators.engine.performance import evaluate
from indicators.models import Force, Indicator
from indicators.permissions import can_see_drafts
from reports import formatting as fmt
from reports import panels
from reports.tables import MeasuresTable


class BadPeriod(Exception):
    pass


def render_markdown(text: str) -> str:
    """Analysts' markdown as safe HTML: rendered, then sanitised with nh3
    (no scripts, event attributes or javascript: links survive)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return mark_safe(nh3.clean(html, link_rel="noopener noreferrer"))


def _period(request, force: Force, drafts: bool) -> date | None:
    raw = request.GET.get("period")
    if raw:
        try:
            month = periods.parse_month(raw)
        except ValueError as exc:
            raise BadPeriod(str(exc)) from None
        if month > periods.first_of_month(timezone.localdate()):
            raise BadPeriod(f"{raw} is in the future")
        return month
    return selectors.default_period(force=force, include_drafts=drafts)


def _bad_period(request, force: Force | None, message: str):
    return render(request, "reports/bad_request.html", {"force": force, "message": message}, status=400)


def _frame_for(indicators: list[Indicator], headline_ids: set[int]) -> pd.DataFrame:
    rows = [(i.id, i.force.slug, i.code, i.name, i.unit, i.decimals, i.aggregation, i.polarity, i.msg,
             i.id in headline_ids) for i in indicators]
    return pd.DataFrame.from_records(rows, columns=[*c.INDICATOR_COLUMNS, c.HEADLINE])


def _results(force: Force, indicators: list[Indicator], period: date, drafts: bool, *, headline_ids: set[int],
             monthly: bool = False):
    """Engine results by indicator id, and the inputs they came from."""
    if not indicators:
        return {}, None
    frame = _frame_for(indicators, headline_ids)
    inputs = selectors.performance_inputs(force=force, indicators=frame, period=period, include_drafts=drafts)
    results = evaluate(inputs, period=period, indicator_ids=list(frame[c.ID]), monthly=monthly)
    return {r["extra"]["id"]: r for r in results}, inputs


def _page_state(force, plan_indicator_ids, period, drafts):
    ytd = periods.ytd_months(period)
    state = selectors.data_state(force=force, indicator_ids=plan_indicator_ids, first=ytd[0], last=period,
                                 include_drafts=drafts)
    return {"as_at": state["as_at"], "provisional": state["provisional"], "drafts": state["drafts"],
            "period_label": periods.month_label(period), "quarter": periods.quarter(period),
            "financial_year": periods.financial_year(period)}


def home(request):
    plans = list(selectors.plan_list())
    cards = []
    for plan in plans:
        drafts = can_see_drafts(request.user, plan.force)
        period = selectors.default_period(force=plan.force, include_drafts=drafts)
        counts = None
        if period is not None:
            full = selectors.plan_for(force=plan.force, period=period)
            measures = [m for a in full.areas.all() for p in a.priorities.all() for m in p.measures.all()]
            headline = [m.indicator for m in measures if m.headline]
            results, _ = _results(plan.force, headline, period, drafts, headline_ids={i.id for i in headline})
            counts = panels.rag_counts(results.values()) if results else None
        cards.append({"plan": plan, "period": period, "period_label": period and periods.month_label(period),
                      "counts": counts})
    return render(request, "reports/home.html", {"cards": cards})


def _plan_measures(plan):
    return [m for a in plan.areas.all() for p in a.priorities.all() for m in p.measures.all()]


def force_dashboard(request, force_slug: str):
    force = get_object_or_404(Force, slug=force_slug)
    drafts = can_see_drafts(request.user, force)
    try:
        period = _period(request, force, drafts)
    except BadPeriod as exc:
        return _bad_period(request, force, str(exc))
    plan = selectors.plan_for(force=force, period=period)
    context = {"force": force, "plan": plan, "period": period, "drafts_visible": drafts}
    if plan is None or period is None:
        return render(request, "reports/dashboard.html", context)
    measures = _plan_measures(plan)
    indicators = list({m.indicator_id: m.indicator for m in measures}.values())
    for ind in indicators:
        ind.force = force
    headline_ids = {m.indicator_id for m in measures if m.headline}
    results, _ = _results(force, indicators, period, drafts, headline_ids=headline_ids)
    headline = [m for m in measures if m.headline]
    areas = []
    for area in plan.areas.all():
        priorities = []
        for priority in area.priorities.all():
            table = panels.measure_table(f"Measures for priority {priority.number}", priority.measures.all(),
                                         results, force_slug=force.slug, period=period)
            prefix = f"fn-{priority.number}"
            priorities.append({"priority": priority, "prefix": prefix, "footnotes": table.footnotes,
                               "table": MeasuresTable(table.rows, caption=table.caption, footnote_prefix=prefix)})
        areas.append({"area": area, "priorities": priorities})
    headline_table = panels.measure_table("Headline measures", headline, results, force_slug=force.slug,
                                          period=period)
    context.update({
        "areas": areas,
        "headline_table": MeasuresTable(headline_table.rows, caption="Headline measures", footnote_prefix="fn-h"),
        "headline_footnotes": headline_table.footnotes,
        "counts": panels.rag_counts(results.values()),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": _page_state(force, list(results), period, drafts),
        "period_param": periods.format_month(period),
    })
    return render(request, "reports/dashboard.html", context)


def priority_detail(request, force_slug: str, number: int):
    force = get_object_or_404(Force, slug=force_slug)
    drafts = can_see_drafts(request.user, force)
    try:
        period = _period(request, force, drafts)
    except BadPeriod as exc:
        return _bad_period(request, force, str(exc))
    plan = selectors.plan_for(force=force, period=period)
    priority = next((p for a in (plan.areas.all() if plan else []) for p in a.priorities.all() if p.number == number),
                    None)
    if priority is None:
        raise Http404(f"{force.name} has no priority {number}")
    context = {"force": force, "plan": plan, "priority": priority, "period": period, "drafts_visible": drafts}
    if period is None:
        return render(request, "reports/priority.html", context)
    measures = list(priority.measures.all())
    indicators = [m.indicator for m in measures]
    for ind in indicators:
        ind.force = force
    results, _ = _results(force, indicators, period, drafts, headline_ids={m.indicator_id for m in measures
                                                                             if m.headline})
    table = panels.measure_table(f"Measures for priority {priority.number}", measures, results,
                                 force_slug=force.slug, period=period)
    charts = []
    for m in measures:
        result = results.get(m.indicator_id)
        if result is None:
            continue
        charts.append({"result": result, "name": result["name"],
                       "url": reverse("reports:indicator", args=[force.slug, result["indicator"]]),
                       "charts": [ch for ch in (panels.trend_chart(result, period), panels.spc_chart(result)) if ch]})
    commentary = selectors.commentary_for(priority_ids=[priority.id], month=period).get(priority.id, "")
    context.update({
        "table": MeasuresTable(table.rows, caption=table.caption, footnote_prefix="fn"),
        "footnotes": table.footnotes,
        "commentary": render_markdown(commentary) if commentary else "",
        "charts": charts,
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": _page_state(force, list(results), period, drafts),
        "period_param": periods.format_month(period),
    })
    return render(request, "reports/priority.html", context)


def indicator_detail(request, force_slug: str, code: str):
    force = get_object_or_404(Force, slug=force_slug)
    indicator = get_object_or_404(Indicator, force=force, code=code)
    drafts = can_see_drafts(request.user, force)
    try:
        period = _period(request, force, drafts)
    except BadPeriod as exc:
        return _bad_period(request, force, str(exc))
    context = {"force": force, "indicator": indicator, "period": period, "drafts_visible": drafts}
    if period is None:
        return render(request, "reports/indicator.html", context)
    results, inputs = _results(force, [indicator], period, drafts, headline_ids=set(), monthly=True)
    result = results[indicator.id]
    obs = inputs.observations[inputs.observations[c.INDICATOR_ID] == indicator.id].sort_values(c.MONTH)
    f = panels.spec(result)
    unit, _, decimals = f.partition(":")
    monthly = [{"month": periods.month_label(row[c.MONTH]), "value": fmt.measure(row[c.VALUE], unit, int(decimals)),
                "numerator": fmt.number(row[c.NUMERATOR]), "denominator": fmt.number(row[c.DENOMINATOR]),
                "status": row[c.STATUS], "note": row[c.NOTE]}
               for row in obs.to_dict("records")]
    names = dict(Force.objects.filter(slug__in=[force.slug] + [p["force"] for p in (result["msg"] or {}).get("peers", [])])
                 .values_list("slug", "name"))
    assessment = result["extra"]["assessment"]
    context.update({
        "result": result, "row": panels.measure_row(result, force_slug=force.slug),
        "fmt": f,
        "monthly": list(reversed(monthly)),
        "charts": [ch for ch in (panels.trend_chart(result, period), panels.spc_chart(result),
                                 panels.msg_chart(result, names)) if ch],
        "spc_summary": panels.spc_summary(result),
        "signals": [{"month": periods.month_label(periods.parse_month(s["month"])),
                     "rules": [fmt.RULE_LABELS[r] for r in s["rules"]]} for s in result["spc"]["signals"]],
        "assurance": fmt.ASSURANCE_LABELS.get(result["spc"]["assurance"], ""),
        "significance": fmt.SIGNIFICANCE_LABELS[result["significance"]["result"]],
        "assessment": assessment,
        "targets": selectors.target_history(indicator_id=indicator.id),
        "revisions": selectors.observation_history(indicator_id=indicator.id, limit=20),
        "commentary": render_markdown(selectors.indicator_commentary(indicator_id=indicator.id, month=period)),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": _page_state(force, [indicator.id], period, drafts),
        "period_param": periods.format_month(period),
        "csv_url": reverse("reports:api-observations-csv", args=[force.slug]) + f"?indicator={indicator.code}",
    })
    return render(request, "reports/indicator.html", context)
