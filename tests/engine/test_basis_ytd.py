"""Basis `ytd` (SPEC §2, §6): April of the period's financial year to the
period, against the same months a year earlier."""

import pytest

from indicators import periods
from indicators.engine.performance import Inputs, evaluate
from indicators.engine.spans import Figure, window_value
from indicators.engine.windows import Window, comparison
from tests.engine.helpers import indicators, m, series


@pytest.mark.parametrize(("period", "current", "previous"), [
    ("2013-06", ("2013-04", "2013-06"), ("2012-04", "2012-06")),   # West Mercia Q1 2013/14 (seed 003)
    ("2014-06", ("2014-04", "2014-06"), ("2013-04", "2013-06")),   # Leicestershire Q1 2014/15 (seed 004)
    ("2014-02", ("2013-04", "2014-02"), ("2012-04", "2013-02")),
    ("2014-04", ("2014-04", "2014-04"), ("2013-04", "2013-04")),   # April: one month
    ("2015-03", ("2014-04", "2015-03"), ("2013-04", "2014-03")),   # March: the whole year
])
def test_ytd_golden(period, current, previous):
    assert comparison("ytd", m(period)) == (Window(m(current[0]), m(current[1])),
                                            Window(m(previous[0]), m(previous[1])))


def test_ytd_is_exactly_the_months_of_periods():
    current, previous = comparison("ytd", m("2013-11"))
    assert current.months == periods.ytd_months(m("2013-11"))
    assert previous.months == periods.last_ytd_months(m("2013-11"))


def test_ytd_is_the_default_of_monthly_measures_and_is_the_window_a_benchmark_uses():
    current, previous = comparison("benchmark", m("2013-06"))
    assert current == Window(m("2013-04"), m("2013-06")) and previous is None


def test_the_engine_ytd_and_rolling_12_are_the_values_of_their_windows():
    values = [500 + (i * 37) % 90 for i in range(39)]              # April 2010 to June 2013
    start = m("2010-04")
    figures = [Figure.monthly(periods.add_months(start, i), v) for i, v in enumerate(values)]
    [result] = evaluate(Inputs(indicators({}), series(1, "2010-04", values)), period=m("2013-06"), monthly=False)
    ytd_w, last_w = comparison("ytd", m("2013-06"))
    r12_w, pr12_w = comparison("rolling-12", m("2013-06"))
    assert (result.ytd, result.last_ytd) == (window_value(figures, ytd_w, "sum").value,
                                             window_value(figures, last_w, "sum").value)
    assert (result.rolling_12, result.previous_rolling_12) == (window_value(figures, r12_w, "sum").value,
                                                               window_value(figures, pr12_w, "sum").value)
