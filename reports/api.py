"""Read-only JSON API and CSV download (SPEC §4)."""

from __future__ import annotations

import csv
from datetime import date
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from indicators import periods, selectors
from indicators.access.permissions import can_see_drafts
from indicators.engine.performance import evaluate
from indicators.engine.result import IndicatorResult
from indicators.models import Force
from indicators.returns.file import format_cell
from reports.cache import cached_page
from reports.params import BadParam, month_param

RETURN_COLUMNS = ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note"]


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def api_view(view):
    """A read-only API view: GET only, cached like the pages; the force slug
    in the URL becomes the Force (a JSON 404 when unknown), and a BadParam
    raised inside becomes a JSON 400 with its message."""
    @require_GET
    @cached_page
    @wraps(view)
    def wrapper(request, force: str, **kwargs):
        force_obj = selectors.force_by_slug(slug=force)
        if force_obj is None:
            return _error(404, gettext("no force %(force)r") % {"force": force})
        try:
            return view(request, force_obj, **kwargs)
        except BadParam as exc:
            return _error(400, str(exc))
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


@api_view
def observations_csv(request, force: Force):
    """The force's figures in the return-file format (SPEC §4). Queries,
    however many rows:

    1. the data version (page cache key; not for users who see drafts)
    2. the force (+ the session, user, user's groups and forces when signed in)
    3. the indicator, when ``?indicator=`` names one
    4. the observations (+ unpublished lines with drafts)
    """
    first = month_param(request, "from")
    last = month_param(request, "to")
    if first and last and last < first:
        raise BadParam(gettext("to (%(last)s) is before from (%(first)s)") % {
            "last": periods.format_month(last), "first": periods.format_month(first)})
    code = request.GET.get("indicator") or None
    if code and selectors.indicator_by_code(force=force, code=code) is None:
        return _error(404, gettext("force %(force)r has no indicator %(code)r") % {"force": force.slug, "code": code})
    rows = selectors.observation_export_rows(force=force, first=first, last=last, code=code,
                                             include_drafts=can_see_drafts(request.user, force))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    span = f"{periods.format_month(first) if first else 'start'}_{periods.format_month(last) if last else 'latest'}"
    name = f"{force.slug}_{code}" if code else f"{force.slug}_observations"
    response["Content-Disposition"] = f'attachment; filename="{name}_{span}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(RETURN_COLUMNS)
    for code, month, value, num, den, status, note in rows:
        writer.writerow([force.slug, code, periods.format_month(month), format_cell(value), format_cell(num),
                         format_cell(den), status, note])
    return response
