"""Basis `rolling-3` (SPEC §6): the 3 months to the period against the same
3 months a year earlier."""

import pytest

from indicators.engine.windows import Window, comparison
from tests.engine.helpers import m


@pytest.mark.parametrize(("period", "current", "previous"), [
    # issue 25: the board's 3-month comparison, Aug–Oct 8,943 vs 9,617
    ("2024-10", ("2024-08", "2024-10"), ("2023-08", "2023-10")),
    ("2025-01", ("2024-11", "2025-01"), ("2023-11", "2024-01")),     # across a calendar year
    ("2024-06", ("2024-04", "2024-06"), ("2023-04", "2023-06")),     # a quarter, then it is labelled so
])
def test_rolling_3_golden(period, current, previous):
    assert comparison("rolling-3", m(period)) == (Window(m(current[0]), m(current[1])),
                                                  Window(m(previous[0]), m(previous[1])))


def test_rolling_3_labels():
    current, previous = comparison("rolling-3", m("2024-10"))
    assert (current.label(), previous.label()) == ("Aug 2024 – Oct 2024", "Aug 2023 – Oct 2023")
    assert comparison("rolling-3", m("2024-06"))[0].label() == "Q1 2024/25"
