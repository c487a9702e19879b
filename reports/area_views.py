"""Local-area pages and API (SPEC §4 "Local areas"): `/<force>/areas/`,
`/<force>/areas/<code>/` and `/api/forces/<force>/indicators/<code>/areas/`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from indicators import periods, selectors
from reports import charts
from reports.api import _error, _period, api_view
from reports.cache import cached_page
from reports.local_areas import (
    DEFAULT_SORT,
    NO_POPULATION,
    SORTS,
    area_row,
    difference_words,
    local_area_results,
    priority_matrix,
    sort_param,
    sorted_areas,
    worse_first,
)
from reports.params import BadParam
from reports.plan_results import page_state
from reports.views import _bad_request, force_page


def _area_url(force_slug: str, code: str, period_param: str) -> str:
    return reverse("reports:local-area", args=[force_slug, code]) + "?" + urlencode({"period": period_param})


@cached_page
@force_page
def local_areas(request, force, drafts: bool, period):
    """Every local area × every `sum` count measure with local figures, what
    needs attention first, and the matrix of the priorities the areas chose.
    ``?sort=`` orders the areas on the server (works without scripts).
    Queries, the same for 3 areas or 300 and 1 measure or 60
    (tests/test_query_budgets.py):

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in: `force_page`)
    3. the default period, when none is asked for
    4-8. `local_area_results`: indicators, areas, areas' figures (+ lines
       with drafts), the force's figures (+ lines), areas' populations
    9-10. the plan in force; its priorities with the areas that chose them
    11. the state of the areas' figures (+ draft lines)
    12. the months with data, for the period menu
    """
    try:
        sort = sort_param(request)
    except BadParam as exc:
        return _bad_request(request, force, str(exc), title=gettext("That order cannot be shown"))
    context = {"force": force, "period": period, "drafts_visible": drafts, "sort": sort}
    if period is None:
        return render(request, "reports/areas.html", context)
    period_param = periods.format_month(period)
    data = local_area_results(force, period, drafts)
    measures = []
    attention = []
    for m in data.measures:
        rows = [area_row(a, _area_url(force.slug, a.code, period_param)) for a in sorted_areas(m.areas, sort)]
        measures.append({"measure": m, "result": m.force, "rows": rows, "difference": difference_words(m),
                         "indicator_url": reverse("reports:indicator", args=[force.slug, m.force.indicator])
                         + f"?period={period_param}"})
        attention += [(worse_first(row.figures), row, m.force) for row in rows if row.attention]
    attention.sort(key=lambda item: item[0])
    base = "?" + urlencode({"period": period_param})
    context.update({
        "areas": data.areas.to_dict("records"),
        "measures": measures,
        "attention": [{"row": row, "measure": result} for _, row, result in attention],
        "matrix": priority_matrix(force, period, data.areas),
        # no rates, no order by rate (issue 29, item 5): the option is offered only where a rate exists
        "sorts": [{"value": v, "label": label, "url": f"{base}&sort={v}", "current": v == sort}
                  for v, label in SORTS.items() if v != "rate" or data.any_rate or sort == "rate"],
        "sort_label": SORTS[sort], "default_sort": DEFAULT_SORT,
        "sort_urls": {v: f"{base}&sort={v}" for v in SORTS},
        "any_rate": data.any_rate, "no_population": NO_POPULATION,
        "area_urls": {code: _area_url(force.slug, code, period_param) for code in data.areas["area_code"]},
        "state": page_state([m.indicator_id for m in data.measures], period, drafts, areas_of=force),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "period_param": period_param,
    })
    return render(request, "reports/areas.html", context)


@cached_page
@force_page
def local_area(request, force, drafts: bool, period, code: str):
    """One local area's dashboard: its measures, their trend and SPC charts
    (each with its data table), and its place among the force's other areas
    (rate per 1,000, the areas' average, position), like the MSG comparison.
    Queries, the same for 3 areas or 300:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in: `force_page`)
    3. the default period, when none is asked for
    4. the area
    5-9. `local_area_results`: indicators, areas, areas' figures (+ lines
       with drafts), the force's figures (+ lines), areas' populations
    10-11. the plan in force; its priorities with the areas that chose them
    12. the state of the area's figures (+ draft lines)
    13. the months with data, for the period menu
    """
    area = selectors.local_area_by_code(force=force, code=code)
    if area is None:
        raise Http404(f"{force.name} has no local area {code!r}")
    context = {"force": force, "area": area, "period": period, "drafts_visible": drafts}
    if period is None:
        return render(request, "reports/area.html", context)
    period_param = periods.format_month(period)
    data = local_area_results(force, period, drafts, monthly=True)
    items = []
    for m in data.measures:
        mine = next(a for a in m.areas if a.area_id == area.id)
        others = [area_row(a, _area_url(force.slug, a.code, period_param)) for a in sorted_areas(m.areas, "rate"
                                                                                                if data.any_rate
                                                                                                else "ytd")]
        prefix = f"area-{area.code}-"
        items.append({
            "row": area_row(mine, ""), "force": m.force, "comparison": mine.result.msg_comparison,
            "others": others,
            "charts": [ch for ch in (charts.trend_chart(mine.result, period, prefix),
                                     charts.spc_chart(mine.result, prefix)) if ch],
            "spc_summary": charts.spc_summary(mine.result),
            "indicator_url": reverse("reports:indicator", args=[force.slug, m.force.indicator])
            + f"?period={period_param}",
        })
    plan = selectors.plan_for(force=force, period=period, with_measures=False)
    chosen = ([(n, t) for n, t, ids in selectors.priority_local_areas(plan=plan) if area.id in ids]
              if plan else [])
    context.update({
        "items": items, "chosen": chosen, "plan": plan,
        "any_rate": data.any_rate, "no_population": NO_POPULATION,
        "areas_url": reverse("reports:local-areas", args=[force.slug]) + f"?period={period_param}",
        "state": page_state([m.indicator_id for m in data.measures], period, drafts, areas_of=force,
                            area_id=area.id),
        "months": selectors.months_with_data(force=force, include_drafts=drafts),
        "period_param": period_param,
    })
    return render(request, "reports/area.html", context)


@api_view
def indicator_areas(request, force, code: str):
    """SPEC §4: `{force, indicator, period, areas: [{code, name, ytd,
    last_ytd, change, change_pct, significance, spc: {variation},
    rate_per_1000, rolling_12}]}`, by the same engine as the force's own.
    ``areas`` is empty for a measure that is not a `sum` count or has no
    local figures. Queries, the same for 3 areas or 300:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in)
    3. the default period, when none is asked for
    4. the indicator
    5-9. `local_area_results` for that indicator: indicators, areas,
       areas' figures (+ lines with drafts), the force's figures (+ lines),
       areas' populations
    """
    period, drafts = _period(request, force)
    if selectors.indicator_by_code(force=force, code=code) is None:
        return _error(404, gettext("force %(force)r has no indicator %(code)r") % {"force": force.slug, "code": code})
    if period is None:
        return _error(404, gettext("%(force)r has no published data yet; give ?period=YYYY-MM") % {"force": force.slug})
    data = local_area_results(force, period, drafts, codes=[code])
    areas = data.measures[0].areas if data.measures else ()
    return JsonResponse({"force": force.slug, "indicator": code, "period": periods.format_month(period),
                         "areas": [a.to_api() for a in areas]})
