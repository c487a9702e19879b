"""Basis `sequential` (SPEC §6): the latest figure or window against the one
just before it, of the same length (this quarter vs last quarter)."""

import pytest

from indicators.engine.windows import Span, Window, comparison, comparison_of_spans
from tests.engine.helpers import m


def w(first, last):
    return Window(m(first), m(last))


@pytest.mark.parametrize(("period", "frequency", "covers", "current", "previous"), [
    ("2024-09", "quarterly", None, ("2024-07", "2024-09"), ("2024-04", "2024-06")),   # Q2 vs Q1 2024/25
    ("2024-05", "quarterly", None, ("2024-01", "2024-03"), ("2023-10", "2023-12")),   # Q4 vs Q3 2023/24
    ("2024-05", "monthly", None, ("2024-05", "2024-05"), ("2024-04", "2024-04")),     # this month vs last
    ("2025-03", "annual", None, ("2024-04", "2025-03"), ("2023-04", "2024-03")),
    # a year-ending figure is compared with the year before it, never an overlapping one
    ("2019-06", "quarterly", 12, ("2018-07", "2019-06"), ("2017-07", "2018-06")),
])
def test_sequential_golden(period, frequency, covers, current, previous):
    assert comparison("sequential", m(period), frequency, covers) == (w(*current), w(*previous))


def test_sequential_labels_this_quarter_and_last():
    current, previous = comparison("sequential", m("2024-09"), "quarterly")
    assert (current.label(), previous.label()) == ("Q2 2024/25", "Q1 2024/25")


def test_sequential_of_irregular_figures_is_the_figure_before():
    waves = [Span(m("2024-03"), m("2024-05")), Span(m("2024-09"), m("2024-11"))]
    assert comparison_of_spans("sequential", m("2024-12"), waves, "irregular") == (
        w("2024-09", "2024-11"), w("2024-03", "2024-05"))


def test_sequential_of_filed_quarters_is_the_quarter_before_the_latest_filed():
    filed = [Span.of(m("2024-06"), "quarterly")]
    assert comparison_of_spans("sequential", m("2024-11"), filed, "quarterly") == (
        w("2024-04", "2024-06"), w("2024-01", "2024-03"))


def test_unknown_basis_is_refused_in_words():
    with pytest.raises(ValueError, match="unknown comparison 'fortnightly'"):
        comparison("fortnightly", m("2024-05"))
