"""engine.areas: each local area's figures by the one engine (issue 18).
An area's result is exactly what `performance.evaluate` gives a force with
the same series, and its rate and position are the MSG comparison's."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.engine import columns as c
from indicators.engine.areas import (
    AREA_COLUMNS,
    AREA_ID,
    AREA_OBSERVATION_COLUMNS,
    AREA_POPULATION_COLUMNS,
    evaluate_areas,
)
from indicators.engine.performance import Inputs, evaluate
from tests.engine.helpers import indicators, m, series

PERIOD = m("2013-06")
MONTHS = 27                     # April 2011 .. June 2013


def area_series(indicator_id: int, area_id: int, values: list) -> pd.DataFrame:
    frame = series(indicator_id, "2011-04", values)
    frame[AREA_ID] = area_id
    return frame[AREA_OBSERVATION_COLUMNS]


def run(values_by_area: dict[int, list], force_values: list, populations=(), method="significance",
        frame=None):
    frame = frame if frame is not None else indicators({c.CODE: "all-crime"}, {c.CODE: "sat", c.UNIT: "percent",
                                                                              c.AGGREGATION: "ratio"})
    areas = pd.DataFrame.from_records([(a, f"E0{a}", f"Area {a}") for a in values_by_area], columns=AREA_COLUMNS)
    obs = pd.concat([area_series(1, a, v) for a, v in values_by_area.items()], ignore_index=True)
    pops = pd.DataFrame.from_records(list(populations), columns=AREA_POPULATION_COLUMNS)
    return evaluate_areas(indicators=frame, areas=areas, observations=obs,
                          force_observations=series(1, "2011-04", force_values), populations=pops,
                          rating_method=method, period=PERIOD)


def alone(values: list, method="significance"):
    """What the engine gives a force whose series is ``values``."""
    frame = indicators({c.CODE: "all-crime"})
    return evaluate(Inputs(indicators=frame, observations=series(1, "2011-04", values),
                           rating_methods={"west-mercia": method}), period=PERIOD)[0]


counts = st.lists(st.integers(min_value=0, max_value=400), min_size=MONTHS, max_size=MONTHS)


@given(a=counts, b=counts, extra=st.integers(min_value=0, max_value=50))
def test_an_areas_figures_are_the_engines_for_its_series(a, b, extra):
    [measure] = run({1: a, 2: b}, [x + y + extra for x, y in zip(a, b)])     # "sat" has no local figures
    for area, values in zip(measure.areas, (a, b)):
        mine, expected = area.result, alone(values)
        assert (mine.ytd, mine.last_ytd, mine.change, mine.change_pct, mine.rolling_12) == (
            expected.ytd, expected.last_ytd, expected.change, expected.change_pct, expected.rolling_12)
        assert mine.significance == expected.significance
        assert (mine.spc.variation, mine.spc.mean, mine.spc.ucl) == (
            expected.spc.variation, expected.spc.mean, expected.spc.ucl)
        assert mine.rating == expected.rating
    # the force's own figure is what was returned for it; the difference is shown, never absorbed
    assert measure.force.ytd == sum(a[-3:]) + sum(b[-3:]) + 3 * extra
    assert measure.difference == 3 * extra


def test_rates_positions_and_the_areas_average_are_the_msg_comparisons():
    flat = {1: [100] * MONTHS, 2: [50] * MONTHS, 3: [80] * MONTHS}
    [measure] = run(flat, [230] * MONTHS, populations=[(1, 2012, 100_000), (2, 2012, 25_000), (2, 2014, 1)])
    by_id = {a.area_id: a for a in measure.areas}
    assert by_id[1].rate_per_1000 == pytest.approx(1000 * 1200 / 100_000)     # 12.0
    assert by_id[2].rate_per_1000 == pytest.approx(1000 * 600 / 25_000)       # 24.0: 2014's is after the period
    assert by_id[3].rate_per_1000 is None and by_id[3].result.msg_comparison is None    # no population
    cmp = by_id[1].result.msg_comparison
    assert (cmp.position, cmp.of, cmp.average) == (1, 2, pytest.approx(18.0))  # lower is better
    assert by_id[2].to_api()["rate_per_1000"] == pytest.approx(24.0)
    assert set(by_id[1].to_api()) == {"code", "name", "ytd", "last_ytd", "change", "change_pct", "significance",
                                      "spc", "rate_per_1000", "rolling_12"}


def test_a_missing_month_gives_no_ytd_with_its_reason_not_a_zero():
    values = [10] * MONTHS
    gap = values[:-2] + [None, 10]
    [measure] = run({1: values, 2: gap}, [20] * MONTHS)
    a2 = next(a for a in measure.areas if a.area_id == 2)
    assert a2.result.ytd is None and "May 2013" in a2.result.ytd_reason
    assert measure.areas_ytd_total == 30         # only the areas that have a YTD
