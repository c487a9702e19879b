"""Aggregation over a window (SPEC §3 table), with reasons for nulls."""

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from indicators import periods
from indicators.engine.grid import aggregate, build_grid
from tests.engine.helpers import concat, m, observations, series


def agg(obs, aggregation, first="2013-04", last="2013-06", start="2012-04", end="2013-06"):
    grid = build_grid(obs, [1], m(start), m(end))
    result = aggregate(grid, m(first), m(last), [aggregation])
    value = result.value[0]
    return (None if math.isnan(value) else value), result.reason[0]


def test_sum_of_a_complete_window():
    obs = observations(1, {"2013-04": 512, "2013-05": 498, "2013-06": 507})
    assert agg(obs, "sum") == (1517, None)


def test_sum_with_a_missing_month_is_null_with_the_month_named():
    obs = observations(1, {"2013-04": 512, "2013-05": 498})
    assert agg(obs, "sum") == (None, "June 2013 not yet available")


def test_sum_with_an_unavailable_month_gives_the_note():
    obs = observations(1, {"2013-04": 512, "2013-05": "unavailable", "2013-06": 507})
    assert agg(obs, "sum") == (None, "May 2013 unavailable: System migration")


def test_sum_names_the_first_gap_and_counts_the_rest():
    obs = observations(1, {"2013-05": 498})
    assert agg(obs, "sum") == (None, "April 2013 not yet available (and 1 more month)")


def test_sum_is_never_a_silent_zero():
    assert agg(observations(1, {}), "sum")[0] is None


def test_ratio_is_100_times_sum_of_numerators_over_sum_of_denominators():
    obs = observations(1, {"2013-04": (None, 281, 512), "2013-05": (55.2, 275, 498), "2013-06": (None, 300, 500)})
    value, reason = agg(obs, "ratio")
    assert value == 100 * (281 + 275 + 300) / (512 + 498 + 500) and reason is None


def test_ratio_needs_numerator_and_denominator_for_every_month():
    obs = observations(1, {"2013-04": (None, 281, 512), "2013-05": (55.2, None, None), "2013-06": (None, 300, 500)})
    assert agg(obs, "ratio") == (None, "May 2013 has no figure")


def test_ratio_month_given_only_as_numerator_and_denominator_gets_its_value():
    grid = build_grid(observations(1, {"2013-04": (None, 281, 512)}), [1], m("2013-04"), m("2013-04"))
    assert grid.value[0, 0] == 100 * 281 / 512


def test_mean_of_the_months_present():
    obs = observations(1, {"2013-04": 70.0, "2013-06": 74.0})
    assert agg(obs, "mean") == (72.0, None)


def test_latest_value_in_the_window():
    obs = observations(1, {"2013-04": 70.0, "2013-05": 69.1, "2013-06": "unavailable"})
    assert agg(obs, "latest") == (69.1, None)


def test_latest_and_mean_need_at_least_one_month():
    assert agg(observations(1, {"2012-04": 5}), "latest") == (None, "No data for April 2013 to June 2013")
    assert agg(observations(1, {"2013-05": "unavailable"}), "mean") == (None, "May 2013 unavailable: System migration")


def test_a_window_crossing_the_financial_year():
    obs = series(1, "2013-07", [10] * 12)
    assert agg(obs, "sum", first="2013-07", last="2014-06", end="2014-06") == (120, None)


def test_each_row_uses_its_own_aggregation():
    obs = concat(observations(1, {"2013-04": 1, "2013-05": 2}), observations(2, {"2013-04": 5, "2013-05": 7}))
    grid = build_grid(obs, [1, 2], m("2013-04"), m("2013-05"))
    result = aggregate(grid, m("2013-04"), m("2013-05"), ["sum", "latest"])
    assert list(result.value) == [3, 7]


def test_reasons_only_for_the_rows_asked_for_and_the_same_values():
    obs = concat(observations(1, {"2013-04": 1}), observations(2, {"2013-05": 7}), observations(3, {"2013-04": 2}))
    grid = build_grid(obs, [1, 2, 3], m("2013-04"), m("2013-05"))
    every = aggregate(grid, m("2013-04"), m("2013-05"), ["sum", "sum", "sum"])
    some = aggregate(grid, m("2013-04"), m("2013-05"), ["sum", "sum", "sum"], reasons_for=[2, 0])
    assert every.reason == ["May 2013 not yet available", "April 2013 not yet available",
                            "May 2013 not yet available"]
    assert some.reason == [every.reason[0], None, every.reason[2]]
    assert math.isnan(some.value[0]) and math.isnan(some.value[1]) and math.isnan(some.value[2])
    assert aggregate(grid, m("2013-04"), m("2013-05"), ["sum"] * 3, reasons_for=[]).reason == [None] * 3


def test_observations_of_other_indicators_or_months_are_ignored():
    obs = concat(observations(1, {"2013-04": 1, "2010-01": 99}), observations(9, {"2013-04": 50}))
    grid = build_grid(obs, [1], m("2013-04"), m("2013-04"))
    assert grid.value.tolist() == [[1.0]]


values = st.lists(st.integers(0, 10_000), min_size=12, max_size=12)


@given(values)
def test_property_ytd_sum_equals_the_sum_of_its_months(months):
    obs = series(1, "2013-04", months)
    assert agg(obs, "sum", first="2013-04", last="2014-03", end="2014-03")[0] == sum(months)


@given(values, st.integers(3, 11))
def test_property_an_unavailable_month_outside_a_complete_window_changes_nothing(months, outside):
    obs = series(1, "2013-04", months)
    before = agg(obs, "sum", first="2013-04", last="2013-06", end="2014-03")
    month = periods.format_month(periods.add_months(m("2013-04"), outside))    # July 2013 to March 2014
    extra = observations(1, {month: "unavailable"})
    after = agg(concat(obs[obs["month"] != m(month)], extra), "sum", first="2013-04", last="2013-06", end="2014-03")
    assert before == after


def test_frames_given_to_the_engine_are_left_unchanged():
    obs = observations(1, {"2013-04": (None, 281, 512)})
    copy = obs.copy()
    build_grid(obs, [1], m("2013-04"), m("2013-04"))
    pd.testing.assert_frame_equal(obs, copy)
    assert pd.isna(obs["value"].iloc[0])
