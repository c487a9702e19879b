from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import periods

months = st.builds(date, st.integers(1990, 2100), st.integers(1, 12), st.just(1))


def test_june_2014_is_in_2014_15_q1():
    assert periods.financial_year(date(2014, 6, 1)) == "2014/15"
    assert periods.quarter(date(2014, 6, 1)) == "2014/15 Q1"


def test_january_to_march_belong_to_the_previous_financial_year_q4():
    assert periods.financial_year(date(2014, 2, 1)) == "2013/14"
    assert periods.quarter(date(2014, 3, 1)) == "2013/14 Q4"
    assert periods.quarter(date(2013, 12, 1)) == "2013/14 Q3"


def test_ytd_for_february_2014_runs_april_2013_to_february_2014():
    ytd = periods.ytd_months(date(2014, 2, 1))
    assert ytd[0] == date(2013, 4, 1)
    assert ytd[-1] == date(2014, 2, 1)
    assert len(ytd) == 11


def test_last_ytd_is_the_same_months_a_year_earlier():
    assert periods.last_ytd_months(date(2013, 6, 1)) == [date(2012, 4, 1), date(2012, 5, 1), date(2012, 6, 1)]


def test_ytd_in_april_is_just_april():
    assert periods.ytd_months(date(2014, 4, 1)) == [date(2014, 4, 1)]


def test_rolling_12_ends_at_the_period_and_crosses_the_financial_year():
    window = periods.rolling_12_months(date(2014, 6, 1))
    assert window[0] == date(2013, 7, 1) and window[-1] == date(2014, 6, 1) and len(window) == 12


def test_full_last_year_is_the_previous_financial_year():
    window = periods.full_last_year_months(date(2014, 2, 1))
    assert window[0] == date(2012, 4, 1) and window[-1] == date(2013, 3, 1)


def test_quarter_months():
    assert periods.quarter_months(2014, 4) == [date(2015, 1, 1), date(2015, 2, 1), date(2015, 3, 1)]
    assert periods.parse_quarter("2014/15 Q1") == (2014, 1)


def test_financial_year_labels_across_a_century():
    assert periods.fy_label(1999) == "1999/00"
    assert periods.parse_financial_year("1999/00") == 1999


@pytest.mark.parametrize("text", ["2014-13", "2014-6", "14-06", "June 2014", "", "2014-00"])
def test_parse_month_rejects_bad_months(text):
    with pytest.raises(ValueError, match="month"):
        periods.parse_month(text)


@pytest.mark.parametrize("text", ["2014/16", "2014-15", "14/15", "2014/2015"])
def test_parse_financial_year_rejects_bad_years(text):
    with pytest.raises(ValueError, match="financial year"):
        periods.parse_financial_year(text)


@given(months)
def test_ytd_always_starts_in_april_and_ends_at_the_period(month):
    ytd = periods.ytd_months(month)
    assert ytd[0].month == 4 and ytd[-1] == month
    assert 1 <= len(ytd) <= 12
    assert all(periods.financial_year(m) == periods.financial_year(month) for m in ytd)


@given(months, st.integers(-500, 500))
def test_add_months_round_trips(month, n):
    assert periods.add_months(periods.add_months(month, n), -n) == month
    assert periods.months_between(month, periods.add_months(month, n)) == n


@given(months)
def test_format_and_parse_round_trip(month):
    assert periods.parse_month(periods.format_month(month)) == month


def test_a_reporting_period_is_not_after_the_current_month():
    today = date(2014, 7, 15)
    assert periods.parse_past_month("2014-07", today) == date(2014, 7, 1)
    with pytest.raises(ValueError, match="^2014-08 is in the future$"):
        periods.parse_past_month("2014-08", today)
    with pytest.raises(ValueError, match="is not a month"):
        periods.parse_past_month("July", today)
