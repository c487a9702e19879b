"""Engine benchmark at national scale (SPEC §5): 43 forces × 60 indicators ×
180 months ≈ 464,000 observations, built in memory.

Reports, as ratios measured in the same run (these machines are noisy):
- a force's whole dashboard (60 indicators, every measure) against a bare
  pandas groupby-sum over the same rows;
- the whole country (2,580 indicators) against a groupby-sum over all rows.

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
PERIOD = periods.add_months(FIRST, MONTHS - 1)


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


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    t = time.perf_counter()
    indicators, observations, targets, populations, peers = build()
    print(f"data set: {len(indicators):,} indicators, {len(observations):,} observations "
          f"(built in {time.perf_counter() - t:.1f} s)")
    start = window_start(PERIOD)

    # One force's dashboard: its 60 indicators plus its peers' MSG indicators,
    # with the observations a selector would load (the window in play).
    force = "force-00"
    own = indicators[indicators[c.FORCE] == force]
    msg_codes = set(own.loc[own[c.MSG], c.CODE])
    peer_rows = indicators[indicators[c.FORCE].isin(peers[force]) & indicators[c.CODE].isin(msg_codes)]
    frame = pd.concat([own, peer_rows], ignore_index=True)
    obs = observations[observations[c.INDICATOR_ID].isin(frame[c.ID]) & (observations[c.MONTH] >= start)]
    force_inputs = Inputs(indicators=frame, observations=obs, targets=targets[targets[c.INDICATOR_ID].isin(own[c.ID])],
                          populations=populations, msg_peers={force: peers[force]})
    own_ids = list(own[c.ID])

    country_obs = observations[observations[c.MONTH] >= start]
    country_inputs = Inputs(indicators=indicators, observations=country_obs, targets=targets,
                            populations=populations, msg_peers=peers)

    evaluate(force_inputs, period=PERIOD, indicator_ids=own_ids)  # warm up
    dash_base = timed(lambda: obs.groupby(c.INDICATOR_ID)[c.VALUE].sum(), 41)
    dash_core = timed(lambda: compute(force_inputs, period=PERIOD, indicator_ids=own_ids), 41)
    dash = timed(lambda: evaluate(force_inputs, period=PERIOD, indicator_ids=own_ids, monthly=False), 41)
    country_base = timed(lambda: observations.groupby(c.INDICATOR_ID)[c.VALUE].sum(), 7)
    country_core = timed(lambda: compute(country_inputs, period=PERIOD), 7)
    country = timed(lambda: evaluate(country_inputs, period=PERIOD, monthly=False), 7)

    print(f"force dashboard ({len(own_ids)} indicators + {len(peer_rows)} MSG peer series, {len(obs):,} rows):")
    print(f"  bare groupby-sum of the same rows   {dash_base * 1000:8.2f} ms   1.0x")
    print(f"  engine, all measures (compute)      {dash_core * 1000:8.2f} ms  {dash_core / dash_base:5.1f}x")
    print(f"  engine + result dicts (evaluate)    {dash * 1000:8.2f} ms  {dash / dash_base:5.1f}x"
          f"   goal: < 100 ms and <= 10x")
    print(f"whole country ({len(indicators):,} indicators, {len(observations):,} rows; engine on the "
          f"{len(country_obs):,} rows in play):")
    print(f"  bare groupby-sum of all rows        {country_base * 1000:8.2f} ms   1.0x")
    print(f"  engine, all measures (compute)      {country_core * 1000:8.2f} ms  {country_core / country_base:5.1f}x")
    print(f"  engine + result dicts (evaluate)    {country * 1000:8.2f} ms  {country / country_base:5.1f}x")


if __name__ == "__main__":
    main()
