"""Pages: request -> selectors -> engine -> panels -> template."""

from __future__ import annotations

from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext

from indicators import periods, selectors
from indicators.access.permissions import can_see_drafts
from indicators.engine import columns as c
from indicators.engine.performance import evaluate
from indicators.engine.windows import span_label
from indicators.models import Force
from indicators.plans import bilingual
from jobs.models import Job
from pccperf.language import switch_links as language_switch_links
from reports import charts, packs, svg, welsh
from reports import formatting as fmt
from reports.cache import cached_page, cached_response
from reports.params import BadParam, month_param
from reports.plan_results import indicator_results, page_state, plan_results
from reports.report import ReportError, build_pdf, build_report, report_filename
from reports.tables import (
    NOT_RATED,
    SHOW_ATTENTION,
    attention,
    filter_param,
    filtered,
    keep,
    key_context,
    mdc_rows,
    measures_table,
    needs_current_layout,
    rag_reason,
    rating_counts,
)


def _bad_request(request, force: Force | None, message: str, *, title: str | None = None):
    title = title or gettext("That report cannot be made")
    return render(request, "reports/bad_request.html", {"force": force, "message": message, "title": title},
                  status=400)


def force_page(view):
    """A page about one force: the force from the URL (404 if unknown),
    whether the user sees its drafts, and the period asked for or the
    default; a bad period gives the 400 page. Queries: the force; the
    user's groups and forces when signed in; the default period when none
    is asked for (one query, drafts or not)."""
    @wraps(view)
    def wrapper(request, force_slug: str, **kwargs):
        force = selectors.force_by_slug(slug=force_slug)
        if force is None:
            raise Http404(f"No force {force_slug!r}")
        if bilingual.is_welsh() and bilingual.WELSH not in (force.languages or []):
            # a force not published in Welsh has English pages only (issue 31)
            return HttpResponseRedirect(translate_url(request.get_full_path(), settings.LANGUAGE_CODE))
        request.pccperf_force = force       # the language switch (pccperf.language.context)
        drafts = can_see_drafts(request.user, force)
        try:
            period = month_param(request) or selectors.default_period(force=force, include_drafts=drafts)
        except BadParam as exc:
            return _bad_request(request, force, str(exc).removeprefix("period: "),
                                title=gettext("That period cannot be shown"))
        return view(request, force, drafts, period, **kwargs)
    return wrapper


@cached_page
def home(request):
    """Every plan with its force's headline measures counted by the plan's
    own rating (SPEC §3 Ratings) at the force's default period. Queries, the same for 1 plan or 44 (tests/test_query_budgets.py):

    1. the data version (page cache key; not for users who see drafts)
       (+ the session, user, user's groups and forces when signed in)
    2. the plans with their forces
    3. the headline measures
    4. the latest month of each headline indicator (and of its unpublished
       lines, in the same query, when the user sees some drafts)
    5. the headline indicators
    6-10. the engine's inputs: peers' indicators, peer lists, observations
       (+ unpublished lines), the targets with the assessments (one query), populations
    """
    plans = list(selectors.plan_list())
    forces = list({p.force_id: p.force for p in plans}.values())
    drafts_ids = {f.id for f in forces if can_see_drafts(request.user, f)}
    links = selectors.headline_links(forces=forces) if forces else []
    period_of = selectors.default_periods(forces=forces, headline_ids={i for _, _, i in links},
                                          drafts_force_ids=drafts_ids) if forces else {}
    in_force = {}                         # force id -> the plan in force at its period
    for plan in sorted(plans, key=lambda p: p.start):
        period = period_of.get(plan.force_id)
        if period is not None and (plan.start <= period or plan.force_id not in in_force):
            in_force[plan.force_id] = plan.id
    headline = {}                         # force id -> headline indicator ids of the plan in force
    for force_id, plan_id, ind in links:
        if in_force.get(force_id) == plan_id:
            headline.setdefault(force_id, []).append(ind)
    counts = {}
    all_ids = sorted({i for ids in headline.values() for i in ids})
    if all_ids:
        frame = selectors.indicator_frame_by_ids(indicator_ids=all_ids, headline_ids=set(all_ids))
        method_of = {p.id: p.assessment for p in plans}
        inputs = selectors.performance_inputs_many(forces=forces, indicators=frame,
                                                   months=sorted({period_of[f] for f in headline}),
                                                   drafts_force_ids=drafts_ids,
                                                   rating_methods={f.slug: method_of[in_force[f.id]]
                                                                   for f in forces if f.id in in_force})
        # One engine run per distinct period (the forces mostly share one), not one per force.
        by_period: dict = {}
        for force_id, ids in headline.items():
            by_period.setdefault(period_of[force_id], []).extend(ids)
        result_of = {r.id: r for period, ids in by_period.items()
                     for r in evaluate(inputs, period=period, indicator_ids=ids, monthly=False)}
        for force_id, ids in headline.items():
            counts[force_id] = [result_of[i] for i in ids]
    method = {p.force_id: p.assessment for p in plans if in_force.get(p.force_id) == p.id}
    cards = [{"plan": plan, "period": period_of.get(plan.force_id),
              "period_label": plan.force_id in period_of and fmt.month_label(period_of[plan.force_id]),
              "method_label": fmt.RATING_METHOD_LABELS.get(method.get(plan.force_id), ""),
              "counts": (_card_counts(counts[plan.force_id], method[plan.force_id], plan.rating_labels)
                         if plan.force_id in counts else None)}
             for plan in plans]
    return render(request, "reports/home.html", {"cards": cards})


def _card_counts(results: list, method: str, labels: dict) -> list[dict]:
    """A home card's headline measures by the plan's rating, in the plan's
    words; a plan that publishes no verdicts (SPEC §6 ``assessment: none``)
    has no rating to count by, so its card counts its headline measures."""
    if method == "none":
        return [{"key": "none", "rag": "none", "label": gettext("Headline measures"), "shape": "", "tone": "none",
                 "count": len(results), "bad": False, "url": None}]
    return rating_counts(results, method, labels=labels)


@cached_page
@force_page
def force_dashboard(request, force: Force, drafts: bool, period):
    """The plan in force at the period, every measure in its place, with what
    needs attention first. ``?show=attention`` or ``?rating=VALUE`` (the
    summary counts' links) keep only those measures in the tables, on the
    server, so they work without JavaScript (the page cache is keyed by the
    full path, filters included). Queries, the same for 5 indicators or 60
    (tests/test_query_budgets.py):

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in: `force_page`)
    3. the default period, when none is asked for
    4. the plan with its areas, priorities and measures with their
       indicators (one query: `selectors.plan_for`)
    5-7. the engine's inputs: the MSG peers' indicators with the peer list
       and populations (one query), observations with what the state of the figures needs
       (as-at, provisional, drafts: counted from those rows, not by a query
       of their own) (+ unpublished lines with drafts), the targets with the
       assessments (one query)
    8. the months with data, for the period menu
    9. the executive summary for the period
    """
    plan = selectors.plan_for(force=force, period=period)
    context = {"force": force, "plan": plan, "period": period, "drafts_visible": drafts}
    if plan is None or period is None:
        return render(request, "reports/dashboard.html", context)
    try:
        show, rating = filter_param(request.GET, plan.assessment)
    except ValueError as exc:
        return _bad_request(request, force, str(exc), title=gettext("That filter cannot be shown"))
    perf = plan_results(force, plan, period, drafts)
    results = perf.results

    def table(caption, measures, prefix):
        return filtered(measures_table(caption, measures, results, force_slug=force.slug, period=period,
                                       footnote_prefix=prefix, method=plan.assessment,
                                       labels=plan.rating_labels), show, rating)

    areas = []
    plan_areas = list(plan.areas.all())
    for area in plan_areas:
        tables = [(priority, table(gettext("Measures for priority %(number)s") % {"number": priority.number},
                                   priority.measures.all(),
                                   f"fn-{priority.number}"))
                  for priority in area.priorities.all()]
        # Priorities with no measures of their own (such as the district
        # priorities of Essex's Annex A) are listed once, not as empty tables.
        unmeasured = [] if show or rating else [p for p, t in tables if not t.rows]
        tables = [(p, t) for p, t in tables if t.rows]
        areas.append({"area": area, "tables": tables, "unmeasured": unmeasured})
    in_order = [results[m.indicator_id] for m in perf.measures if m.indicator_id in results]
    attention_items, improved_items = attention(in_order, force_slug=force.slug, period=period)
    period_param = periods.format_month(period)
    link = "?" + urlencode({"period": period_param})
    shown = len({r.id for r in in_order if keep(r, show, rating)})
    headline_table = table(gettext("Headline measures"), perf.headline, "fn-h")
    current = headline_table.current or any(t.current for a in areas for _, t in a["tables"])
    context.update({
        "areas": [a for a in areas if a["tables"] or a["unmeasured"]],
        "headline_table": headline_table,
        # SPEC §6 Plan shape: priorities listed directly are one area with no title, and no area heading
        "one_level": len(plan_areas) == 1 and not plan_areas[0].title.strip(),
        "counts": rating_counts(results.values(), plan.assessment, link=link, labels=plan.rating_labels),
        "counts_label": gettext("Measures by rating (%(method)s); each count links to those measures") % {
            "method": fmt.RATING_METHOD_LABELS.get(plan.assessment, "")},
        "key": key_context(plan.assessment, labels=plan.rating_labels, current=current),
        "attention": attention_items, "improved": improved_items,
        "attention_count": len(attention_items), "attention_url": f"{link}&show={SHOW_ATTENTION}",
        "filter_show": show, "filter_rating": rating, "filtered_count": shown, "all_url": link,
        "filter_label": (gettext("measures that need attention") if show else
                         plan.rating_labels.get(rating) or
                         fmt.rating_value_label(plan.assessment, None if rating == NOT_RATED else rating)),
        "mdc_rows": mdc_rows(in_order, force_slug=force.slug, period=period),
        "executive_summary": fmt.render_markdown(selectors.executive_summary(force=force, month=period, include_drafts=drafts)),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": perf.state,
        "period_param": period_param,
    })
    return render(request, "reports/dashboard.html", context)


@cached_page
@force_page
def priority_detail(request, force: Force, drafts: bool, period, number: int):
    """One priority's measures, charts and commentary. Queries, the same for
    a priority of 1 measure or 20:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in: `force_page`)
    3. the default period, when none is asked for
    4. the plan in force
    5-6. the priority with its area; its measures with their indicators
    7-9. the engine's inputs: the MSG peers' indicators with the peer list
       and populations (one query), observations (+ unpublished lines with drafts), the
       targets with the assessments (one query)
    10. the priority's commentary
    11. the months with data, for the period menu
    12. the state of the figures: as-at, provisional, drafts (+ draft lines)
    """
    plan = selectors.plan_for(force=force, period=period, with_measures=False)
    priority = selectors.plan_priority(plan=plan, number=number) if plan else None
    if priority is None:
        raise Http404(f"{force.name} has no priority {number}")
    context = {"force": force, "plan": plan, "priority": priority, "period": period, "drafts_visible": drafts}
    if period is None:
        return render(request, "reports/priority.html", context)
    measures = list(priority.measures.all())
    results, _ = indicator_results(force, [m.indicator for m in measures], period, drafts,
                                   headline_ids={m.indicator_id for m in measures if m.headline},
                                   rating_method=plan.assessment)
    commentary = selectors.commentary_for(priority_ids=[priority.id], month=period, include_drafts=drafts).get(priority.id, "")
    chart_items = [{"result": r, "url": reverse("reports:indicator", args=[force.slug, r.indicator]),
                    "charts": [ch for ch in (charts.trend_chart(r, period), charts.spc_chart(r)) if ch]}
                   for r in (results.get(m.indicator_id) for m in measures) if r is not None]
    svg.render_many([ch for item in chart_items for ch in item["charts"]])    # drawn without scripts too
    table = measures_table(gettext("Measures for priority %(number)s") % {"number": priority.number}, measures, results,
                           force_slug=force.slug, period=period, footnote_prefix="fn",
                           method=plan.assessment, labels=plan.rating_labels)
    context.update({
        "table": table,
        "key": key_context(plan.assessment, labels=plan.rating_labels, current=table.current),
        "commentary": fmt.render_markdown(commentary) if commentary else "",
        "charts": chart_items,
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "state": page_state(list(results), period, drafts),
        "period_param": periods.format_month(period),
    })
    return render(request, "reports/priority.html", context)


@cached_page
@force_page
def indicator_detail(request, force: Force, drafts: bool, period, code: str):
    """One indicator: its figures, charts, targets, revisions. Queries:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in: `force_page`)
    3. the default period, when none is asked for
    4. the indicator
    5-7. the engine's inputs: the MSG peers' indicators with the peer list
       and populations (one query), observations (+ unpublished lines with drafts), the
       targets (also the targets table) with the assessments (one query)
    8. the MSG peers' names (only for an MSG measure with peers)
    9. the revisions (the observation history)
    10. the indicator's commentary
    11. the months with data, for the period menu
    12. the state of the figures: as-at, provisional, drafts (+ draft lines)
    """
    indicator = selectors.indicator_by_code(force=force, code=code, period=period)
    if indicator is None:
        raise Http404(f"{force.name} has no indicator {code!r}")
    context = {"force": force, "indicator": indicator, "period": period, "drafts_visible": drafts,
               "figures_words": fmt.figures_words(indicator)}
    if period is None:
        return render(request, "reports/indicator.html", context)
    results, inputs = indicator_results(force, [indicator], period, drafts, headline_ids=set(), monthly=True,
                                        rating_method=indicator.rating_method)
    result = results[indicator.id]
    labels = indicator.rating_labels or {}
    current = needs_current_layout(result) or indicator.rating_method == "none"
    obs = inputs.observations[inputs.observations[c.INDICATOR_ID] == indicator.id].sort_values(c.MONTH)
    monthly = [{"month": fmt.month_label(row[c.MONTH]),
                "span": _span_label(row[c.FIRST_MONTH], row[c.MONTH]),
                "value": fmt.display(row[c.VALUE], result.unit, result.decimals, result.scale,
                                     row[c.DENOMINATOR] if result.unit == "rank" else None),
                "interval": _interval(row[c.LOWER], row[c.UPPER], result.unit, result.decimals),
                "numerator": fmt.number(row[c.NUMERATOR]), "denominator": fmt.number(row[c.DENOMINATOR]),
                "status": fmt.OBSERVATION_STATUS_LABELS.get(row[c.STATUS], row[c.STATUS]), "note": row[c.NOTE], "illustrative": row.get(c.ILLUSTRATIVE) is True}
               for row in obs.to_dict("records")]
    old_series = (selectors.replaced_series(force=force, code=result.replaces.code, include_drafts=drafts)
                  if result.replaces is not None else ("", []))
    peers = [p.force for p in result.msg_comparison.peers] if result.msg_comparison else []
    names = selectors.force_names(slugs=[force.slug, *peers]) if peers else {force.slug: force.name}
    page_charts = [ch for ch in (charts.trend_chart(result, period), charts.spc_chart(result),
                                 charts.msg_chart(result, names)) if ch]
    svg.render_many(page_charts)                    # drawn without scripts too
    span_first = periods.parse_month(result.span.first) if result.span is not None else None
    context.update({
        "result": result, "rag_reason": rag_reason(result), "labels": labels,
        "latest": _latest_figure(result) if current else None,
        "spans": result.frequency != "monthly",
        "intervals": any(m["interval"] for m in monthly),
        "replaced": _replaced(result, *old_series),
        "rating_method_label": fmt.RATING_METHOD_LABELS.get(result.rating.method, result.rating.method),
        "monthly": list(reversed(monthly)),
        "charts": page_charts,
        "spc_summary": charts.spc_summary(result),
        "signal_runs": charts.signal_runs(result),
        "assurance": fmt.ASSURANCE_LABELS.get(result.spc.assurance, ""),
        "significance": fmt.SIGNIFICANCE_LABELS[result.significance.result],
        "significance_test": fmt.significance_test(result.significance.test),
        "targets": _target_rows(inputs.targets),
        "revisions": selectors.revisions(indicator_id=indicator.id),
        "commentary": fmt.render_markdown(selectors.indicator_commentary(indicator_id=indicator.id, month=period,
                                                                              include_drafts=drafts)),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        # "as at" counts the figure shown, whose span may begin before the year to date (an annual measure's)
        "state": page_state([indicator.id], period, drafts, first=span_first),
        "period_param": periods.format_month(period),
        "csv_url": reverse("reports:api-observations-csv", args=[force.slug]) + f"?indicator={indicator.code}",
    })
    return render(request, "reports/indicator.html", context)


def _span_label(first, last) -> str:
    """The span a figure is for (SPEC §6): "Q1 2024/25", "rolling year to Dec 2022"."""
    if last is None or (isinstance(last, float) and last != last):
        return fmt.DASH
    first = first if isinstance(first, date) else None
    return fmt.span_words(span_label(first or last, last))


def _interval(lower, upper, unit: str, decimals: int) -> str:
    """A survey figure's published 95% interval: "6.1 to 6.7", or ""."""
    if fmt.is_missing(lower) or fmt.is_missing(upper):
        return ""
    return gettext("%(low)s to %(high)s") % {"low": fmt.display(lower, unit, decimals),
                                              "high": fmt.display(upper, unit, decimals)}


def _window_value(result, window) -> str:
    return fmt.display(window.value, result.unit, result.decimals, result.scale,
                       window.denominator if result.unit == "rank" else None)


def _latest_figure(result) -> dict:
    """The indicator page's "Latest figure" block for a SPEC §6 measure: the
    span, the figure in its unit's form, its comparison, baseline and
    benchmarks, each in words."""
    cmp, current = result.compare, result.compare.current if result.compare else result.span
    out = {"span": fmt.span_words(current.label) if current else fmt.DASH,
           "display": (result.display or _window_value(result, current)) if current and current.value is not None
           else None,
           "reason": fmt.reason_words((current.reason if current else None) or (cmp.reason if cmp else None))
           or gettext("No figure yet"),
           "interval": _interval(current.lower, current.upper, result.unit, result.decimals) if current else "",
           "basis": fmt.basis_words(result),
           "previous": None, "change": "", "compare_reason": fmt.reason_words(cmp.reason) if cmp else None,
           "data_to": fmt.month_label(periods.parse_month(current.last)) if current else fmt.DASH,
           "significance": fmt.significance_words(result.significance),
           "stale": fmt.stale_words(result) if result.stale else "",
           "baseline": None,
           "benchmarks": [{"name": fmt.benchmark_name(b.force),
                           "value": fmt.display(b.value, result.unit, result.decimals, result.scale),
                           "difference": ("" if b.difference is None else
                                          fmt.change_text(result.unit, result.decimals, b.difference,
                                                          b.difference_pct))}
                          for b in result.benchmarks]}
    if cmp is not None and cmp.previous is not None:
        out["previous"] = {"span": fmt.span_words(cmp.previous.label),
                           "value": _window_value(result, cmp.previous) if cmp.previous.value is not None else None}
    if cmp is not None and cmp.change is not None:
        out["change"] = fmt.change_text(result.unit, result.decimals, cmp.change, cmp.change_pct)
    b = result.baseline
    if b is not None:
        out["baseline"] = {
            "label": b.label, "value": None if b.value is None else fmt.display(b.value, result.unit, result.decimals,
                                                                                result.scale),
            "change": "" if b.change is None else fmt.change_text(result.unit, result.decimals, b.change, b.change_pct),
            "reason": fmt.reason_words(b.reason) or gettext("No figure for the baseline"),
            "significance": (fmt.SIGNIFICANCE_LABELS[b.significance.result]
                             if b.significance.result in fmt.SIGNIFICANT else "")}
    return out


def _replaced(result, name: str, rows: list[dict]) -> dict | None:
    """The old series a measure's new definition replaces, beside it (SPEC §6)."""
    if result.replaces is None:
        return None
    r = result.replaces
    return {"code": r.code, "name": name or r.code, "note": r.note,
            "from": fmt.month_label(periods.parse_month(r.first)) if r.first else "",
            "rows": [{"span": _span_label(row["first_month"], row["month"]),
                      "value": fmt.display(row["value"], row["unit"], row["decimals"]),
                      "interval": _interval(row["lower"], row["upper"], row["unit"], row["decimals"]),
                      "status": fmt.OBSERVATION_STATUS_LABELS.get(row["status"], row["status"])} for row in rows]}


def _target_rows(targets) -> list[dict]:
    """The targets table, newest year first, from the engine's target frame
    (the page's only indicator's), so the targets are read once."""
    rows = targets.sort_values(c.FINANCIAL_YEAR, ascending=False).astype(object)
    rows = rows.where(rows.notna(), None)
    # Only a numeric target (change, absolute) has an amber tolerance; a
    # milestone, monitor or baseline measure has none to show.
    return [{"financial_year": r[c.FINANCIAL_YEAR], "kind": fmt.TARGET_KIND_LABELS.get(r[c.KIND], r[c.KIND]),
             "value": r[c.TARGET_VALUE], "wording": r[c.WORDING], "due": r[c.DUE],
             "tolerance": r[c.TOLERANCE] if r[c.KIND] in ("change", "absolute") else None}
            for r in rows.to_dict("records")]


@force_page
def panel_report(request, force: Force, drafts: bool, period):
    """The panel report; ``download=1`` serves the file export_report writes,
    ``format=pdf`` the same report as a PDF (both cached like a page, so
    exactly as visible as the page: drafts only for those who may see them).
    Queries, the same for 5 indicators or 60 and 1 plan or 44:

    1. the force (+ the session, user, user's groups and forces when signed in: `force_page`)
    2. the default period, when none is asked for
    3. the data version (page cache key), for the download only and not for
       users who see drafts
    4. the plan with its areas, priorities and measures with their
       indicators (one query: `selectors.plan_for`)
    5-7. the engine's inputs: the MSG peers' indicators with the peer list
       and populations (one query), observations with what the state of the figures needs
       (as on the dashboard) (+ unpublished lines with drafts), the targets
       with the assessments (one query)
    8. the priorities' commentary
    9. the force's panel meetings
    10. the executive summary for the period
    """
    mode = request.GET.get("mode") or "full"
    # The dashboard's form sends its theme menu whatever the mode; it only counts for mode=theme.
    raw_theme = (request.GET.get("theme") or None) if mode == "theme" else None
    try:
        theme = int(raw_theme) if raw_theme is not None else None
    except ValueError:
        return _bad_request(request, force, gettext("theme must be a whole number (got %(theme)s)") % {"theme": repr(raw_theme)})
    file_format = request.GET.get("format") or "html"
    if file_format not in ("html", "pdf"):
        return _bad_request(request, force, gettext("format must be html or pdf (got %(format)s)") % {"format": repr(file_format)})
    if file_format == "pdf" or request.GET.get("download") == "1":
        return _stored_pack(request, force, drafts, period, mode, theme, file_format)
    toolbar = None
    if period is not None:
        query = {"period": periods.format_month(period), "mode": mode, **({"theme": theme} if theme else {})}
        toolbar = {"back": reverse("reports:force-dashboard", args=[force.slug]) + "?" + urlencode({"period": query["period"]}),
                   "download": "?" + urlencode({**query, "download": 1}),
                   "pdf": "?" + urlencode({**query, "format": "pdf"}),
                   "languages": language_switch_links(request, force)}
    try:
        html = build_report(force=force, period=period, mode=mode, theme=theme, drafts=drafts, toolbar=toolbar)
    except ReportError as exc:
        return _bad_request(request, force, str(exc))
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _stored_pack(request, force, drafts, period, mode, theme, file_format):
    """The pack as a file, from the store (reports/packs.py): built by a job,
    so a PDF never waits on the request. One not yet built is queued, and the
    page says "being prepared" and refreshes itself until it is there; the
    HTML file, quick to make, is made here meanwhile (cached like a page)."""
    if period is None:
        return _bad_request(request, force, gettext("%(force)s has no published figures to report on yet") % {
            "force": welsh.plan_text(force.name)})
    if file_format == "html":
        return cached_response(request, lambda: _stored_html(request, force, drafts, period, mode, theme))
    try:
        pack, job = packs.ask(force=force, period=period, mode=mode, theme=theme, file_format=file_format,
                              drafts=drafts, user=request.user, language=translation.get_language())
    except ReportError as exc:
        return _bad_request(request, force, str(exc))
    if pack is not None:
        return _pack_response(pack, drafts)
    ahead = Job.objects.filter(status=Job.QUEUED, created__lt=job.created).count() if job.status == Job.QUEUED else 0
    query = {"period": periods.format_month(period), "mode": mode, **({"theme": theme} if theme else {})}
    response = render(request, "reports/pack_preparing.html", {
        "force": force, "job": job, "ahead": ahead, "refresh": 3,
        "pack_label": packs.page_label(job, force, period, mode, theme, file_format, drafts),
        "stage": packs.stage_words(job.stage),
        "html_url": reverse("reports:report", args=[force.slug]) + "?" + urlencode(query)})
    response["Cache-Control"] = "no-store"
    return response


def _pack_response(pack, drafts: bool) -> HttpResponse:
    response = HttpResponse(bytes(pack.content), content_type="application/pdf" if pack.file_format == "pdf"
                            else "text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    response["Cache-Control"] = "private, no-store" if drafts else "public, max-age=60"
    return response


def _stored_html(request, force, drafts, period, mode, theme):
    """The HTML file: the stored one when a job has built it at the current
    version (two queries), else made here (a fraction of a second; cached
    like a page). Never queued: it is quick to make."""
    pack = packs.stored(force=force, period=period, mode=mode, theme=theme, file_format="html", drafts=drafts,
                        language=translation.get_language())
    if pack is not None:
        return _pack_response(pack, drafts)
    return _report_download(request, force, drafts, period, mode, theme)


def _report_download(request, force, drafts, period, mode, theme, file_format="html"):
    """The file export_report writes (HTML or PDF), as a download."""
    try:
        html = build_report(force=force, period=period, mode=mode, theme=theme, drafts=drafts)
        if file_format == "pdf":
            response = HttpResponse(build_pdf(html), content_type="application/pdf")
        else:
            response = HttpResponse(html, content_type="text/html; charset=utf-8")
    except ReportError as exc:
        return _bad_request(request, force, str(exc))
    name = report_filename(force, period, mode, theme, file_format, translation.get_language())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


