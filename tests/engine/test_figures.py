"""Figures a reader can use (issue 14, item 5): change in percentage points,
rolling 12 months against the previous 12, and the projected outturn against
the full-year target."""

import pytest

from indicators.engine import columns as c
from indicators.engine.performance import Inputs, evaluate
from reports.formatting import change_pts
from tests.engine.helpers import concat, indicators, m, series, targets


def one(inputs, period="2013-06"):
    return evaluate(inputs, period=m(period))[0]


def vwi(extra=()):
    # Apr 2011 – Mar 2012 alternating 550/560; Apr–Jun 2012 557, 558, 557; Jul 2012 – Mar 2013 560;
    # Apr–Jun 2013 507, 505, 505
    values = [550 + (i % 2) * 10 for i in range(12)] + [557, 558, 557] + [560] * 9 + [507, 505, 505]
    return Inputs(indicators=indicators({c.CODE: "vwi"}), observations=series(1, "2011-04", values),
                  targets=targets((1, "2013/14", "change", -2), *extra))


def test_rolling_12_against_the_previous_12():
    r = one(vwi())
    assert r.rolling_12 == 560 * 9 + 1517                           # Jul 2012 – Jun 2013: 6,557
    assert r.previous_rolling_12 == 5 * 560 + 4 * 550 + 1672        # Jul 2011 – Jun 2012: 6,672
    assert r.rolling_12_change == -115
    assert r.rolling_12_change_pct == pytest.approx(-100 * 115 / 6672)
    assert r.previous_rolling_12_reason is None


def test_previous_rolling_12_is_null_with_its_reason_when_a_month_is_missing():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2011-08", [10] * 23))
    r = one(inputs)
    assert r.rolling_12 == 120 and r.previous_rolling_12 is None and r.rolling_12_change is None
    assert r.previous_rolling_12_reason == "July 2011 not yet available"


def test_projected_outturn_against_the_full_year_target():
    r = one(vwi())
    full = 1672 + 560 * 9                                           # 2012/13: 6,712
    assert r.full_last_year == full
    assert r.full_year_target == 6578                                # 6,712 × 0.98 = 6,577.76, rounded
    assert r.projected_outturn == pytest.approx(1517 * full / 1672)  # 6,089.7
    assert r.projected_vs_target == pytest.approx(1517 * full / 1672 - 6578)
    assert r.projected_rag == "green"


def test_the_full_year_count_target_rounds_half_up():
    # 2012/13: 11 × 115 + 110 = 1,375; −2 % → 1,347.5 → 1,348; and 11 × 115 + 160 = 1,425;
    # −2 % → 1,396.5 → 1,397 (where Python's round() would give 1,396)
    values = [115] * 11 + [110] + [100, 100, 100]
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-04", values),
                    targets=targets((1, "2013/14", "change", -2)))
    assert one(inputs).full_year_target == 1348
    values = [115] * 11 + [160] + [100, 100, 100]
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-04", values),
                    targets=targets((1, "2013/14", "change", -2)))
    assert one(inputs).full_year_target == 1397


def test_projected_outturn_missing_the_full_year_target_is_red_or_amber():
    values = [100] * 12 + [110, 110, 110]                # this year 10 % up on last; lower is better, −2 % target
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-04", values),
                    targets=targets((1, "2013/14", "change", -2)))
    r = one(inputs)
    assert (r.projected_outturn, r.full_year_target) == (pytest.approx(1320), 1176)
    assert r.projected_vs_target == pytest.approx(144) and r.projected_rag == "red"


def test_an_absolute_target_is_the_full_year_target_and_no_projection_for_ratios():
    obs = concat(series(1, "2012-04", [(None, 700, 1000)] * 3), series(1, "2013-04", [(None, 742, 1000)] * 3))
    inputs = Inputs(indicators=indicators({c.UNIT: "percent", c.AGGREGATION: "ratio", c.POLARITY: "up",
                                           c.DECIMALS: 1}),
                    observations=obs, targets=targets((1, "2013/14", "absolute", 75)))
    r = one(inputs)
    assert r.full_year_target == 75
    assert (r.projected_outturn, r.projected_vs_target, r.projected_rag) == (None, None, None)
    assert r.change_pts == pytest.approx(4.2)
    assert change_pts(r.change_pts) == "+4.2 pts"


def test_change_in_points_only_for_percentages():
    assert one(vwi()).change_pts is None
    assert change_pts(-1.04) == "\u22121.0 pts" and change_pts(0.01) == "0.0 pts" and change_pts(None) == "\u2014"


def test_the_new_figures_are_not_in_the_api_object():
    api = one(vwi()).to_api()
    assert not {"change_pts", "previous_rolling_12", "projected_vs_target", "full_year_target"} & set(api)
