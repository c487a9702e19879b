"""Local areas (SPEC §1, §4 "Local areas"): each area's figures for the
force's `sum` count measures, by the same engine as the force's own.

No second copy of the arithmetic: every (indicator, area) pair becomes one
row of an ordinary `Inputs` (its own id, its "force" the area), and
`performance.evaluate` computes YTD, change, significance, SPC, the plan's
rating and, through the MSG comparison with the force's other areas as the
peers, the rate per 1,000 population and the area's position among them.
The force's own rows go into the same run, from the figures returned for
the force (never the sum of its areas, SPEC §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators.engine import columns as c
from indicators.engine.msg import population_for, rate_per_1000
from indicators.engine.performance import Inputs, evaluate
from indicators.engine.result import IndicatorResult

# Areas' frame: one row per local area of the force.
AREA_ID = "area_id"
AREA_CODE = "area_code"
AREA_NAME = "area_name"
AREA_COLUMNS = [AREA_ID, AREA_CODE, AREA_NAME]
# Areas' populations: one row per area and calendar year.
AREA_POPULATION_COLUMNS = [AREA_ID, c.YEAR, c.POPULATION]
# Areas' observations: c.OBSERVATION_COLUMNS and the area.
AREA_OBSERVATION_COLUMNS = [*c.OBSERVATION_COLUMNS, AREA_ID]


def area_key(area_id: int) -> str:
    """What stands for an area in the engine's "force" column."""
    return f"area:{area_id}"


def comparable(indicators: pd.DataFrame) -> pd.DataFrame:
    """The measures local areas are compared on: `sum` of a `count`."""
    return indicators[(indicators[c.AGGREGATION] == "sum") & (indicators[c.UNIT] == "count")]


@dataclass(frozen=True)
class AreaFigures:
    """One area's figures for one measure."""
    area_id: int
    code: str
    name: str
    result: IndicatorResult         # force = area_key(area_id); msg_comparison = against the other areas
    population: int | None          # of the latest year not after the period's calendar year

    @property
    def rate_per_1000(self) -> float | None:
        """1000 · rolling 12 months / population (engine.msg.rate_per_1000), as
        the comparison with the other areas has it; null without a population
        or a complete rolling 12 months."""
        if self.result.msg_comparison is not None:
            return self.result.msg_comparison.rate
        return rate_per_1000(self.result.rolling_12, self.population)

    def to_api(self) -> dict:
        """One area of SPEC §4 `/api/forces/<force>/indicators/<code>/areas/`."""
        r = self.result
        return {"code": self.code, "name": self.name, "ytd": r.ytd, "last_ytd": r.last_ytd, "change": r.change,
                "change_pct": r.change_pct, "significance": r.significance.to_api(),
                "spc": {"variation": r.spc.variation}, "rate_per_1000": self.rate_per_1000, "rolling_12": r.rolling_12}


@dataclass(frozen=True)
class MeasureAreas:
    """One measure: the force's own result and each area's."""
    indicator_id: int
    force: IndicatorResult
    areas: tuple[AreaFigures, ...]

    @property
    def areas_ytd_total(self) -> float | None:
        """The sum of the areas' YTDs (the areas that have one); None if none has."""
        values = [a.result.ytd for a in self.areas if a.result.ytd is not None]
        return sum(values) if values else None

    @property
    def difference(self) -> float | None:
        """The force's YTD less the sum of its areas': not zero when the areas
        do not add up to what was returned for the force (shown, never
        silently corrected)."""
        total = self.areas_ytd_total
        if total is None or self.force.ytd is None:
            return None
        return self.force.ytd - total


def evaluate_areas(*, indicators: pd.DataFrame, areas: pd.DataFrame, observations: pd.DataFrame,
                   force_observations: pd.DataFrame, populations: pd.DataFrame, rating_method: str,
                   period: date, monthly: bool = False) -> list[MeasureAreas]:
    """Each measure of ``indicators`` (its `comparable` rows with figures in
    ``observations``, the areas' figures, AREA_OBSERVATION_COLUMNS) for
    every area of ``areas``, and for the force from ``force_observations``.
    ``populations``: AREA_POPULATION_COLUMNS. In ``indicators``' order."""
    measures = comparable(indicators)
    measures = measures[measures[c.ID].isin(set(observations[c.INDICATOR_ID]))] if len(observations) else \
        measures.iloc[0:0]
    if not len(measures) or not len(areas):
        return []
    area_ids = [int(a) for a in areas[AREA_ID]]
    keys = [area_key(a) for a in area_ids]
    pairs = [(int(ind), area) for ind in measures[c.ID] for area in area_ids]
    pseudo = {pair: -(k + 1) for k, pair in enumerate(pairs)}      # negative: no clash with indicator ids

    base = measures[c.INDICATOR_COLUMNS].reset_index(drop=True)
    area_rows = base.loc[base.index.repeat(len(area_ids))].reset_index(drop=True)
    area_rows[c.ID] = [pseudo[p] for p in pairs]
    area_rows[c.FORCE] = keys * len(base)
    area_rows[c.MSG] = True                  # compared with the force's other areas, as MSG compares forces
    force_rows = base.copy()
    force_rows[c.MSG] = False
    frame = pd.concat([force_rows, area_rows], ignore_index=True)
    frame[c.HEADLINE] = False

    obs = observations[observations[AREA_ID].isin(area_ids) & observations[c.INDICATOR_ID].isin(base[c.ID])]
    mapped = pd.Series([pseudo[(int(i), int(a))] for i, a in zip(obs[c.INDICATOR_ID], obs[AREA_ID])],
                       index=obs.index, dtype="int64")
    obs = obs.assign(**{c.INDICATOR_ID: mapped})[c.OBSERVATION_COLUMNS]
    own = force_observations[force_observations[c.INDICATOR_ID].isin(base[c.ID])][c.OBSERVATION_COLUMNS]
    all_obs = pd.concat([own, obs], ignore_index=True) if len(own) else obs.reset_index(drop=True)

    pops = populations[populations[AREA_ID].isin(area_ids)]
    pop_frame = pd.DataFrame({c.FORCE: [area_key(int(a)) for a in pops[AREA_ID]],
                              c.YEAR: list(pops[c.YEAR]), c.POPULATION: list(pops[c.POPULATION])},
                             columns=c.POPULATION_COLUMNS)
    inputs = Inputs(indicators=frame, observations=all_obs, populations=pop_frame,
                    msg_peers={k: [p for p in keys if p != k] for k in keys},
                    rating_methods={f: rating_method for f in {*keys, *base[c.FORCE]}})
    results = {r.id: r for r in evaluate(inputs, period=period, monthly=monthly)}
    tables: dict[int, dict[int, int]] = {}
    for area_id, year, people in zip(pops[AREA_ID], pops[c.YEAR], pops[c.POPULATION]):
        tables.setdefault(int(area_id), {})[int(year)] = int(people)
    out = []
    for ind in base[c.ID]:
        ind = int(ind)
        out.append(MeasureAreas(ind, results[ind], tuple(
            AreaFigures(area_id, code, name, results[pseudo[(ind, area_id)]],
                        population_for(tables.get(area_id), period.year))
            for area_id, code, name in zip(area_ids, areas[AREA_CODE], areas[AREA_NAME]))))
    return out
