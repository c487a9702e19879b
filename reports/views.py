"""Pages: request -> selectors -> engine -> panels -> template."""

from __future__ import annotations

from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from indicators import periods, selectors
from indicators.engine import columns as c
from indicators.models import Force, Indicator
from indicators.permissions import can_see_drafts
from reports import formatting as fmt
from reports import panels
from reports.cache import cached_page
from reports.performance import indicator_results, page_state, plan_measures, plan_performance
from reports.report import ReportError, build_report, report_filename
from reports.tables import MeasuresTable


class BadPeriod(Exception):
    pass


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


def _bad_request(request, force: Force | None, message: str, *, title: str = "That report cannot be made"):
    return render(request, "reports/bad_request.html", {"force": force, "message": message, "title": title},
                  status=400)


def _resolve(request, force_slug: str):
    """The force (404 if unknown), whether the user sees its drafts, and the
    period asked for or the default (BadPeriod, a 400 page, if bad)."""
    force = get_object_or_404(Force, slug=force_slug)
    drafts = can_see_drafts(request.user, force)
    try:
        return force, drafts, _period(request, force, drafts)
    except BadPeriod as exc:
        exc.force = force
        raise


def handles_bad_period(view):
    """Turn a BadPeriod from _resolve into the 400 page."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadPeriod as exc:
            return _bad_request(request, getattr(exc, "force", None), str(exc), title="That period cannot be shown")
    return wrapper


@cached_page
def home(request):
    plans = list(selectors.plan_list())
    cards = []
    for plan in plans:
        drafts = can_see_drafts(request.user, plan.force)
        period = selectors.default_period(force=plan.force, include_drafts=drafts)
        counts = None
        if period is not None:
            full = selectors.plan_for(force=plan.force, period=period)
            headline = [m.indicator for m in plan_measures(full) if m.headline]
            results, _ = indicator_results(plan.force, headline, period, drafts,
                                           headline_ids={i.id for i in headline})
            counts = panels.rag_counts(results.values()) if results else None
        cards.append({"plan": plan, "period": period, "period_label": period and periods.month_label(period),
                      "counts": counts})
    return render(request, "reports/home.html", {"cards": cards})


@cached_page
@handles_bad_period
def force_dashboard(request, force_slug: str):
    force, drafts, period = _resolve(request, force_slug)
    plan = selectors.plan_for(force=force, period=period)
    context = {"force": force, "plan": plan, "period": period, "drafts_visible": drafts}
    if plan is None or period is None:
        return render(request, "reports/dashboard.html", context)
    perf = plan_performance(force, plan, period, drafts)
    results = perf.results
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
    headline_table = panels.measure_table("Headline measures", perf.headline, results, force_slug=force.slug,
                                          period=period)
    context.update({
        "areas": areas,
        "headline_table": MeasuresTable(headline_table.rows, caption="Headline measures", footnote_prefix="fn-h"),
        "headline_footnotes": headline_table.footnotes,
        "counts": panels.rag_counts(results.values()),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": perf.state,
        "period_param": periods.format_month(period),
    })
    return render(request, "reports/dashboard.html", context)


@cached_page
@handles_bad_period
def priority_detail(request, force_slug: str, number: int):
    force, drafts, period = _resolve(request, force_slug)
    plan = selectors.plan_for(force=force, period=period)
    priority = next((p for a in (plan.areas.all() if plan else []) for p in a.priorities.all() if p.number == number),
                    None)
    if priority is None:
        raise Http404(f"{force.name} has no priority {number}")
    context = {"force": force, "plan": plan, "priority": priority, "period": period, "drafts_visible": drafts}
    if period is None:
        return render(request, "reports/priority.html", context)
    measures = list(priority.measures.all())
    results, _ = indicator_results(force, [m.indicator for m in measures], period, drafts,
                                   headline_ids={m.indicator_id for m in measures if m.headline})
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
        "commentary": fmt.render_markdown(commentary) if commentary else "",
        "charts": charts,
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": page_state(force, list(results), period, drafts),
        "period_param": periods.format_month(period),
    })
    return render(request, "reports/priority.html", context)


@cached_page
@handles_bad_period
def indicator_detail(request, force_slug: str, code: str):
    force, drafts, period = _resolve(request, force_slug)
    indicator = get_object_or_404(Indicator, force=force, code=code)
    context = {"force": force, "indicator": indicator, "period": period, "drafts_visible": drafts}
    if period is None:
        return render(request, "reports/indicator.html", context)
    results, inputs = indicator_results(force, [indicator], period, drafts, headline_ids=set(), monthly=True)
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
        "revisions": selectors.revisions(indicator_id=indicator.id),
        "commentary": fmt.render_markdown(selectors.indicator_commentary(indicator_id=indicator.id, month=period)),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": page_state(force, [indicator.id], period, drafts),
        "period_param": periods.format_month(period),
        "csv_url": reverse("reports:api-observations-csv", args=[force.slug]) + f"?indicator={indicator.code}",
    })
    return render(request, "reports/indicator.html", context)


@handles_bad_period
def panel_report(request, force_slug: str):
    """The panel report; ``download=1`` serves the file export_report writes."""
    force, drafts, period = _resolve(request, force_slug)
    mode = request.GET.get("mode") or "full"
    # The dashboard's form sends its theme menu whatever the mode; it only counts for mode=theme.
    raw_theme = (request.GET.get("theme") or None) if mode == "theme" else None
    try:
        theme = int(raw_theme) if raw_theme is not None else None
    except ValueError:
        return _bad_request(request, force, f"theme must be a whole number (got {raw_theme!r})")
    download = request.GET.get("download") == "1"
    if download:
        return _report_download(request, force, drafts, period, mode, theme)
    toolbar = None
    if not download and period is not None:
        query = {"period": periods.format_month(period), "mode": mode, **({"theme": theme} if theme else {})}
        toolbar = {"back": reverse("reports:force-dashboard", args=[force.slug]) + "?" + urlencode({"period": query["period"]}),
                   "download": "?" + urlencode({**query, "download": 1})}
    try:
        html = build_report(force=force, period=period, mode=mode, theme=theme, drafts=drafts, toolbar=toolbar,
                            nonce=str(request.csp_nonce))
    except ReportError as exc:
        return _bad_request(request, force, str(exc))
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@cached_page
def _report_download(request, force, drafts, period, mode, theme):
    """The file export_report writes, as a download (cached like a page)."""
    try:
        html = build_report(force=force, period=period, mode=mode, theme=theme, drafts=drafts)
    except ReportError as exc:
        return _bad_request(request, force, str(exc))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(force, period, mode, theme)}"'
    return response


def healthz(request):
    """For load balancers and monitoring: 200 when the database answers."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is "unhealthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
