"""Basis `previous` (SPEC §6, the default of non-monthly measures): the
latest figure whose span ends by the period against the same span a year
earlier (quarterly, annual; with `covers: 12` the figure ending 12 months
earlier), or the figure before it (irregular)."""

import pytest

from indicators.engine.windows import Span, Window, comparison, comparison_of_spans
from tests.engine.helpers import m


def w(first, last):
    return Window(m(first), m(last))


@pytest.mark.parametrize(("period", "frequency", "covers", "current", "previous"), [
    ("2024-06", "quarterly", None, ("2024-04", "2024-06"), ("2023-04", "2023-06")),
    ("2024-08", "quarterly", None, ("2024-04", "2024-06"), ("2023-04", "2023-06")),  # Q1 until Q2 ends
    ("2025-02", "quarterly", None, ("2024-10", "2024-12"), ("2023-10", "2023-12")),
    ("2025-03", "quarterly", None, ("2025-01", "2025-03"), ("2024-01", "2024-03")),
    ("2024-03", "annual", None, ("2023-04", "2024-03"), ("2022-04", "2023-03")),     # homicide 2023/24
    ("2024-11", "annual", None, ("2023-04", "2024-03"), ("2022-04", "2023-03")),     # until March 2025
    ("2019-08", "quarterly", 12, ("2018-07", "2019-06"), ("2017-07", "2018-06")),    # year ending June 2019
    ("2024-05", "monthly", None, ("2024-05", "2024-05"), ("2023-05", "2023-05")),
])
def test_previous_golden(period, frequency, covers, current, previous):
    assert comparison("previous", m(period), frequency, covers) == (w(*current), w(*previous))


def test_previous_of_an_irregular_measure_needs_its_figures():
    with pytest.raises(ValueError, match="comparison_of_spans"):
        comparison("previous", m("2024-11"), "irregular")


def test_previous_of_irregular_figures_is_the_wave_before():
    waves = [Span(m("2023-09"), m("2023-11")), Span(m("2024-09"), m("2024-11")), Span(m("2024-03"), m("2024-05"))]
    assert comparison_of_spans("previous", m("2025-01"), waves, "irregular") == (
        w("2024-09", "2024-11"), w("2024-03", "2024-05"))
    # before the autumn 2024 wave is out, the spring wave is the latest
    assert comparison_of_spans("previous", m("2024-10"), waves, "irregular") == (
        w("2024-03", "2024-05"), w("2023-09", "2023-11"))


def test_previous_of_the_first_irregular_figure_is_none():
    one_off = [Span(m("2021-11"), m("2022-04"))]          # the 999 one-off of issue 25
    assert comparison_of_spans("previous", m("2025-03"), one_off, "irregular") == (w("2021-11", "2022-04"), None)


def test_no_figure_yet_gives_no_comparison():
    assert comparison_of_spans("previous", m("2021-10"), [Span(m("2021-11"), m("2022-04"))], "irregular") == (
        None, None)


def test_previous_from_figures_is_the_latest_quarter_filed_not_the_latest_quarter_end():
    filed = [Span.of(m("2024-03"), "quarterly"), Span.of(m("2024-06"), "quarterly")]
    assert comparison_of_spans("previous", m("2024-11"), filed, "quarterly") == (
        w("2024-04", "2024-06"), w("2023-04", "2023-06"))


def test_previous_from_calendar_year_figures_is_a_year_earlier():
    years = [Span.of(m("2022-12"), "annual"), Span.of(m("2023-12"), "annual")]
    assert comparison_of_spans("previous", m("2024-05"), years, "annual") == (
        w("2023-01", "2023-12"), w("2022-01", "2022-12"))


def test_previous_of_year_ending_figures_is_the_figure_ending_twelve_months_earlier():
    figures = [Span.of(m(month), "quarterly", covers=12) for month in ("2018-06", "2018-09", "2019-03", "2019-06")]
    assert comparison_of_spans("previous", m("2019-07"), figures, "quarterly", covers=12) == (
        w("2018-07", "2019-06"), w("2017-07", "2018-06"))
