"""The API's version 1 at ``/api/v1/``: routed and described by django-ninja
(issue 30; docs/decisions.md, "API schema: django-ninja").

Each operation hands the request to the view of reports/api.py or
reports/area_views.py that answers the same path without ``v1`` (the
permanent aliases of reports/urls.py), and returns that view's response
unchanged: django-ninja passes an HttpResponse through, so the JSON of
SPEC §4 and §6 is the engine's ``to_api()`` byte for byte. The pydantic
models below describe those shapes for the OpenAPI 3.1 schema (served at
``/api/schema/``, read by the documentation page ``/api/docs/``); they
validate nothing at run time, and tests/test_api_schema.py validates real
responses against the schema (every model forbids keys it does not name, so
a new key in a response fails until the schema names it).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from indicators import vocabulary as v
from reports import api as views
from reports import area_views
from reports.api_http import API_REVISION

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Field(pattern=MONTH, description="A month, YYYY-MM.")]
Number = float | None


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the indicator object (SPEC §4, §6) ---------------------------------------------------------------

class Target(Shape):
    kind: Literal[tuple(v.TARGET_KINDS)]
    value: Number = Field(description="The target for the comparison's window; null for monitor, baseline, milestone.")
    wording: str


class Significance(Shape):
    test: Literal["binomial", "two-proportion", "interval-overlap"] | None
    p_value: Number
    result: Literal[v.SIGNIFICANCE_RESULTS]


class Signal(Shape):
    month: Month
    rules: list[Literal[v.SPC_RULES]]


class Spc(Shape):
    mean: Number
    ucl: Number
    lcl: Number
    sigma: Number
    variation: Literal[v.SPC_VARIATIONS] | None
    assurance: Literal[v.SPC_ASSURANCES] | None
    signals: list[Signal]


class PeerRate(Shape):
    force: str
    rate: float


class Msg(Shape):
    rate: float = Field(description="Rolling-12-month rate per 1,000 population.")
    average: float
    position: int | None = Field(description="1 = best by polarity; ties share the better rank.")
    of: int
    difference_pct: Number
    peers: list[PeerRate]


class Rating(Shape):
    method: Literal[tuple(v.ASSESSMENT_METHODS)] | Literal["benchmark"]
    value: Literal[tuple({x for values in v.RATING_VALUES.values() for x in values})] | None
    manual: bool


class Span(Shape):
    from_: Month = Field(alias="from")
    to: Month
    label: str = Field(examples=["rolling year to Nov 2022"])


class WindowValue(Shape):
    from_: Month = Field(alias="from")
    to: Month
    value: Number


class Compare(Shape):
    basis: Literal[tuple(v.COMPARISONS)]
    current: WindowValue
    previous: WindowValue | None
    change: Number
    change_pct: Number
    reason: str | None = Field(description="Why there is no comparison, in words.")


class Baseline(Shape):
    label: str
    from_: Month | None = Field(alias="from")
    to: Month | None
    value: Number
    change: Number
    change_pct: Number
    significance: Significance


class Replaces(Shape):
    code: str
    from_: Month | None = Field(alias="from")
    note: str


class Benchmark(Shape):
    force: str = Field(examples=["england-and-wales"])
    value: Number
    difference: Number
    difference_pct: Number


class Indicator(Shape):
    """One measure at the period (SPEC §4 and §6); unrounded numbers."""
    force: str
    indicator: str
    name: str
    period: Month
    financial_year: str = Field(examples=["2013/14"])
    unit: Literal[tuple(v.UNITS)]
    aggregation: Literal[tuple(v.AGGREGATIONS)]
    polarity: Literal[tuple(v.POLARITIES)]
    headline: bool
    ytd: Number
    last_ytd: Number
    change: Number
    change_pct: Number
    ytd_reason: str | None = Field(description="Why ytd is null, in words.")
    target: Target | None
    rag: Literal[(*v.RAGS, v.NO_DATA)] | None
    rag_source: Literal[v.RAG_SOURCES] | None
    projected_outturn: Number
    significance: Significance
    spc: Spc
    rolling_12: Number
    msg: Msg | None
    rating: Rating
    illustrative: bool = Field(description="Computed from a figure generated for the demo.")
    frequency: Literal[tuple(v.FREQUENCIES)]
    span: Span | None
    stale: bool
    compare: Compare | None
    baseline: Baseline | None
    replaces: Replaces | None
    benchmarks: list[Benchmark]
    display: str | None = Field(examples=["2nd of 43", "31 s", "6.4 / 10", "18,212"])


class Figure(Shape):
    month: Month = Field(description="The last month of the figure's span.")
    value: Number
    numerator: Number
    denominator: Number
    status: Literal[tuple(v.OBSERVATION_STATUSES)]
    illustrative: bool
    from_: Month = Field(alias="from", description="The first month of the figure's span.")
    lower: Number = Field(description="A survey figure's published 95% interval.")
    upper: Number


class IndicatorDetail(Indicator):
    monthly: list[Figure]


class IndicatorList(Shape):
    force: str
    period: Month | None
    financial_year: str | None
    indicators: list[Indicator]


class AreaSpc(Shape):
    variation: Literal[v.SPC_VARIATIONS] | None


class AreaFigures(Shape):
    code: str
    name: str
    ytd: Number
    last_ytd: Number
    change: Number
    change_pct: Number
    significance: Significance
    spc: AreaSpc
    rate_per_1000: Number
    rolling_12: Number


class IndicatorAreas(Shape):
    force: str
    indicator: str
    period: Month
    areas: list[AreaFigures]


# --- discovery and observations (issue 30) -------------------------------------------------------------

class PlanSummary(Shape):
    title: str
    start: str = Field(description="A date, YYYY-MM-DD.")
    end: str
    demo: bool = Field(description="Loaded by the demo.")


class ForceSummary(Shape):
    force: str = Field(description="The data.police.uk force id.", examples=["west-mercia"])
    name: str
    ons_code: str | None = Field(description="ONS code of the police force area (E23…, W15…; K04000001 and "
                                             "W92000004 for the benchmark series England and Wales, and Wales); "
                                             "null for a force that is not one of the 43.",
                                 examples=["E23000016"])
    benchmark: bool = Field(description="A benchmark series (SPEC §6), not a police force.")


class ForceListItem(ForceSummary):
    plans: list[PlanSummary]
    url: str


class ForceList(Shape):
    forces: list[ForceListItem]


class LocalArea(Shape):
    code: str
    gss_code: str | None = Field(description="The GSS code (E06/E07/E08/E09/W06…) when the area's code is one; "
                                             "null for an area with a code of its own.")
    name: str


class Measure(Shape):
    indicator: str
    name: str
    headline: bool
    unit: Literal[tuple(v.UNITS)]
    frequency: Literal[tuple(v.FREQUENCIES)]
    url: str


class Priority(Shape):
    number: int
    title: str
    area: int = Field(description="The number of its area of focus.")
    local_areas: list[str] = Field(description="Codes of the local areas that chose it as their own.")
    measures: list[Measure]


class AreaOfFocus(Shape):
    number: int
    title: str | None = Field(description="null for a plan that lists its priorities directly.")


class PlanDetail(PlanSummary):
    assessment: Literal[tuple(v.ASSESSMENT_METHODS)]
    area_label: str
    areas: list[AreaOfFocus]
    priorities: list[Priority]


class ForceLinks(Shape):
    indicators: str
    observations_csv: str
    observations_json: str


class ForceDetail(ForceSummary):
    period: Month | None = Field(description="The period the plan is chosen at: ?period=, else the default.")
    months: list[Month] = Field(description="Months with published data, newest first.")
    msg_peers: list[ForceSummary]
    local_areas: list[LocalArea]
    plans: list[PlanSummary]
    plan: PlanDetail | None
    links: ForceLinks


class Observation(Shape):
    indicator: str
    area: str | None = Field(description="The local area's code; null for the whole force.")
    month: Month
    from_: Month = Field(alias="from")
    value: Number
    numerator: Number
    denominator: Number
    status: Literal[tuple(v.OBSERVATION_STATUSES)]
    note: str
    lower: Number
    upper: Number
    illustrative: bool


class ObservationPage(Shape):
    force: str
    observations: list[Observation]
    next: str | None = Field(description="The next page's URL; null on the last page.")


class Error(Shape):
    error: str = Field(description="What was wrong, naming the parameter.")


# --- the operations ----------------------------------------------------------------------------------

api = NinjaAPI(
    title="pccperf API", version="1", urls_namespace="api-v1", docs_url=None, openapi_url=None,
    description=(
        "Read-only figures of Police and Crime Plans: the plans, their measures with the engine's verdicts "
        "(SPEC §3, §6), the figures themselves, the force's and its local areas'. Published data only, unless the signed-in "
        "user may see a force's drafts. Every path also answers without /v1 (/api/forces/…), the paths "
        "from before versions. Numbers are unrounded."),
)

_ERRORS = {400: Error, 404: Error, 429: Error}
_PERIOD = Query(None, description="The month to report at, YYYY-MM; default: the latest month with published "
                                  "data for every headline measure (SPEC §2).",
                example="2013-06")
_DATE = Query(None, description="data.police.uk's name for period (an alias; give one of them).",
              example="2013-06")
_FROM = Query(None, alias="from", description="First month, YYYY-MM.")
_TO = Query(None, description="Last month, YYYY-MM.")
# The months' pattern is written into the schema (_describe_common) rather than given to Query, which would
# check it itself and answer 422; the views check it and answer 400 naming the parameter, at both paths.
# So with `limit`, described as the whole number it is.
_MONTH_PARAMETERS = ("period", "date", "from", "to")
_INDICATOR = Query(None, description="One indicator's code.")
_FORCE = Path(..., description="The force's data.police.uk id, e.g. west-mercia (its force in /api/v1/forces/).")
_CODE = Path(..., description="The indicator's code, e.g. vwi (a measure's indicator in the force's plan).")
_AREA = Query(None, description="One local area's code.")


@api.get("/forces/", response={200: ForceList, **_ERRORS}, by_alias=True, operation_id="force_list", tags=["forces"],
         summary="Every force, with its ONS code and plans")
def force_list(request):
    return views.force_list(request)


@api.get("/forces/{force}/", response={200: ForceDetail, **_ERRORS}, by_alias=True, operation_id="force_detail", tags=["forces"],
         summary="One force: its plan in force, local areas, MSG peers and months with data")
def force_detail(request, force: str = _FORCE, period: str | None = _PERIOD, date: str | None = _DATE):
    return views.force_detail(request, force=force)


@api.get("/forces/{force}/indicators/", response={200: IndicatorList, **_ERRORS}, by_alias=True, operation_id="indicator_list",
         tags=["indicators"], summary="Every measure of the force at the period (SPEC §4)")
def indicator_list(request, force: str = _FORCE, period: str | None = _PERIOD, date: str | None = _DATE):
    return views.indicator_list(request, force=force)


@api.get("/forces/{force}/indicators/{code}/", response={200: IndicatorDetail, **_ERRORS},
         by_alias=True, operation_id="indicator_detail", tags=["indicators"],
         summary="One measure with its monthly series (SPEC §4)")
def indicator_detail(request, force: str = _FORCE, code: str = _CODE, period: str | None = _PERIOD,
                     date: str | None = _DATE):
    return views.indicator_detail(request, force=force, code=code)


@api.get("/forces/{force}/indicators/{code}/areas/", response={200: IndicatorAreas, **_ERRORS},
         by_alias=True, operation_id="indicator_areas", tags=["local areas"],
         summary="One measure in each local area of the force (SPEC §4 Local areas)")
def indicator_areas(request, force: str = _FORCE, code: str = _CODE, period: str | None = _PERIOD,
                    date: str | None = _DATE):
    return area_views.indicator_areas(request, force=force, code=code)


_CSV = {"responses": {200: {"description": "The return file (SPEC §4, §6): force, indicator, month, value, "
                                             "numerator, denominator, status, note, then area, from, lower, "
                                             "upper and illustrative (true/false) where any row uses them.",
                              "content": {"text/csv": {"schema": {"type": "string"}}}}}}


@api.get("/forces/{force}/observations.csv", response={**_ERRORS}, by_alias=True, operation_id="observations_csv",
         tags=["observations"], summary="The force's figures as a return file, local areas' included",
         openapi_extra=_CSV)
def observations_csv(request, force: str = _FORCE, from_: str | None = _FROM, to: str | None = _TO,
                     indicator: str | None = _INDICATOR, area: str | None = _AREA):
    return views.observations_csv(request, force=force)


@api.get("/forces/{force}/observations.json", response={200: ObservationPage, **_ERRORS},
         by_alias=True, operation_id="observations_json", tags=["observations"],
         summary="The force's figures as JSON, a page at a time (cursor)")
def observations_json(request, force: str = _FORCE, from_: str | None = _FROM, to: str | None = _TO,
                      indicator: str | None = _INDICATOR, area: str | None = _AREA,
                      cursor: str | None = Query(None, description="From the `next` link of the page before."),
                      limit: str | None = Query(None, description=f"Rows a page, 1 to {views.MAX_LIMIT}; default "
                                                                  f"{views.DEFAULT_LIMIT}.")):
    return views.observations_json(request, force=force)


def _describe_common(schema: dict) -> dict:
    """What every operation may also answer: 304 for a client that holds the
    current version (ETag), 429 past the rate limit."""
    for item in schema["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in _MONTH_PARAMETERS:
                    parameter["schema"]["pattern"] = MONTH
                if parameter["name"] == "limit":
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": views.MAX_LIMIT,
                                           "default": views.DEFAULT_LIMIT, "description": parameter["description"]}
            responses = operation["responses"]
            responses.setdefault("304", {"description": "Not modified: If-None-Match names the current ETag "
                                                        "(public data only)."})
            for status, words in _COMMON.items():
                if status in responses:
                    responses[status]["description"] = words
            operation["responses"] = dict(sorted(responses.items()))
    return schema


_COMMON = {"429": "Too many requests from this address; Retry-After says in how many seconds to ask again.",
           "400": "A query parameter cannot be used; the message names it.",
           "404": "No such force, indicator or local area."}
_schema: dict | None = None


def openapi_schema() -> dict:
    """The OpenAPI 3.1 document of version 1 (built once per process)."""
    global _schema
    if _schema is None:
        # through JSON: the response codes become the strings a client reads
        _schema = _describe_common(json.loads(json.dumps(api.get_openapi_schema(path_prefix="api/v1"))))
    return _schema


def _static(response: HttpResponse, body: bytes, request) -> HttpResponse:
    """The schema and the docs change only with a deploy: an ETag of their content."""
    etag = '"' + hashlib.sha256(API_REVISION.encode() + body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.API_MAX_AGE}"
    return response


@require_GET
def schema_view(request):
    """``/api/schema/``: the OpenAPI 3.1 document."""
    response = JsonResponse(openapi_schema(), json_dumps_params={"indent": 1})
    return _static(response, response.content, request)


@require_GET
def docs_view(request):
    """``/api/docs/``: the documentation page, rendered on the server from
    the schema (no script, no CDN; the site's CSP holds). Not marked public:
    its header differs for a signed-in user, as every page's does."""
    schema = openapi_schema()
    components = schema["components"]["schemas"]
    operations = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            responses = []
            for status, r in op["responses"].items():
                ref = (r.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") or "")
                name = ref.rsplit("/", 1)[-1]
                responses.append({"status": status, "description": r.get("description", ""), "shape": name,
                                  "type": next(iter(r.get("content", {})), "")})
            operations.append({
                "id": op["operationId"], "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "description": p.get("description") or p.get("schema", {}).get("description", ""),
                                "pattern": p.get("schema", {}).get("pattern", "")}
                               for p in op.get("parameters", [])],
                "responses": responses,
            })
    shapes = [{"name": name, "fields": [
        {"name": field, "type": _type_words(spec), "required": field in body.get("required", []),
         "description": spec.get("description", "")}
        for field, spec in body.get("properties", {}).items()]} for name, body in sorted(components.items())]
    response = render(request, "reports/api_docs.html", {
        "info": schema["info"], "operations": operations, "shapes": shapes,
        "schema_size": len(json.dumps(schema)), "max_age": settings.API_MAX_AGE,
        "rate": settings.API_RATE_LIMIT})
    return response


def _type_words(spec: dict) -> str:
    """A property's type in a few words: ``number or null``, ``list of Figure``."""
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_type_words(s) for s in spec["anyOf"])
    if "enum" in spec:
        return "one of " + ", ".join(json.dumps(x) for x in spec["enum"])
    if "const" in spec:
        return json.dumps(spec["const"])
    if spec.get("type") == "array":
        return "list of " + _type_words(spec.get("items", {}))
    return str(spec.get("type", "any"))
