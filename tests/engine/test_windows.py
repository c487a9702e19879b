"""Windows and spans of months, their labels (SPEC §6 "The period a figure
is for"), and keeping comparisons off a definition change or rebase."""

from datetime import date

import pytest

from indicators.engine.windows import Span, Window, clip, guard, span_label
from tests.engine.helpers import m


def w(first: str, last: str) -> Window:
    return Window(m(first), m(last))


@pytest.mark.parametrize(("first", "last", "label"), [
    ("2024-04", "2025-03", "2024/25"),
    ("2024-07", "2024-09", "Q2 2024/25"),
    ("2025-01", "2025-03", "Q4 2024/25"),
    ("2021-12", "2022-11", "rolling year to Nov 2022"),
    ("2021-11", "2022-04", "Nov 2021 – Apr 2022"),
    ("2022-11", "2022-11", "Nov 2022"),
    ("2024-08", "2024-10", "Aug 2024 – Oct 2024"),     # three months that are not a quarter
    ("2013-04", "2013-06", "Q1 2013/14"),              # a YTD at June is the first quarter
    ("2018-07", "2019-06", "rolling year to Jun 2019"),
])
def test_span_labels_as_the_spec_prints_them(first, last, label):
    assert span_label(m(first), m(last)) == label
    assert w(first, last).label() == label


def test_a_window_counts_its_months_inclusive():
    window = w("2021-12", "2022-11")
    assert len(window) == 12 and window.months[0] == m("2021-12") and window.months[-1] == m("2022-11")
    assert m("2022-01") in window and m("2022-12") not in window


def test_shift_moves_both_ends():
    assert w("2021-12", "2022-11").shift(-12) == w("2020-12", "2021-11")


def test_to_api_is_the_span_object_of_spec_6():
    assert w("2021-12", "2022-11").to_api() == {"from": "2021-12", "to": "2022-11",
                                                "label": "rolling year to Nov 2022"}


def test_a_window_cannot_end_before_it_starts_or_start_mid_month():
    with pytest.raises(ValueError, match="cannot end"):
        w("2022-11", "2022-10")
    with pytest.raises(ValueError, match="on the 1st"):
        Window(date(2022, 11, 2), date(2022, 12, 1))


def test_span_of_a_quarterly_row_is_the_three_months_ending_at_a_quarter_end():
    assert Span.of(m("2024-06"), "quarterly") == w("2024-04", "2024-06")
    with pytest.raises(ValueError, match="not a quarter end"):
        Span.of(m("2024-05"), "quarterly")


def test_span_of_an_annual_row_is_the_twelve_months_ending_at_its_month():
    assert Span.of(m("2024-03"), "annual") == w("2023-04", "2024-03")


def test_span_of_a_year_ending_figure_published_quarterly_covers_twelve_months():
    assert Span.of(m("2019-06"), "quarterly", covers=12) == w("2018-07", "2019-06")


def test_span_of_an_irregular_row_needs_from():
    assert Span.of(m("2022-04"), "irregular", first=m("2021-11")).label() == "Nov 2021 – Apr 2022"
    with pytest.raises(ValueError, match="needs `from`"):
        Span.of(m("2022-04"), "irregular")


def test_span_of_a_monthly_row_is_its_month_and_takes_no_other_from():
    assert Span.of(m("2024-05")) == w("2024-05", "2024-05")
    assert Span.of(m("2024-05"), first=m("2024-05")) == w("2024-05", "2024-05")
    with pytest.raises(ValueError, match="monthly figure has no `from`"):
        Span.of(m("2024-05"), first=m("2024-04"))


def test_clip_keeps_the_part_on_or_after_the_boundary():
    assert clip(w("2022-07", "2023-06"), m("2023-04")) == w("2023-04", "2023-06")
    assert clip(w("2023-07", "2024-06"), m("2023-04")) == w("2023-07", "2024-06")
    assert clip(w("2022-04", "2023-03"), m("2023-04")) is None


def test_guard_leaves_a_comparison_on_one_side_of_every_boundary():
    current, previous = w("2024-04", "2025-03"), w("2023-04", "2024-03")
    assert guard(current, previous, [m("2020-04")]) == (current, previous, None)


def test_guard_refuses_a_window_that_spans_a_rebase():
    current, previous = w("2019-07", "2020-06"), w("2018-07", "2019-06")
    assert guard(current, previous, [m("2020-04")]) == (
        current, None, "No comparison across the change of April 2020: rolling year to Jun 2020 spans it")


def test_guard_refuses_a_previous_window_before_the_change():
    current, previous = w("2023-04", "2024-03"), w("2022-04", "2023-03")
    assert guard(current, previous, [m("2023-04")]) == (
        current, None, "No comparison across the change of April 2023: 2022/23 is before it")
