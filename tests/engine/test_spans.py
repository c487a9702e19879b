"""A measure's figures over spans, aggregated over a window (SPEC §3 table,
§6 Frequency and `covers`), with the reason in words when there is no value."""

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import periods
from indicators.engine.grid import aggregate, build_grid
from indicators.engine.spans import Figure, WindowValue, window_value
from indicators.engine.windows import Span, Window
from tests.engine.helpers import m, observations


def w(first, last):
    return Window(m(first), m(last))


def monthly(first: str, values: list) -> list[Figure]:
    start = m(first)
    return [Figure.monthly(periods.add_months(start, i), v) for i, v in enumerate(values) if v is not None]


def quarter(last: str, value=None, numerator=None, denominator=None, status="final", note="") -> Figure:
    span = Span.of(m(last), "quarterly")
    return Figure(span.first, span.last, value, numerator, denominator, status, note)


def year_ending(last: str, value) -> Figure:
    span = Span.of(m(last), "quarterly", covers=12)
    return Figure(span.first, span.last, value)


# sum


def test_sum_of_monthly_figures():
    assert window_value(monthly("2013-04", [512, 498, 507]), w("2013-04", "2013-06"), "sum") == WindowValue(
        1517, figures=3)


def test_sum_names_the_first_missing_month_as_grid_aggregate_does():
    figures = monthly("2013-04", [None, 498, None])
    assert window_value(figures, w("2013-04", "2013-06"), "sum").reason == (
        "April 2013 not yet available (and 1 more month)")


def test_sum_gives_the_note_of_an_unavailable_month():
    figures = [*monthly("2013-04", [512]), Figure.monthly(m("2013-05"), status="unavailable", note="System migration"),
               *monthly("2013-06", [507])]
    assert window_value(figures, w("2013-04", "2013-06"), "sum") == WindowValue(
        None, "May 2013 unavailable: System migration")


def test_sum_of_quarters_over_the_financial_year():
    figures = [quarter("2024-06", 10), quarter("2024-09", 20), quarter("2024-12", 30), quarter("2025-03", 40)]
    assert window_value(figures, w("2024-04", "2025-03"), "sum") == WindowValue(100, figures=4)


def test_a_quarter_partly_outside_the_window_does_not_count():
    figures = [quarter("2024-06", 10), quarter("2024-09", 20), quarter("2024-12", 30), quarter("2025-03", 40)]
    assert window_value(figures, w("2024-05", "2025-04"), "sum") == WindowValue(
        None, "Q1 2024/25 lies partly outside rolling year to Apr 2025 (and 1 more month)")


def test_a_missing_quarter_names_its_first_month():
    figures = [quarter("2024-06", 10), quarter("2024-12", 30)]
    assert window_value(figures, w("2024-04", "2024-12"), "sum").reason == (
        "July 2024 not yet available (and 2 more months)")


def test_an_unavailable_quarter_is_named_by_its_span():
    figures = [quarter("2024-06", status="unavailable", note="New system")]
    assert window_value(figures, w("2024-04", "2024-06"), "sum").reason == "Q1 2024/25 unavailable: New system"


# covers: year-ending figures published every quarter


def test_covers_takes_the_one_figure_whose_span_is_the_window():
    figures = [year_ending("2019-03", 20100), year_ending("2019-06", 20241), year_ending("2019-09", 20400)]
    assert window_value(figures, w("2018-07", "2019-06"), "sum", covers=12) == WindowValue(20241, figures=1)


def test_covers_never_adds_overlapping_figures():
    figures = [year_ending(month, 1000) for month in ("2018-06", "2018-09", "2018-12", "2019-03", "2019-06")]
    assert window_value(figures, w("2017-07", "2019-06"), "sum", covers=12) == WindowValue(
        None, "No one figure covers Jul 2017 – Jun 2019: figures of 12 months overlap and are never added together")


def test_covers_with_no_figure_for_the_window_says_so():
    assert window_value([year_ending("2019-03", 1)], w("2018-07", "2019-06"), "sum", covers=12) == WindowValue(
        None, "rolling year to Jun 2019 not yet available")


def test_overlapping_figures_without_covers_are_refused():
    figures = [quarter("2024-06", 10), Figure(m("2024-05"), m("2024-07"), 5)]
    assert window_value(figures, w("2024-04", "2024-09"), "sum").reason == (
        "Q1 2024/25 and May 2024 – Jul 2024 overlap: a window never adds two overlapping figures")


# ratio and weighted-mean


def test_ratio_adds_each_quarter_once():
    figures = [quarter("2024-06", numerator=41230, denominator=45810),
               quarter("2024-09", numerator=40000, denominator=50000)]
    result = window_value(figures, w("2024-04", "2024-09"), "ratio")
    assert result == WindowValue(100 * 81230 / 95810, numerator=81230, denominator=95810, figures=2)


def test_ratio_needs_numerator_and_denominator():
    figures = [Figure.monthly(m("2024-04"), 55.0)]
    assert window_value(figures, w("2024-04", "2024-04"), "ratio").reason == "April 2024 has no figure"


def test_ratio_with_a_zero_denominator():
    figures = [Figure.monthly(m("2024-04"), None, 0, 0)]
    assert window_value(figures, w("2024-04", "2024-04"), "ratio").reason == "The denominator adds up to zero"


def test_weighted_mean_is_numerator_over_denominator_not_times_100():
    # 101 calls: seconds waited over calls answered, month by month
    figures = [Figure.monthly(m("2025-01"), 20, 20 * 1000, 1000), Figure.monthly(m("2025-02"), 40, 40 * 3000, 3000)]
    result = window_value(figures, w("2025-01", "2025-02"), "weighted-mean")
    assert result.value == 140000 / 4000 == 35.0          # the mean of the months would say 30
    assert window_value(figures, w("2025-01", "2025-02"), "mean").value == 30.0


def test_weighted_mean_needs_every_month():
    figures = [Figure.monthly(m("2025-01"), 20, 20000, 1000)]
    assert window_value(figures, w("2025-01", "2025-02"), "weighted-mean").reason == "February 2025 not yet available"


# mean and latest


def test_mean_of_the_figures_in_the_window():
    assert window_value(monthly("2013-04", [10, None, 20]), w("2013-04", "2013-06"), "mean") == WindowValue(
        15, figures=2)


def test_latest_is_the_figure_that_ends_last():
    figures = [Figure(m("2021-11"), m("2022-04"), 2, None, 43), Figure(m("2023-11"), m("2024-04"), 5, None, 43)]
    assert window_value(figures, w("2021-04", "2025-03"), "latest") == WindowValue(5, figures=1)


def test_mean_with_nothing_in_the_window():
    assert window_value([], w("2013-04", "2013-06"), "mean").reason == "No data for April 2013 to June 2013"
    assert window_value([], w("2013-04", "2013-04"), "latest").reason == "No data for April 2013"


def test_mean_names_an_unavailable_month():
    figures = [Figure.monthly(m("2013-04"), status="unavailable", note="Strike")]
    assert window_value(figures, w("2013-04", "2013-06"), "mean").reason == "April 2013 unavailable: Strike"


def test_a_ratio_figure_filed_as_numerator_and_denominator_has_its_value():
    assert Figure.monthly(m("2013-04"), None, 281, 512).number() == 100 * 281 / 512


def test_unknown_aggregation():
    assert window_value([], w("2013-04", "2013-06"), "median").reason == "Unknown aggregation 'median'"


@pytest.mark.parametrize("aggregation", ["sum", "ratio", "mean", "latest", "weighted-mean"])
def test_figures_outside_the_window_play_no_part(aggregation):
    inside = [Figure.monthly(date(2024, 4, 1), 10, 1, 2)]
    outside = [Figure.monthly(date(2024, 3, 1), 999, 999, 1000), Figure.monthly(date(2024, 5, 1), 999, 999, 1000)]
    window = w("2024-04", "2024-04")
    assert window_value(inside + outside, window, aggregation) == window_value(inside, window, aggregation)


# Monthly figures: the same value and the same words as grid.aggregate

_cell = st.one_of(
    st.none(),                                                        # not filed
    st.just("unavailable"),
    st.just((None, None, None)),                                      # filed with no figure
    st.integers(0, 1000),
    st.tuples(st.none() | st.floats(0, 100), st.integers(0, 500), st.integers(0, 500)),
)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(_cell, min_size=15, max_size=15), bounds=st.tuples(st.integers(0, 14), st.integers(0, 14)),
       aggregation=st.sampled_from(["sum", "ratio", "mean", "latest"]))
def test_monthly_figures_aggregate_as_the_grid_does(cells, bounds, aggregation):
    start = m("2012-04")
    months = [periods.add_months(start, i) for i in range(15)]
    first, last = months[min(bounds)], months[max(bounds)]
    filed = {periods.format_month(mo): v for mo, v in zip(months, cells) if v is not None}
    grid = build_grid(observations(1, filed), [1], start, months[-1])
    expected = aggregate(grid, first, last, [aggregation])
    figures = []
    for month, v in zip(months, cells):
        if v == "unavailable":
            figures.append(Figure.monthly(month, status="unavailable", note="System migration"))
        elif isinstance(v, tuple):
            figures.append(Figure.monthly(month, *v))
        elif v is not None:
            figures.append(Figure.monthly(month, v))
    got = window_value(figures, Window(first, last), aggregation)
    assert got.reason == expected.reason[0]
    if math.isnan(expected.value[0]):
        assert got.value is None
    else:
        assert got.value == pytest.approx(expected.value[0], rel=1e-12)
    if aggregation == "ratio" and got.value is not None:
        assert (got.numerator, got.denominator) == (expected.numerator[0], expected.denominator[0])
