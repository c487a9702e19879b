"""What the pages and the panel report show about a plan at a period, from
the selectors and the engine: one place, so both show the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators import periods, selectors
from indicators.engine import columns as c
from indicators.engine.performance import Inputs, evaluate
from indicators.engine.result import IndicatorResult
from indicators.models import Force, Indicator, Plan, PriorityIndicator
from reports import formatting as fmt


def _engine_frame(indicators: list[Indicator], headline_ids: set[int]) -> pd.DataFrame:
    """The engine's indicator frame for indicators already loaded with the
    plan (headline = a headline measure of this plan), with the §6 keys the
    engine reads (frequency, comparison, baseline, benchmarks, rebase...)."""
    rows = [(i.id, i.force.slug, i.code, i.name, i.unit, i.decimals, i.aggregation, i.polarity, i.msg,
             i.id in headline_ids, *(getattr(i, name) for name in c.CURRENT_PLAN_COLUMNS)) for i in indicators]
    return pd.DataFrame.from_records(rows, columns=[*c.INDICATOR_COLUMNS, c.HEADLINE, *c.CURRENT_PLAN_COLUMNS])


def indicator_results(force: Force, indicators: list[Indicator], period: date, drafts: bool, *,
                      headline_ids: set[int], monthly: bool = False,
                      rating_method: str | None) -> tuple[dict[int, IndicatorResult], Inputs | None]:
    """Engine results by indicator id, and the inputs they came from;
    ``rating_method``: the plan's (Plan.assessment; None: no plan, "targets").
    Queries: those of `selectors.performance_inputs` (five)."""
    if not indicators:
        return {}, None
    for ind in indicators:
        ind.force = force          # all of this force's; saves a query per indicator
    frame = _engine_frame(indicators, headline_ids)
    inputs = selectors.performance_inputs(force=force, indicators=frame, period=period, include_drafts=drafts,
                                          rating_method=rating_method or "targets")
    results = evaluate(inputs, period=period, indicator_ids=list(frame[c.ID]), monthly=monthly)
    return {r.id: r for r in results}, inputs


def page_state(indicator_ids: list[int], period: date, drafts: bool, first: date | None = None, **areas) -> dict:
    """The "as at" (when the figures shown were published), provisional, draft
    and illustrative state of the figures a page shows (a force's local
    areas' with ``areas_of``, see `selectors.data_state`), from the year to
    date's first month or ``first`` if earlier (the span of a non-monthly
    figure shown). One query (two with drafts)."""
    ytd = periods.ytd_months(period)
    start = min(ytd[0], first) if first is not None else ytd[0]
    state = selectors.data_state(indicator_ids=indicator_ids, first=start, last=period, include_drafts=drafts,
                                 **areas)
    return _state_context(state, period)


def _state_context(state: dict, period: date) -> dict:
    ytd = periods.ytd_months(period)
    return {"as_at": state["as_at"], "provisional": state["provisional"], "drafts": state["drafts"],
            "figures": state["figures"], "illustrative": state["illustrative"],
            "all_illustrative": bool(state["figures"]) and state["illustrative"] == state["figures"],
            "period_label": fmt.month_label(period), "quarter": fmt.quarter_label(period),
            "quarter_reach": fmt.quarter_reach(period),
            "financial_year": periods.financial_year(period),
            "first_label": fmt.month_label(ytd[0])}


def plan_measures(plan: Plan) -> list[PriorityIndicator]:
    return [m for a in plan.areas.all() for p in a.priorities.all() for m in p.measures.all()]


@dataclass
class PlanResults:
    force: Force
    plan: Plan
    period: date
    measures: list[PriorityIndicator]
    results: dict[int, IndicatorResult]
    state: dict

    @property
    def headline(self) -> list[PriorityIndicator]:
        """The headline measures, each once: a measure listed under two
        priorities is one headline measure (SPEC §6 Plan shape)."""
        return _once([m for m in self.measures if m.headline])


def _once(measures: list[PriorityIndicator]) -> list[PriorityIndicator]:
    seen: set[int] = set()
    return [m for m in measures if not (m.indicator_id in seen or seen.add(m.indicator_id))]


def plan_results(force: Force, plan: Plan, period: date, drafts: bool) -> PlanResults:
    """Every measure of ``plan`` at ``period``. Queries: five (engine inputs; the state of the figures is
    counted from the same rows), or with no measures one or two (the state)."""
    measures = plan_measures(plan)
    indicators = list({m.indicator_id: m.indicator for m in measures}.values())
    if not indicators:
        return PlanResults(force, plan, period, measures, {}, page_state([], period, drafts))
    for ind in indicators:
        ind.force = force          # all of this force's; saves a query per indicator
    frame = _engine_frame(indicators, {m.indicator_id for m in measures if m.headline})
    # The state of the year to date's figures is counted from the rows read for the engine (no query of its own).
    inputs, state = selectors.performance_inputs_with_state(
        force=force, indicators=frame, period=period, include_drafts=drafts,
        rating_method=plan.assessment or "targets", state_first=periods.ytd_months(period)[0])
    results = {r.id: r for r in evaluate(inputs, period=period, indicator_ids=list(frame[c.ID]), monthly=False)}
    return PlanResults(force, plan, period, measures, results, _state_context(state, period))
