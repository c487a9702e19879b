"""Basis `rolling-12` (SPEC §6): the 12 months to the period against the 12
months before them."""

import pytest

from indicators.engine.windows import Window, comparison
from tests.engine.helpers import m


@pytest.mark.parametrize(("period", "current", "previous"), [
    # issue 25: violence with injury, "rolling year to Nov 2022: 18,212, +6.4 %"
    ("2022-11", ("2021-12", "2022-11"), ("2020-12", "2021-11")),
    ("2019-06", ("2018-07", "2019-06"), ("2017-07", "2018-06")),    # "year ending June 2019"
    ("2025-03", ("2024-04", "2025-03"), ("2023-04", "2024-03")),    # at March: the financial year
])
def test_rolling_12_golden(period, current, previous):
    assert comparison("rolling-12", m(period)) == (Window(m(current[0]), m(current[1])),
                                                   Window(m(previous[0]), m(previous[1])))


def test_rolling_12_is_labelled_as_a_rolling_year():
    current, previous = comparison("rolling-12", m("2022-11"))
    assert (current.label(), previous.label()) == ("rolling year to Nov 2022", "rolling year to Nov 2021")


def test_rolling_12_of_a_quarterly_measure_is_the_same_calendar_window():
    assert comparison("rolling-12", m("2024-06"), "quarterly") == comparison("rolling-12", m("2024-06"))
