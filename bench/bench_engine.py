"""Engine benchmark at national scale (SPEC §5): 43 forces × 60 indicators ×
180 months ≈ 464,000 observations, built in memory.

Reports, as ratios measured in the same run (these machines are noisy):
- a force's whole dashboard (60 indicators, every measure) against a bare
  pandas groupby-sum over the same rows;
- the whole country (2,580 indicators) against a groupby-sum over all rows;
- SPEC §6's mix: the same data with a third of the measures current-plan
  shaped (a sixth `compare: rolling-12`, a sixth quarterly, filed as one
  figure per quarter at its quarter end with its first month), against the
  plain run above. The frames carry the §6 columns (frequency, compare,
  covers, lag; first_month, lower, upper); an engine that does not read
  them yet ignores them (the quarterly measures are then months with gaps),
  so the ratio means something once the engine reads them.

Run with `make bench`. Prints medians of repeated runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators import periods  # noqa: E402
from indicators.engine import columns as c  # noqa: E402
from indicators.engine.performance import Inputs, compute, evaluate, window_start  # noqa: E402

FORCES, INDICATORS, MONTHS = 43, 60, 180
FIRST = date(2011, 4, 1)
PERIOD = periods.add_months(FIRST, MONTHS - 1)      # March 2026: a quarter end

# SPEC §6 columns: engine/columns.py's names once the engine reads them, else the names it will use
FREQUENCY = getattr(c, "FREQUENCY", "frequency")
COMPARE = getattr(c, "COMPARE", "compare")
COVERS = getattr(c, "COVERS", "covers")
LAG = getattr(c, "LAG", "lag")
FIRST_MONTH = getattr(c, "FIRST_MONTH", "first_month")
LOWER = getattr(c, "LOWER", "lower")
UPPER = getattr(c, "UPPER", "upper")
# The third of the measures that are current-plan shaped: one in six rolling-12, one in six quarterly
# (spread over every aggregation: k 0..39 sum, 40..49 ratio, 50..54 mean, 55..59 latest)
ROLLING_12 = [k for k in range(INDICATORS) if k % 6 == 1]
QUARTERLY = [k for k in range(INDICATORS) if k % 6 == 4]


def build():
    rng = np.random.default_rng(2026)
    slugs = [f"force-{i:02d}" for i in range(FORCES)]
    kinds = (["sum"] * 40) + (["ratio"] * 10) + (["mean"] * 5) + (["latest"] * 5)
    ind_rows = []
    for f, slug in enumerate(slugs):
        for k in range(INDICATORS):
            agg = kinds[k]
            ind_rows.append({c.ID: f * INDICATORS + k + 1, c.FORCE: slug, c.CODE: f"ind-{k:02d}",
                             c.NAME: f"Indicator {k}", c.UNIT: {"sum": "count", "ratio": "percent"}.get(agg, "number"),
                             c.DECIMALS: 0, c.AGGREGATION: agg, c.POLARITY: "down" if k % 3 else "up",
                             c.MSG: agg == "sum" and k < 10, c.HEADLINE: k < 8})
    indicators = pd.DataFrame(ind_rows)
    months = periods.month_range(FIRST, PERIOD)
    n = len(indicators) * MONTHS
    ids = np.repeat(indicators[c.ID].to_numpy(), MONTHS)
    level = np.repeat(rng.uniform(50, 2000, len(indicators)), MONTHS)
    values = np.round(level * rng.normal(1, 0.05, n))
    aggs = np.repeat(indicators[c.AGGREGATION].to_numpy(), MONTHS)
    den = np.where(aggs == "ratio", np.round(level), np.nan)
    num = np.where(aggs == "ratio", np.round(den * rng.uniform(0.3, 0.8, n)), np.nan)
    values = np.where(aggs == "ratio", np.nan, values)
    observations = pd.DataFrame({
        c.INDICATOR_ID: ids, c.MONTH: months * len(indicators), c.VALUE: values,
        c.NUMERATOR: num, c.DENOMINATOR: den, c.STATUS: "final", c.NOTE: ""})
    targets = pd.DataFrame([{c.INDICATOR_ID: i, c.FINANCIAL_YEAR: periods.financial_year(PERIOD),
                             c.KIND: "change", c.TARGET_VALUE: -2.0, c.TOLERANCE: 5.0, c.WORDING: "", c.DUE: None}
                            for i in indicators[c.ID]])
    populations = pd.DataFrame([(s, y, 1_000_000 + 10_000 * i) for i, s in enumerate(slugs) for y in range(2011, 2027)],
                               columns=c.POPULATION_COLUMNS)
    peers = {s: [slugs[(i + j) % FORCES] for j in range(1, 8)] for i, s in enumerate(slugs)}
    return indicators, observations, targets, populations, peers


def current_plans(indicators, observations):
    """The data set with SPEC §6's columns, ROLLING_12's measures set to
    `compare: rolling-12` and QUARTERLY's to quarterly frequency, their
    months folded into one figure per quarter (month = the quarter end,
    first_month = its first month; sum: the quarter's total, ratio: the
    totals of numerator and denominator, mean: the mean, latest: the last)."""
    indicators = indicators.copy()
    k = indicators[c.CODE].str[4:].astype(int)
    indicators[FREQUENCY] = np.where(k.isin(QUARTERLY), "quarterly", "monthly")
    indicators[COMPARE] = np.where(k.isin(ROLLING_12), "rolling-12", "")
    indicators[COVERS] = None
    indicators[LAG] = 0
    quarterly_ids = set(indicators.loc[k.isin(QUARTERLY), c.ID])

    obs = observations.copy()
    obs[FIRST_MONTH] = obs[c.MONTH]
    obs[LOWER] = np.nan
    obs[UPPER] = np.nan
    is_quarterly = obs[c.INDICATOR_ID].isin(quarterly_ids)
    quarter_end = {m: periods.add_months(m, (3 - m.month % 3) % 3) for m in periods.month_range(FIRST, PERIOD)}
    monthly, by_quarter = obs[~is_quarterly], obs[is_quarterly].copy()
    by_quarter["quarter_end"] = by_quarter[c.MONTH].map(quarter_end)
    aggregation = by_quarter[c.INDICATOR_ID].map(indicators.set_index(c.ID)[c.AGGREGATION])
    folded = []
    for agg, how in (("sum", "sum"), ("ratio", "sum"), ("mean", "mean"), ("latest", "last")):
        rows = by_quarter[aggregation == agg]
        if rows.empty:
            continue
        q = rows.groupby([c.INDICATOR_ID, "quarter_end"], as_index=False).agg(
            **{c.VALUE: (c.VALUE, how), c.NUMERATOR: (c.NUMERATOR, "sum"), c.DENOMINATOR: (c.DENOMINATOR, "sum"),
               FIRST_MONTH: (c.MONTH, "min")})
        if agg != "ratio":
            q[[c.NUMERATOR, c.DENOMINATOR]] = np.nan
        else:
            q[c.VALUE] = np.nan
        folded.append(q.rename(columns={"quarter_end": c.MONTH}))
    quarters = pd.concat(folded, ignore_index=True)
    quarters[c.STATUS], quarters[c.NOTE], quarters[LOWER], quarters[UPPER] = "final", "", np.nan, np.nan
    assert set(quarters[c.MONTH].map(lambda m: m.month)) == {3, 6, 9, 12}
    assert (quarters[FIRST_MONTH] == quarters[c.MONTH].map(lambda m: periods.add_months(m, -2))).all()
    obs = pd.concat([monthly, quarters[monthly.columns]], ignore_index=True)
    return indicators, obs.sort_values([c.INDICATOR_ID, c.MONTH], kind="stable", ignore_index=True)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def inputs_for(indicators, observations, targets, populations, peers, force="force-00"):
    """One force's dashboard (its 60 indicators plus its peers' MSG
    indicators, with the observations a selector would load: the window in
    play) and the whole country's."""
    start = window_start(PERIOD)
    own = indicators[indicators[c.FORCE] == force]
    msg_codes = set(own.loc[own[c.MSG], c.CODE])
    peer_rows = indicators[indicators[c.FORCE].isin(peers[force]) & indicators[c.CODE].isin(msg_codes)]
    frame = pd.concat([own, peer_rows], ignore_index=True)
    obs = observations[observations[c.INDICATOR_ID].isin(frame[c.ID]) & (observations[c.MONTH] >= start)]
    force_inputs = Inputs(indicators=frame, observations=obs, targets=targets[targets[c.INDICATOR_ID].isin(own[c.ID])],
                          populations=populations, msg_peers={force: peers[force]})
    country_obs = observations[observations[c.MONTH] >= start]
    country_inputs = Inputs(indicators=indicators, observations=country_obs, targets=targets,
                            populations=populations, msg_peers=peers)
    return force_inputs, list(own[c.ID]), len(peer_rows), obs, country_inputs, country_obs


def main():
    t = time.perf_counter()
    indicators, observations, targets, populations, peers = build()
    print(f"data set: {len(indicators):,} indicators, {len(observations):,} observations "
          f"(built in {time.perf_counter() - t:.1f} s)")
    force_inputs, own_ids, peer_series, obs, country_inputs, country_obs = inputs_for(
        indicators, observations, targets, populations, peers)

    evaluate(force_inputs, period=PERIOD, indicator_ids=own_ids)  # warm up
    dash_base = timed(lambda: obs.groupby(c.INDICATOR_ID)[c.VALUE].sum(), 41)
    dash_core = timed(lambda: compute(force_inputs, period=PERIOD, indicator_ids=own_ids), 41)
    dash = timed(lambda: evaluate(force_inputs, period=PERIOD, indicator_ids=own_ids, monthly=False), 41)
    country_base = timed(lambda: observations.groupby(c.INDICATOR_ID)[c.VALUE].sum(), 7)
    country_core = timed(lambda: compute(country_inputs, period=PERIOD), 7)
    country = timed(lambda: evaluate(country_inputs, period=PERIOD, monthly=False), 7)

    print(f"force dashboard ({len(own_ids)} indicators + {peer_series} MSG peer series, {len(obs):,} rows):")
    print(f"  bare groupby-sum of the same rows   {dash_base * 1000:8.2f} ms   1.0x")
    print(f"  engine, all measures (compute)      {dash_core * 1000:8.2f} ms  {dash_core / dash_base:5.1f}x")
    print(f"  engine + result dicts (evaluate)    {dash * 1000:8.2f} ms  {dash / dash_base:5.1f}x"
          f"   goal: < 100 ms and <= 10x")
    print(f"whole country ({len(indicators):,} indicators, {len(observations):,} rows; engine on the "
          f"{len(country_obs):,} rows in play):")
    print(f"  bare groupby-sum of all rows        {country_base * 1000:8.2f} ms   1.0x")
    print(f"  engine, all measures (compute)      {country_core * 1000:8.2f} ms  {country_core / country_base:5.1f}x")
    print(f"  engine + result dicts (evaluate)    {country * 1000:8.2f} ms  {country / country_base:5.1f}x")

    # SPEC §6: a third of the measures rolling-12 or quarterly, against the plain run above
    mixed_indicators, mixed_observations = current_plans(indicators, observations)
    m_force, m_own, _, m_obs, m_country, m_country_obs = inputs_for(
        mixed_indicators, mixed_observations, targets, populations, peers)
    evaluate(m_force, period=PERIOD, indicator_ids=m_own)  # warm up
    m_dash_core = timed(lambda: compute(m_force, period=PERIOD, indicator_ids=m_own), 41)
    m_dash = timed(lambda: evaluate(m_force, period=PERIOD, indicator_ids=m_own, monthly=False), 41)
    m_country_core = timed(lambda: compute(m_country, period=PERIOD), 7)
    m_country = timed(lambda: evaluate(m_country, period=PERIOD, monthly=False), 7)
    reads = [name for name in ("FREQUENCY", "COMPARE", "COVERS", "FIRST_MONTH") if hasattr(c, name)]
    print(f"current plans (SPEC §6): {len(ROLLING_12)} of {INDICATORS} measures compare rolling-12, "
          f"{len(QUARTERLY)} quarterly ({len(mixed_observations):,} rows; "
          + ("the engine's columns: " + ", ".join(reads) if reads else
             "the engine reads no §6 column yet: the extra columns are ignored") + "):")
    print(f"  force dashboard, compute            {m_dash_core * 1000:8.2f} ms  {m_dash_core / dash_core:5.2f}x plain "
          f"({len(m_obs):,} rows)")
    print(f"  force dashboard, evaluate           {m_dash * 1000:8.2f} ms  {m_dash / dash:5.2f}x plain")
    print(f"  whole country, compute              {m_country_core * 1000:8.2f} ms  "
          f"{m_country_core / country_core:5.2f}x plain ({len(m_country_obs):,} rows)")
    print(f"  whole country, evaluate             {m_country * 1000:8.2f} ms  {m_country / country:5.2f}x plain")


if __name__ == "__main__":
    main()
