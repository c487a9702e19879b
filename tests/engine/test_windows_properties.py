"""Invariants of comparisons (SPEC §5: the engine has property-based tests;
issue 25): a comparison of a `sum` measure is the sums of its windows'
months; rolling-12 at March is the financial year, and YTD at March is
rolling-12; the two windows of a comparison never overlap and are as long as
each other; `previous` of a quarterly measure is 12 months earlier; a
rolling year of quarterly figures is exactly 4 of them at a quarter end and
a reason otherwise; `covers: 12` figures are never added; no comparison
spans a definition change or an SPC rebase once guarded, and a clipped
window never does and stays within its window."""

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indicators import periods
from indicators.engine.spans import Figure, window_value
from indicators.engine.windows import (
    BASES_OF_WINDOWS,
    Span,
    Window,
    clip,
    comparison,
    comparison_of_spans,
    guard,
)

months = st.builds(date, st.integers(1990, 2100), st.integers(1, 12), st.just(1))
regular = st.sampled_from(["monthly", "quarterly", "annual"])
covers = st.sampled_from([None, 12])
windows = st.builds(lambda first, n: Window(first, periods.add_months(first, n)), months, st.integers(0, 40))


# A sum measure: the comparison is the sums of its windows' months

@settings(max_examples=150, deadline=None)
@given(period=st.builds(date, st.integers(2010, 2030), st.integers(1, 12), st.just(1)),
       basis=st.sampled_from(BASES_OF_WINDOWS),
       values=st.lists(st.integers(0, 10_000), min_size=36, max_size=36))
def test_a_sum_comparison_is_the_sums_of_its_windows_months(period, basis, values):
    start = periods.add_months(period, -35)                  # the 36 months to the period: every window of it
    by_month = {periods.add_months(start, i): v for i, v in enumerate(values)}
    figures = [Figure.monthly(month, v) for month, v in by_month.items()]
    for window in comparison(basis, period):
        assert window_value(figures, window, "sum").value == sum(by_month[mo] for mo in window.months)


@settings(max_examples=100, deadline=None)
@given(period=st.builds(date, st.integers(2015, 2020), st.integers(1, 12), st.just(1)),
       basis=st.sampled_from(["previous", "sequential", "rolling-12", "ytd"]),
       values=st.lists(st.integers(0, 10_000), min_size=12, max_size=12))
def test_a_sum_of_quarters_is_the_quarters_wholly_in_the_window_or_none(period, basis, values):
    ends = [periods.add_months(_quarter_end(period), -3 * i) for i in range(12)]
    figures = [Figure(Span.of(end, "quarterly").first, end, v) for end, v in zip(ends, values)]
    for window in comparison(basis, period, "quarterly"):
        got = window_value(figures, window, "sum").value
        if window.first.month % 3 == 1 and window.last.month % 3 == 0:   # whole quarters
            assert got == sum(f.value for f in figures if Window(f.first, f.last).within(window))
        else:
            assert got is None


def _quarter_end(month: date) -> date:
    return periods.add_months(month, -(month.month % 3))


def _quarters(end: date, n: int, values: list[int]) -> list[Figure]:
    """``n`` quarterly sum figures, one per quarter, the latest ending at ``end``."""
    ends = [periods.add_months(end, -3 * i) for i in range(n)]
    return [Figure(Span.of(e, "quarterly").first, e, v) for e, v in zip(ends, values)]


@settings(max_examples=100, deadline=None)
@given(period=st.builds(date, st.integers(2010, 2030), st.integers(1, 12), st.just(1)),
       values=st.lists(st.integers(0, 10_000), min_size=12, max_size=12))
def test_rolling_12_of_quarters_is_exactly_four_figures_at_a_quarter_end_and_a_reason_otherwise(period, values):
    figures = _quarters(_quarter_end(period), 12, values)
    current, previous = comparison("rolling-12", period)
    for window in (current, previous):
        got = window_value(figures, window, "sum")
        if period.month % 3 == 0:                         # the window ends at a quarter end
            four = [f for f in figures if f.first >= window.first and f.last <= window.last]
            assert len(four) == 4 and got.figures == 4 and got.reason is None
            assert got.value == sum(f.value for f in four)
        else:                                             # the period falls inside a quarter
            assert got.value is None and got.figures == 0
            assert isinstance(got.reason, str) and got.reason


@settings(max_examples=100, deadline=None)
@given(period=st.builds(date, st.integers(2010, 2030), st.integers(1, 12), st.just(1)),
       values=st.lists(st.integers(0, 10_000), min_size=16, max_size=16, unique=True),
       basis=st.sampled_from(BASES_OF_WINDOWS), aggregation=st.sampled_from(["sum", "mean", "latest"]))
def test_year_ending_figures_every_quarter_give_a_window_exactly_one_figure_or_none(period, values, basis,
                                                                                    aggregation):
    # covers: 12, quarterly: each figure is the 12 months to its quarter end; they overlap by 9 months
    ends = [periods.add_months(_quarter_end(period), -3 * i) for i in range(16)]
    figures = [Figure(Window.ending(e, 12).first, e, v) for e, v in zip(ends, values)]
    for window in comparison(basis, period, "quarterly", 12):
        got = window_value(figures, window, aggregation, covers=12)
        equal = [f for f in figures if (f.first, f.last) == (window.first, window.last)]
        if equal:
            assert (got.value, got.figures, got.reason) == (equal[0].value, 1, None)
        else:
            # never a sum (or mean) of overlapping figures: no value, and the reason says why
            assert got.value is None and got.figures == 0 and got.reason


# The windows of each basis

@given(year=st.integers(1990, 2100))
def test_rolling_12_at_march_is_the_financial_year(year):
    current, previous = comparison("rolling-12", date(year, 3, 1))
    assert current.months == periods.fy_months(year - 1) and previous.months == periods.fy_months(year - 2)
    assert current.label() == periods.fy_label(year - 1)


@settings(max_examples=60, deadline=None)
@given(year=st.integers(2010, 2030), values=st.lists(st.integers(0, 10_000), min_size=24, max_size=24))
def test_at_march_rolling_12_is_the_financial_years_and_ytd_equals_it(year, values):
    march = date(year, 3, 1)
    start = periods.add_months(march, -23)                    # April two financial years back
    by_month = {periods.add_months(start, i): v for i, v in enumerate(values)}
    figures = [Figure.monthly(month, v) for month, v in by_month.items()]
    rolling, ytd = comparison("rolling-12", march), comparison("ytd", march)
    assert rolling == ytd
    fy, fy_before = periods.fy_months(year - 1), periods.fy_months(year - 2)    # April..March
    assert [fy[0].month, fy[-1].month] == [4, 3]
    for window, months in zip(rolling, (fy, fy_before)):
        assert window_value(figures, window, "sum").value == sum(by_month[m] for m in months)
    for a, b in zip(rolling, ytd):
        assert window_value(figures, a, "sum") == window_value(figures, b, "sum")


@given(period=months)
def test_ytd_is_exactly_todays_ytd_and_last_ytd(period):
    current, previous = comparison("ytd", period)
    assert current.months == periods.ytd_months(period)
    assert previous.months == periods.last_ytd_months(period)


@given(period=months, basis=st.sampled_from(BASES_OF_WINDOWS), frequency=regular, covers=covers)
def test_current_and_previous_never_overlap_and_are_as_long_as_each_other(period, basis, frequency, covers):
    current, previous = comparison(basis, period, frequency, covers)
    assert not current.overlaps(previous) and previous.last < current.first
    assert len(current) == len(previous)
    assert current.last <= period                          # nothing after the period


@given(period=months, covers=covers)
def test_previous_of_a_quarterly_measure_is_twelve_months_earlier(period, covers):
    current, previous = comparison("previous", period, "quarterly", covers)
    assert previous == current.shift(-12)
    assert current.last.month in (3, 6, 9, 12) and 0 <= periods.months_between(current.last, period) < 3
    assert len(current) == (covers or 3)


@given(period=months, frequency=regular, covers=covers)
def test_sequential_is_the_window_just_before(period, frequency, covers):
    current, previous = comparison("sequential", period, frequency, covers)
    assert periods.add_months(previous.last, 1) == current.first


# Figures held: irregular waves never overlap, so neither do their comparisons

@st.composite
def waves(draw):
    """Non-overlapping spans of 1 to 6 months with gaps, in a random order."""
    first = draw(st.builds(date, st.integers(2015, 2020), st.integers(1, 12), st.just(1)))
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        first = periods.add_months(first, draw(st.integers(0, 6)))
        last = periods.add_months(first, draw(st.integers(0, 5)))
        spans.append(Span(first, last))
        first = periods.add_months(last, 1)
    return draw(st.permutations(spans))


@given(spans=waves(), period=st.builds(date, st.integers(2015, 2026), st.integers(1, 12), st.just(1)),
       basis=st.sampled_from(["previous", "sequential"]))
def test_irregular_comparisons_are_the_latest_wave_and_the_one_before(spans, period, basis):
    current, previous = comparison_of_spans(basis, period, spans, "irregular")
    held = [s for s in spans if s.last <= period]
    if not held:
        assert (current, previous) == (None, None)
        return
    assert current in held and all(s.last <= current.last for s in held)
    if previous is not None:
        assert previous in held and previous.last < current.first
        assert not any(previous.last < s.last < current.first for s in held)   # the wave just before
    else:
        assert all(s == current for s in held)


@given(period=months, frequency=st.sampled_from(["quarterly", "annual"]), covers=covers,
       basis=st.sampled_from(["previous", "sequential"]), n=st.integers(1, 6))
def test_held_regular_figures_compare_like_the_calendar_at_their_latest_end(period, frequency, covers, basis, n):
    spans = [Window.ending(periods.add_months(period, -12 * k), covers or (3 if frequency == "quarterly" else 12))
             for k in range(n)]
    current, previous = comparison_of_spans(basis, period, spans, frequency, covers)
    assert current == spans[0]
    assert previous == current.shift(-12 if basis == "previous" else -len(current))


# covers: overlapping year-ending figures are never added

@settings(max_examples=100, deadline=None)
@given(ends=st.lists(st.integers(0, 30), min_size=1, max_size=12, unique=True), window=windows,
       aggregation=st.sampled_from(["sum", "mean", "latest"]))
def test_overlapping_year_ending_figures_are_never_added(ends, window, aggregation):
    base = date(2016, 3, 1)
    figures = [Figure(Window.ending(periods.add_months(base, 3 * e), 12).first, periods.add_months(base, 3 * e),
                      1000 + e) for e in ends]
    got = window_value(figures, window, aggregation, covers=12)
    equal = [f for f in figures if (f.first, f.last) == (window.first, window.last)]
    assert got.value == (equal[0].value if equal else None)
    assert got.figures == len(equal)


# Boundaries: a definition change (replaces_from) or an SPC rebase

@given(window=windows, boundary=months)
def test_a_clipped_window_never_spans_the_boundary_and_keeps_every_month_on_or_after_it(window, boundary):
    clipped = clip(window, boundary)
    kept = [mo for mo in window.months if mo >= boundary]
    if clipped is None:
        assert kept == []
    else:
        assert not clipped.spans(boundary) and clipped.months == kept
        assert clipped.within(window) and clipped.first >= boundary


@given(period=months, basis=st.sampled_from(BASES_OF_WINDOWS), frequency=regular,
       boundaries=st.lists(months, max_size=3))
def test_a_guarded_comparison_never_crosses_a_boundary(period, basis, frequency, boundaries):
    current, previous = comparison(basis, period, frequency)
    kept_current, kept_previous, reason = guard(current, previous, boundaries)
    assert kept_current == current
    crosses = any(current.spans(b) or previous.spans(b) or (previous.last < b <= current.first)
                  for b in boundaries)
    if crosses:
        assert kept_previous is None and reason.startswith("No comparison across the change of ")
    else:
        assert (kept_previous, reason) == (previous, None)
    for b in boundaries:
        if kept_previous is not None:
            assert not kept_current.spans(b) and not kept_previous.spans(b)
            assert (kept_previous.last < b) == (kept_current.last < b)


@given(period=months, boundary=months)
def test_a_comparison_wholly_after_a_rebase_is_kept(period, boundary):
    current, previous = comparison("rolling-12", period)
    assume(previous.first >= boundary)
    assert guard(current, previous, [boundary]) == (current, previous, None)


@settings(max_examples=200, deadline=None)
@given(period=st.builds(date, st.integers(2010, 2030), st.integers(1, 12), st.just(1)),
       boundary=st.builds(date, st.integers(2008, 2031), st.integers(1, 12), st.just(1)),
       basis=st.sampled_from(BASES_OF_WINDOWS), frequency=regular, covers=covers)
def test_one_boundary_either_refuses_the_comparison_or_leaves_both_windows_on_one_side(period, boundary, basis,
                                                                                        frequency, covers):
    # a `replaces_from` month or an SPC rebase: any basis, period, frequency, covers
    current, previous = comparison(basis, period, frequency, covers)
    kept_current, kept_previous, reason = guard(current, previous, [boundary])
    assert kept_current == current
    if kept_previous is None:
        assert reason.startswith(f"No comparison across the change of {periods.month_label(boundary)}: ")
    else:
        assert reason is None and kept_previous == previous
        assert not kept_current.spans(boundary) and not kept_previous.spans(boundary)
        assert (kept_previous.last < boundary) == (kept_current.last < boundary)
        assert (kept_previous.first >= boundary) == (kept_current.first >= boundary)
