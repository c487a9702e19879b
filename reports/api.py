"""Read-only JSON API and CSV download (SPEC §4; issue 30: discovery, the
observations of local areas, caching headers).

Every view here answers at ``/api/v1/...`` (routed and described by
reports/api_v1.py) and at the same path without ``v1`` (reports/urls.py),
the permanent alias of the paths from before versions."""

from __future__ import annotations

import base64
import binascii
import csv
import json
import re
from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from indicators import periods, selectors, vocabulary
from indicators.access.permissions import can_see_drafts
from indicators.engine.performance import evaluate
from indicators.engine.result import IndicatorResult
from indicators.engine.windows import Span
from indicators.models import Force
from indicators.returns.file import format_cell
from reports.api_http import api_response
from reports.params import BadParam, month_param

RETURN_COLUMNS = ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note"]
# The return file's optional columns (SPEC §4 `area`, §6 `from`, `lower`, `upper`, issue 30 `illustrative`):
# an export has each one that any of its rows uses, found by its header name as an import finds it.
OPTIONAL_COLUMNS = ["area", "from", "lower", "upper", "illustrative"]
# observations.json pages (issue 30): ?limit= rows, at most MAX_LIMIT.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
_GSS = re.compile(vocabulary.GSS_CODE)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def api_view(view):
    """A read-only API view: GET only, cached like the pages; the force slug
    in the URL becomes the Force (a JSON 404 when unknown), and a BadParam
    raised inside becomes a JSON 400 with its message."""
    @require_GET
    @wraps(view)
    def wrapper(request, force: str, **kwargs):
        def render():
            force_obj = selectors.force_by_slug(slug=force)
            if force_obj is None:
                return _error(404, gettext("no force %(force)r") % {"force": force})
            try:
                return view(request, force_obj, **kwargs)
            except BadParam as exc:
                return _error(400, str(exc))
        return api_response(request, render)
    return wrapper


def site_api_view(view):
    """`api_view` for a view of no one force (the list of forces): keyed by
    every force's data version."""
    @require_GET
    @wraps(view)
    def wrapper(request, **kwargs):
        def render():
            try:
                return view(request, **kwargs)
            except BadParam as exc:
                return _error(400, str(exc))
        return api_response(request, render)
    return wrapper


def _period(request, force: Force) -> tuple[date | None, bool]:
    """The period asked for (or the default), and whether drafts are visible."""
    drafts = can_see_drafts(request.user, force)
    return month_param(request) or selectors.default_period(force=force, include_drafts=drafts), drafts


def _evaluate(force: Force, frame, period: date | None, drafts: bool, *,
              monthly: bool) -> list[IndicatorResult]:
    """The engine's results for ``frame``'s indicators (`selectors.indicator_frame`,
    which carries the plan's rating method) at ``period``."""
    if period is None:
        return []
    inputs = selectors.performance_inputs(force=force, indicators=frame, period=period, include_drafts=drafts)
    return evaluate(inputs, period=period, indicator_ids=list(frame["id"]), monthly=monthly)


@api_view
def indicator_detail(request, force: Force, code: str):
    """One indicator with its monthly series (SPEC §4). Queries, the same
    for a force of 5 indicators or 60 (tests/test_query_budgets.py):

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in)
    3. the default period, when none is asked for
    4. the indicator (with its plan's rating method)
    5-7. the engine's inputs: the MSG peers' indicators with the peer list
       and populations (one query), observations (+ unpublished lines with drafts), the
       targets with the assessments (one query)
    """
    period, drafts = _period(request, force)
    frame = selectors.indicator_frame(force=force, codes=[code], period=period)
    if frame.empty:
        return _error(404, gettext("force %(force)r has no indicator %(code)r") % {"force": force.slug, "code": code})
    results = _evaluate(force, frame, period, drafts, monthly=True)
    if period is None:
        return _error(404, gettext("indicator %(code)r of %(force)r has no published data yet; give ?period=YYYY-MM")
                      % {"code": code, "force": force.slug})
    return JsonResponse(results[0].to_api(monthly=True))


@api_view
def indicator_list(request, force: Force):
    """Every indicator of the force at the period (SPEC §4). Queries, the
    same for 5 indicators or 60:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in)
    3. the default period, when none is asked for
    4. the indicators (with their plan's rating method)
    5-7. the engine's inputs: the MSG peers' indicators with the peer list
       and populations (one query), observations (+ unpublished lines with drafts), the
       targets with the assessments (one query)
    """
    period, drafts = _period(request, force)
    results = _evaluate(force, selectors.indicator_frame(force=force, period=period), period, drafts,
                        monthly=False)
    return JsonResponse({
        "force": force.slug,
        "period": None if period is None else periods.format_month(period),
        "financial_year": None if period is None else periods.financial_year(period),
        "indicators": [r.to_api(monthly=False) for r in results],
    })


def _observation_filters(request, force: Force):
    """``from``, ``to``, ``indicator`` and ``area`` of an observations
    export, checked: (first, last, code, area) or a JSON 404 response."""
    first = month_param(request, "from")
    last = month_param(request, "to")
    if first and last and last < first:
        raise BadParam(gettext("to (%(last)s) is before from (%(first)s)") % {
            "last": periods.format_month(last), "first": periods.format_month(first)})
    code = request.GET.get("indicator") or None
    if code and selectors.indicator_by_code(force=force, code=code) is None:
        return _error(404, gettext("force %(force)r has no indicator %(code)r") % {"force": force.slug, "code": code})
    area_code = request.GET.get("area") or None
    area = None
    if area_code:
        area = selectors.local_area_by_code(force=force, code=area_code)
        if area is None:
            return _error(404, gettext("force %(force)r has no local area %(area)r") % {"force": force.slug, "area": area_code})
    return first, last, code, area


@api_view
def observations_csv(request, force: Force):
    """The force's figures in the return-file format (SPEC §4): the whole
    force's and each local area's (``area``), with the §6 columns ``from``,
    ``lower`` and ``upper`` and ``illustrative`` (``true``/``false``: a
    figure generated for the demo); each optional column is there when a
    row uses it. Importing the file into an empty copy of the force's plan gives the
    same figures (tests/test_api_observations.py). Queries, however many rows:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in)
    3. the indicator, when ``?indicator=`` names one
    4. the local area, when ``?area=`` names one
    5. the observations (+ unpublished lines with drafts)
    """
    filters = _observation_filters(request, force)
    if isinstance(filters, HttpResponse):
        return filters
    first, last, code, area = filters
    rows = selectors.observation_export_rows(force=force, first=first, last=last, code=code, area=area,
                                             include_drafts=can_see_drafts(request.user, force))
    # a row's area, from, lower, upper and illustrative: the column is written when any row has one
    optional = [name for name, at in zip(OPTIONAL_COLUMNS, (1, 3, 9, 10, 11))
                if any(r[at] is not None and r[at] != "" and r[at] is not False for r in rows)]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    span = f"{periods.format_month(first) if first else 'start'}_{periods.format_month(last) if last else 'latest'}"
    name = f"{force.slug}_{code}" if code else f"{force.slug}_observations"
    if area is not None:
        name += f"_{area.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}_{span}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(RETURN_COLUMNS + optional)
    for code_, area_, month, from_, value, num, den, status, note, lower, upper, illustrative, *_ in rows:
        extra = {"area": area_, "from": periods.format_month(from_) if from_ else "",
                 "lower": format_cell(lower), "upper": format_cell(upper),
                 "illustrative": "true" if illustrative else "false"}
        writer.writerow([force.slug, code_, periods.format_month(month), format_cell(value), format_cell(num),
                         format_cell(den), status, note, *(extra[c] for c in optional)])
    return response


def _span_start(month: date, first: date | None, frequency: str, covers: int | None) -> date:
    """The first month of a figure's span (SPEC §6), as the engine reads it
    (a quarterly figure without ``from`` covers the quarter to its month)."""
    try:
        return Span.of(month, frequency, first, covers).first
    except ValueError:           # a figure held before its measure's frequency changed: as it was filed
        return first or month


def _cursor(raw: str | None) -> tuple[str, str, date] | None:
    """The key a ``?cursor=`` stands for (the last row of the page before)."""
    if not raw:
        return None
    try:
        code, area, month = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
        return str(code), str(area), periods.parse_month(month)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise BadParam(gettext("cursor: not a cursor this API gave; follow the `next` link of the page before")) from None


def _limit(request) -> int:
    raw = request.GET.get("limit")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadParam(gettext("limit: %(limit)r is not a whole number from 1 to %(most)s") % {"limit": raw, "most": MAX_LIMIT})
    return int(raw)


@api_view
def observations_json(request, force: Force):
    """``observations.csv`` as JSON, a page at a time (issue 30): ``{force,
    observations: [{indicator, area, month, from, value, numerator,
    denominator, status, note, lower, upper, illustrative}], next}``;
    ``next`` is the URL of the next page (``?cursor=``), null on the last.
    Queries, however many rows: those of ``observations.csv``, the
    observations query reading one page (``?limit=``, 1,000 rows unless
    asked, at most 5,000) after the cursor's key."""
    filters = _observation_filters(request, force)
    if isinstance(filters, HttpResponse):
        return filters
    first, last, code, area = filters
    after = _cursor(request.GET.get("cursor"))
    limit = _limit(request)
    rows = selectors.observation_export_rows(force=force, first=first, last=last, code=code, area=area,
                                             after=after, limit=limit,
                                             include_drafts=can_see_drafts(request.user, force))
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        key = json.dumps([rows[-1][0], rows[-1][1], periods.format_month(rows[-1][2])], separators=(",", ":"))
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        query["cursor"] = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
        following = f"{request.path}?{urlencode(query)}"
    return JsonResponse({"force": force.slug, "observations": [{
        "indicator": code_, "area": area_ or None, "month": periods.format_month(month),
        "from": periods.format_month(_span_start(month, from_, frequency, covers)), "value": value, "numerator": num, "denominator": den,
        "status": status, "note": note, "lower": lower, "upper": upper, "illustrative": illustrative,
    } for code_, area_, month, from_, value, num, den, status, note, lower, upper, illustrative, frequency, covers
        in rows],
        "next": following})


def _force_summary(force: Force) -> dict:
    return {"force": force.slug, "name": force.name, "ons_code": vocabulary.FORCE_ONS_CODES.get(force.slug),
            "benchmark": force.is_benchmark}


def _plan_summary(plan) -> dict:
    return {"title": plan.title, "start": plan.start.isoformat(), "end": plan.end.isoformat(),
            "demo": plan.is_demo}


@site_api_view
def force_list(request):
    """Every force pccperf holds (issue 30), with its ONS code and its
    plans, and the benchmark series (SPEC §6): ``{forces: [{force, name,
    ons_code, benchmark, plans: [{title, start, end, demo}], url}]}``.
    Queries, however many forces: the data version, the forces, the plans."""
    return JsonResponse({"forces": [
        {**_force_summary(force), "plans": [_plan_summary(p) for p in force.plan_list],
         "url": f"{_api_root(request)}forces/{force.slug}/"}
        for force in selectors.force_list()]})


def _api_root(request) -> str:
    """``/api/v1/`` or ``/api/``: the links a response gives stay under the root it was asked at."""
    return "/api/v1/" if request.path.startswith("/api/v1/") else "/api/"


@api_view
def force_detail(request, force: Force):
    """One force (issue 30): its ONS code; its MSG peers; its local areas
    with their GSS codes; the months with published data (newest first) and
    the default period; its plans; and the plan in force at the period
    (``?period=``/``?date=``, else the default) with its areas, priorities
    and measures, and the local areas that chose each priority. Queries,
    the same for 5 measures or 60 and 3 areas or 300:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in)
    3. the default period (when none is asked for)
    4. the months with data
    5. the MSG peers
    6. the local areas
    7. the plans
    8. the plan in force with its areas, priorities and measures
    9. the local areas that chose each priority
    """
    period, drafts = _period(request, force)
    months = selectors.months_with_data(force=force, include_drafts=drafts)
    peers = selectors.force_peers(force=force)
    areas = selectors.local_area_list(force=force)
    plans = selectors.force_plans(force=force)
    plan = selectors.plan_for(force=force, period=period) if plans else None
    root = _api_root(request)
    body = {**_force_summary(force),
            "period": None if period is None else periods.format_month(period),
            "months": [periods.format_month(m) for m in months],
            "msg_peers": [_force_summary(p) for p in peers],
            "local_areas": [{"code": a.code, "gss_code": a.code if _GSS.fullmatch(a.code) else None, "name": a.name}
                            for a in areas],
            "plans": [_plan_summary(p) for p in plans],
            "plan": None if plan is None else _plan_detail(plan, areas, root, force.slug),
            "links": {"indicators": f"{root}forces/{force.slug}/indicators/",
                      "observations_csv": f"{root}forces/{force.slug}/observations.csv",
                      "observations_json": f"{root}forces/{force.slug}/observations.json"}}
    return JsonResponse(body)


def _plan_detail(plan, areas, root: str, force: str) -> dict:
    """The plan in force: its areas of focus and every priority with its
    measures in order (a measure listed under two priorities is in both)."""
    code_of = {a.id: a.code for a in areas}
    chosen = {number: [code_of[i] for i in ids if i in code_of]
              for number, _, ids in selectors.priority_local_areas(plan=plan)}
    out = {**_plan_summary(plan), "assessment": plan.assessment, "area_label": plan.area_label,
           "areas": [], "priorities": []}
    for area in plan.areas.all():
        out["areas"].append({"number": area.number, "title": area.title or None})
        for priority in area.priorities.all():
            out["priorities"].append({
                "number": priority.number, "title": priority.title, "area": area.number,
                "local_areas": chosen.get(priority.number, []),
                "measures": [{"indicator": m.indicator.code, "name": m.indicator.name, "headline": m.headline,
                              "unit": m.indicator.unit, "frequency": m.indicator.frequency,
                              "url": f"{root}forces/{force}/indicators/{m.indicator.code}/"}
                             for m in priority.measures.all()]})
    return out
