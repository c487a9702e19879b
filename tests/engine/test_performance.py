"""The whole engine for an indicator at a period, from plain frames."""

from datetime import date

import pandas as pd
import pytest

from indicators.engine import columns as c
from indicators.engine.performance import Inputs, baseline_months, evaluate, window_start
from tests.engine.helpers import concat, indicators, m, observations, series, targets


def one(inputs, period="2013-06", **kwargs):
    return evaluate(inputs, period=m(period), **kwargs)[0]


def vwi_inputs(extra_targets=()):
    # Apr 2011 .. Jun 2013: 24 months of 550 then last year 557/558/557 and this year 507/505/505
    values = [550 + (i % 2) * 10 for i in range(12)] + [557, 558, 557] + [560] * 9 + [507, 505, 505]
    return Inputs(indicators=indicators({c.CODE: "vwi"}), observations=series(1, "2011-04", values),
                  targets=targets((1, "2013/14", "change", -2), *extra_targets))


def test_windows_ytd_last_ytd_change_and_target():
    r = one(vwi_inputs())
    assert (r.ytd, r.last_ytd) == (1517, 1672)
    assert r.change == -155 and r.change_pct == pytest.approx(-9.270334928229665)
    assert r.target.to_api() == {"kind": "change", "value": 1639, "wording": ""}
    assert (r.rag, r.rag_source) == ("green", "computed")
    assert r.significance.result == "improvement"
    assert r.financial_year == "2013/14" and r.period == "2013-06"


def test_rolling_12_full_last_year_and_projection():
    r = one(vwi_inputs())
    assert r.rolling_12 == 557 + 558 + 557 + 560 * 9 - (557 + 558 + 557) + 1517  # Jul 2012..Jun 2013
    full = 557 + 558 + 557 + 560 * 9
    assert r.full_last_year == full
    assert r.projected_outturn == pytest.approx(1517 * full / 1672)


def test_last_year_zero_gives_no_change_pct_and_no_projection():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-04", [0, 0, 0] + [1] * 9 + [3, 4, 5]))
    r = one(inputs)
    assert r.last_ytd == 0 and r.change == 12 and r.change_pct is None
    assert r.projected_outturn is None


def test_first_year_of_data_has_no_last_year_and_no_limits():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2013-04", [5, 6, 7]),
                    targets=targets((1, "2013/14", "change", -2)))
    r = one(inputs)
    assert r.ytd == 18 and r.last_ytd is None and r.change is None
    assert r.target.value is None and r.rag is None
    assert r.significance.to_api() == {"test": "binomial", "p_value": None, "result": "not-tested"}
    assert r.spc.ucl is None and r.spc.reason == "not enough data for SPC (0 of the 12 months needed)"
    assert r.spc.variation is None
    assert r.last_ytd_reason == "April 2012 not yet available (and 2 more months)"


def test_fewer_than_12_baseline_months():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-05", [10] * 14))
    r = one(inputs)
    assert r.spc.mean is None and r.spc.reason == "not enough data for SPC (11 of the 12 months needed)"
    assert (r.spc.variation, r.spc.assurance, r.spc.signals) == (None, None, ())


def test_baseline_is_the_24_months_before_the_financial_year():
    assert baseline_months(m("2014-06")) == (m("2012-04"), m("2014-03"))
    assert baseline_months(m("2014-02")) == (m("2011-04"), m("2013-03"))
    assert window_start(m("2014-02")) == m("2011-04")


def test_a_period_in_january_crosses_the_calendar_year():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-04", [10] * 22))
    r = one(inputs, period="2014-01")
    assert r.ytd == 100 and r.last_ytd == 100 and r.financial_year == "2013/14"


def test_a_plan_starting_mid_year_rates_from_its_first_target_year():
    # data from Oct 2013 only; the target is for 2014/15
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2013-10", [10] * 12),
                    targets=targets((1, "2014/15", "absolute", 25)))
    early = one(inputs, period="2013-12")
    assert early.ytd is None and early.ytd_reason == "April 2013 not yet available (and 5 more months)"
    assert early.target is None and early.rag is None
    later = one(inputs, period="2014-05")
    assert later.ytd == 20 and later.rag == "green"


def test_ytd_reason_for_an_unavailable_month():
    obs = observations(1, {"2013-04": 512, "2013-05": 498, "2013-06": "unavailable"})
    r = one(Inputs(indicators=indicators({}), observations=obs))
    assert r.ytd is None and r.ytd_reason == "June 2013 unavailable: System migration"
    assert r.monthly[-1].to_api() == {"month": "2013-06", "value": None, "numerator": None, "denominator": None,
                                "status": "unavailable", "illustrative": False,
                                    "from": "2013-06", "lower": None, "upper": None}


def test_ratio_indicator_rag_and_two_proportion_test():
    obs = concat(series(1, "2012-04", [(None, 700, 1000)] * 3), series(1, "2013-04", [(None, 742, 1000)] * 3))
    inputs = Inputs(indicators=indicators({c.UNIT: "percent", c.AGGREGATION: "ratio", c.POLARITY: "up"}),
                    observations=obs, targets=targets((1, "2013/14", "absolute", 75)))
    r = one(inputs)
    assert r.ytd == pytest.approx(74.2) and r.last_ytd == pytest.approx(70.0)
    assert r.rag == "amber"
    assert r.significance.test == "two-proportion" and r.significance.result == "improvement"
    assert r.monthly[-1].value == pytest.approx(74.2)


def test_an_assessment_decides_and_is_marked_manual():
    assessments = pd.DataFrame([{c.INDICATOR_ID: 1, c.MONTH: m("2013-06"), c.RAG: "red", c.STATUS_TEXT: "Concern",
                                 c.REASON: "Data quality"}], columns=c.ASSESSMENT_COLUMNS)
    inputs = vwi_inputs()
    inputs.assessments = assessments
    r = one(inputs)
    assert (r.rag, r.rag_source) == ("red", "manual")
    assert r.computed_rag == "green"
    assert r.assessment.status_text == "Concern"


def test_monitor_measure_without_assessment_has_no_rag():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2013-04", [5, 6, 7]),
                    targets=targets((1, "2013/14", "monitor", None)))
    r = one(inputs)
    assert r.rag is None and r.rag_source is None and r.target.kind == "monitor"


def test_no_data_rag_when_a_rateable_target_has_no_ytd():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2012-04", [5] * 12),
                    targets=targets((1, "2013/14", "change", -2)))
    assert one(inputs).rag == "no-data"


def test_spc_assurance_uses_an_absolute_target():
    obs = series(1, "2011-04", [(None, 70 + (i % 2), 100) for i in range(27)])
    inputs = Inputs(indicators=indicators({c.UNIT: "percent", c.AGGREGATION: "ratio", c.POLARITY: "up"}),
                    observations=obs, targets=targets((1, "2013/14", "absolute", 60)))
    r = one(inputs)
    assert r.spc.mean == pytest.approx(70.5) and r.spc.assurance == "pass"


def test_msg_comparison_uses_peers_rolling_12_and_populations():
    ind = indicators({c.CODE: "burglary", c.MSG: True}, {c.CODE: "burglary", c.FORCE: "kent"},
                     {c.CODE: "burglary", c.FORCE: "essex"})
    obs = concat(series(1, "2012-07", [100] * 12), series(2, "2012-07", [300] * 12), series(3, "2012-08", [50] * 11))
    pops = pd.DataFrame([("west-mercia", 2013, 1_200_000), ("kent", 2012, 1_800_000), ("essex", 2013, 1_700_000)],
                        columns=c.POPULATION_COLUMNS)
    inputs = Inputs(indicators=ind, observations=obs, populations=pops,
                    msg_peers={"west-mercia": ["kent", "essex"]})
    r = one(inputs, indicator_ids=[1])
    assert r.rolling_12 == 1200
    assert r.msg_comparison.rate == pytest.approx(1.0)
    assert r.msg_comparison.to_api()["peers"] == [{"force": "kent", "rate": pytest.approx(2.0)}]   # Essex's window is incomplete
    assert r.msg_comparison.average == pytest.approx(1.5) and r.msg_comparison.position == 1 and r.msg_comparison.of == 2


def test_results_come_in_the_order_asked():
    inputs = Inputs(indicators=indicators({}, {}, {}), observations=series(2, "2013-04", [1, 2, 3]))
    results = evaluate(inputs, period=date(2013, 6, 1), indicator_ids=[3, 2])
    assert [r.indicator for r in results] == ["i3", "i2"] and results[1].ytd == 6


def test_a_series_that_starts_later_has_a_shorter_baseline():
    """SPEC §3: the baseline is the 24 months before the financial year,
    fewer if the series is shorter: it starts at the series' first month."""
    late = one(Inputs(indicators=indicators({}), observations=series(1, "2012-01", [10, 12] * 9)))
    assert late.spc.baseline == ("2012-01", "2013-03")
    full = one(Inputs(indicators=indicators({}), observations=series(1, "2011-01", [10, 12] * 15)))
    assert full.spc.baseline == ("2011-04", "2013-03")


def test_a_low_point_is_marked_by_only_the_rules_it_breaks():
    """A point below the lower limit (a mark of direction -1) lists only the
    rule it breaks, and a high one likewise: the rules of each signal come
    from the marks that are set, whatever their direction."""
    base = [100, 104, 98, 102, 97, 103, 99, 101, 100, 96, 104, 98] * 2       # Apr 2011 .. Mar 2013: the baseline
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2011-04", [*base, 101, 40, 99]))
    low = one(inputs)
    assert [(s.month, s.rules) for s in low.spc.signals] == [("2013-05", ("outside-limits",))]
    high = one(Inputs(indicators=indicators({}), observations=series(1, "2011-04", [*base, 101, 160, 99])))
    assert [(s.month, s.rules) for s in high.spc.signals] == [("2013-05", ("outside-limits",))]
