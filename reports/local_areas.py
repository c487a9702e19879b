"""What the local-area pages, the API and the panel report show (SPEC §4
"Local areas"): the selectors' frames through `engine.areas`, which runs
the one engine over each area's figures. One place, so all show the same."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.contrib.humanize.templatetags.humanize import ordinal as humanize_ordinal
from django.utils.translation import get_language, gettext, gettext_lazy

from indicators import selectors
from indicators.engine import areas as engine_areas
from indicators.engine import columns as c
from indicators.engine.areas import AreaFigures, MeasureAreas
from indicators.engine.performance import window_start
from indicators.engine.ratings import improved, needs_attention
from indicators.models import Force
from reports import formatting as fmt
from reports.params import BadParam
from reports.tables import why

# ?sort= of the areas page: sorted on the server, so it works without scripts.
SORTS = {
    "attention": gettext_lazy("what needs attention first"),
    "name": gettext_lazy("area name, A to Z"),
    "ytd": gettext_lazy("YTD, highest first"),
    "change": gettext_lazy("change on last year, largest rise first"),
    "rate": gettext_lazy("rate per 1,000 people, highest first"),
}
DEFAULT_SORT = "attention"
NO_POPULATION = gettext_lazy("No rate per 1,000 people: there is no published population estimate for these local "
                             "areas, so their figures are compared as counts.")


@dataclass
class LocalAreas:
    """A force's local areas and its measures' figures for each."""
    areas: pd.DataFrame                 # engine.areas.AREA_COLUMNS
    measures: list[MeasureAreas]
    rating_method: str

    @property
    def any_rate(self) -> bool:
        return any(a.population for m in self.measures for a in m.areas)


def local_area_results(force: Force, period: date, drafts: bool, *, codes: list[str] | None = None,
                       monthly: bool = False) -> LocalAreas:
    """Every `sum` count measure of the force (those in ``codes``) with local
    figures, for every local area and the force itself. Queries, however
    many areas or measures: the indicators (with the plan's rating method);
    the areas; the areas' figures (+ unpublished lines with drafts); the
    force's own figures (+ unpublished lines); the areas' populations — five
    (seven with drafts)."""
    indicators = selectors.indicator_frame(force=force, codes=codes, period=period)
    areas = selectors.local_area_frame(force=force)
    observations = selectors.area_observation_frame(force=force, start=window_start(period), end=period,
                                                    include_drafts=drafts)
    ids = [int(i) for i in engine_areas.comparable(indicators)[c.ID]]
    force_observations = selectors.observation_frame(indicator_ids=ids, start=window_start(period), end=period,
                                                     include_drafts=drafts)
    populations = selectors.local_area_population_frame(force=force)
    method = str(indicators[c.RATING_METHOD].iloc[0]) if len(indicators) else "targets"
    measures = engine_areas.evaluate_areas(indicators=indicators, areas=areas, observations=observations,
                                           force_observations=force_observations, populations=populations,
                                           rating_method=method, period=period, monthly=monthly)
    return LocalAreas(areas, measures, method)


def sort_param(request) -> str:
    raw = request.GET.get("sort") or DEFAULT_SORT
    if raw not in SORTS:
        raise BadParam(gettext("sort: %(raw)s is not one of %(sorts)s") % {"raw": repr(raw), "sorts": ", ".join(SORTS)})
    return raw


def _missing_last(value, reverse: bool) -> tuple:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0)
    return (0, -value if reverse else value)


def worse_first(figures: AreaFigures) -> tuple:
    """Needs attention first; then the largest change in the bad direction."""
    r = figures.result
    direction = {"down": -1, "up": 1}.get(r.polarity, 0)
    change = r.change_pct
    badness = (-change * direction if direction else abs(change)) if change is not None else None
    # a larger badness is worse, so it comes first
    return (0 if needs_attention(r) else 1, *_missing_last(badness, True), figures.name)


def sorted_areas(figures, sort: str) -> list[AreaFigures]:
    if sort == "name":
        return sorted(figures, key=lambda a: a.name.lower())
    if sort == "ytd":
        return sorted(figures, key=lambda a: (*_missing_last(a.result.ytd, True), a.name))
    if sort == "change":
        return sorted(figures, key=lambda a: (*_missing_last(a.result.change_pct, True), a.name))
    if sort == "rate":
        return sorted(figures, key=lambda a: (*_missing_last(a.rate_per_1000, True), a.name))
    return sorted(figures, key=worse_first)


@dataclass(frozen=True)
class AreaRow:
    """One area's row in a measure's table, with the words the page shows."""
    figures: AreaFigures
    url: str
    attention: bool
    why: str
    variation: str
    variation_class: str
    significance: str
    rate: float | None
    comparison: str            # "3rd lowest of 14" or ""

    @property
    def result(self):
        return self.figures.result


def ordinal(n: int) -> str:
    """3 -> "3rd" (in Welsh, Django's Welsh ordinals)."""
    if (get_language() or "").startswith("cy"):
        return str(humanize_ordinal(n))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def position_words(figures: AreaFigures) -> str:
    """Where the area's rate stands among the force's areas (1 = best by polarity)."""
    cmp = figures.result.msg_comparison
    if cmp is None or cmp.position is None:
        return ""
    if figures.result.polarity == "down":
        return gettext("%(position)s lowest of %(of)s") % {"position": ordinal(cmp.position), "of": cmp.of}
    return gettext("%(position)s highest of %(of)s") % {"position": ordinal(cmp.position), "of": cmp.of}


def area_row(figures: AreaFigures, url: str) -> AreaRow:
    r = figures.result
    bad = needs_attention(r)
    return AreaRow(figures, url, bad, why(r) if bad else (why(r, improved=True) if improved(r) else ""),
                   fmt.variation_label(r.spc), fmt.variation_class(r.spc.variation),
                   fmt.SIGNIFICANCE_LABELS[r.significance.result], figures.rate_per_1000, position_words(figures))


def difference_words(measure: MeasureAreas) -> str:
    """What the page says when the areas do not add up to the force's own figure."""
    diff = measure.difference
    if diff is None or abs(diff) < 1e-9:
        return ""
    f = measure.force
    words = {"areas": fmt.measure(measure.areas_ytd_total, f.unit, f.decimals),
             "force": fmt.measure(f.ytd, f.unit, f.decimals), "difference": fmt.measure(abs(diff), f.unit, f.decimals)}
    if diff > 0:
        first = gettext("The local areas' YTD figures add up to %(areas)s; the figure returned for the whole force is "
                        "%(force)s, %(difference)s more than the areas' sum.") % words
    else:
        first = gettext("The local areas' YTD figures add up to %(areas)s; the figure returned for the whole force is "
                        "%(force)s, %(difference)s fewer than the areas' sum.") % words
    return first + " " + gettext("The force figure is what was returned for the force, never the sum of its areas "
                                 "(for open data, crimes recorded without a location count for the force only).")


def priority_matrix(force: Force, period: date, areas: pd.DataFrame) -> dict | None:
    """Which local areas chose which of the plan's priorities as their own
    (StrategicPriority.local_areas): rows the areas, columns the priorities
    any area chose. Two queries: the plan in force; its priorities."""
    plan = selectors.plan_for(force=force, period=period, with_measures=False)
    if plan is None:
        return None
    chosen = [p for p in selectors.priority_local_areas(plan=plan) if p[2]]
    if not chosen:
        return None
    return {"priorities": [{"number": n, "title": t} for n, t, _ in chosen],
            "rows": [{"name": name, "code": code,
                      "cells": [area_id in ids for _n, _t, ids in chosen],
                      "count": sum(area_id in ids for _n, _t, ids in chosen)}
                     for area_id, code, name in zip(areas["area_id"], areas["area_code"], areas["area_name"])]}


def report_section(force: Force, period: date, drafts: bool) -> dict:
    """The panel report's optional local-areas section (``export_report
    --areas``): each measure's areas, what needs attention first, and the
    matrix of the priorities the areas chose; tables only (the file is read
    offline: no links to sort or to the areas' pages)."""
    data = local_area_results(force, period, drafts)
    measures, attention = [], []
    for m in data.measures:
        rows = [area_row(a, "") for a in sorted_areas(m.areas, DEFAULT_SORT)]
        measures.append({"result": m.force, "rows": rows, "difference": difference_words(m)})
        attention += [(worse_first(row.figures), row, m.force) for row in rows if row.attention]
    attention.sort(key=lambda item: item[0])
    return {"count": len(data.areas), "measures": measures,
            "attention": [{"row": row, "measure": result} for _, row, result in attention],
            "matrix": priority_matrix(force, period, data.areas),
            "any_rate": data.any_rate, "no_population": NO_POPULATION}
