"""The plan's own rating of every measure (SPEC §3 "Ratings"): targets,
significance and SPC, an assessment's override, and which measures are bad,
need attention or improved."""

import pandas as pd
import pytest

from indicators.engine import columns as c
from indicators.engine.performance import Inputs, evaluate
from indicators.engine.ratings import improved, is_bad, needs_attention, ratings
from tests.engine.helpers import indicators, m, series, targets


def one(inputs, period="2013-06"):
    return evaluate(inputs, period=m(period))[0]


def assessment(**fields):
    row = {c.INDICATOR_ID: 1, c.MONTH: m("2013-06"), c.RAG: "", c.STATUS_TEXT: "", c.REASON: "", c.RATING: ""}
    return pd.DataFrame([row | fields], columns=c.ASSESSMENT_COLUMNS)


def crime(this_year, *, method="targets", target=-2, polarity="down", **ind):
    """24 baseline months of 550/560 (Apr 2011 – Mar 2013), then this year's
    three months: last YTD 1,110 + 555 … (see the figures in each test)."""
    values = [550 + (i % 2) * 10 for i in range(24)] + list(this_year)
    return Inputs(indicators=indicators({c.CODE: "vwi", c.POLARITY: polarity} | ind),
                  observations=series(1, "2011-04", values),
                  targets=targets((1, "2013/14", "change", target)) if target is not None else targets(),
                  rating_methods={"west-mercia": method})


def test_targets_rating_is_the_rag_and_is_the_default():
    r = one(crime([500, 500, 500]))
    # last YTD = 550 + 560 + 550 = 1,660; target −2 % → 1,627; YTD 1,500 → green
    assert (r.ytd, r.target.value, r.rag) == (1500, 1627, "green")
    assert r.rating.to_api() == {"method": "targets", "value": "green", "manual": False}
    inputs = crime([500, 500, 500])
    inputs.rating_methods = {}                      # no plan known: rated by targets
    assert one(inputs).rating.method == "targets"


def test_targets_rating_red_amber_no_data_and_none():
    assert one(crime([600, 600, 600])).rating.value == "red"          # 1,800 vs 1,627: 10.6 % over
    assert one(crime([550, 560, 560])).rating.value == "amber"        # 1,670 vs 1,627: 2.6 % over
    assert one(crime([550, 560, None])).rating.value == "no-data"
    no_target = one(crime([500, 500, 500], target=None))
    assert no_target.rating.to_api() == {"method": "targets", "value": None, "manual": False}


def test_an_assessment_overrides_a_targets_rating_and_keeps_the_computed_one():
    inputs = crime([500, 500, 500])
    inputs.assessments = assessment(rag="amber", reason="Recording change inflates the fall")
    r = one(inputs)
    assert r.rating.to_api() == {"method": "targets", "value": "amber", "manual": True}
    assert r.rating.computed == "green"


def test_significance_rating_improvement_deterioration_and_no_change():
    # last YTD 1,660; 1,500 is a significant fall (p ≈ 0.005): lower is better → improvement
    down = one(crime([500, 500, 500], method="significance"))
    assert down.significance.p_value < 0.05
    assert down.rating.to_api() == {"method": "significance", "value": "improvement", "manual": False}
    assert one(crime([620, 620, 620], method="significance")).rating.value == "deterioration"
    assert one(crime([550, 560, 560], method="significance")).rating.value == "no-significant-change"
    assert one(crime([500, 500, 500], method="significance", polarity="neutral")).rating.value == \
        "significant-change"


def test_significance_not_tested_gives_no_rating():
    r = one(crime([500, 500, 500], method="significance", aggregation="mean"))
    assert r.significance.result == "not-tested"
    assert r.rating.to_api() == {"method": "significance", "value": None, "manual": False}


def test_an_assessment_overrides_a_significance_rating():
    inputs = crime([500, 500, 500], method="significance")
    inputs.assessments = assessment(rating="no-significant-change", reason="The fall is a recording change")
    r = one(inputs)
    assert r.rating.to_api() == {"method": "significance", "value": "no-significant-change", "manual": True}
    assert r.rating.computed == "improvement"
    assert r.assessment.rating == "no-significant-change"


def test_an_assessment_of_another_methods_vocabulary_does_not_override():
    inputs = crime([500, 500, 500], method="significance")
    inputs.assessments = assessment(rag="red", rating="special-cause-concern", reason="x")
    r = one(inputs)
    assert r.rating.to_api() == {"method": "significance", "value": "improvement", "manual": False}
    assert (r.rag, r.rag_source) == ("red", "manual")          # the RAG beside it is still the analyst's


def test_spc_rating_is_the_latest_variation_with_the_assurance():
    r = one(crime([700, 700, 700], method="spc"))                    # far above the limits, lower is better
    assert r.spc.variation == "special-cause-concern"
    assert r.rating.to_api() == {"method": "spc", "value": "special-cause-concern", "manual": False}
    assert one(crime([400, 400, 400], method="spc")).rating.value == "special-cause-improvement"
    assert one(crime([555, 556, 554], method="spc")).rating.value == "common-cause"


def test_spc_rating_carries_the_assurance_and_a_fail_is_bad():
    obs = series(1, "2011-04", [(None, 70 + (i % 2), 100) for i in range(27)])
    inputs = Inputs(indicators=indicators({c.UNIT: "percent", c.AGGREGATION: "ratio", c.POLARITY: "up"}),
                    observations=obs, targets=targets((1, "2013/14", "absolute", 80)),
                    rating_methods={"west-mercia": "spc"})
    r = one(inputs)
    assert (r.rating.value, r.rating.assurance) == ("common-cause", "fail")     # 80 % is above the upper limit
    assert is_bad(r) and needs_attention(r)


def test_spc_without_a_reading_has_no_rating():
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2013-04", [5, 6, 7]),
                    rating_methods={"west-mercia": "spc"})
    r = one(inputs)
    assert r.spc.reason == "not enough data for SPC (0 of the 12 months needed)"
    assert r.rating.to_api() == {"method": "spc", "value": None, "manual": False}


def test_an_assessment_overrides_an_spc_rating():
    inputs = crime([700, 700, 700], method="spc")
    inputs.assessments = assessment(rating="special-cause-neither", reason="Operation Tarlac: recording drive")
    r = one(inputs)
    assert (r.rating.value, r.rating.manual, r.rating.computed) == ("special-cause-neither", True,
                                                                     "special-cause-concern")
    assert not is_bad(r)
    # SPEC §3: the assessment decides whether it counts as bad, so it needs no attention;
    # the computed SPC reading stays shown beside it (r.rating.computed)
    assert not needs_attention(r)


def test_methods_are_per_force():
    ind = indicators({c.CODE: "a"}, {c.CODE: "a", c.FORCE: "leicestershire"})
    values = [550 + (i % 2) * 10 for i in range(24)] + [500, 500, 500]
    obs = pd.concat([series(1, "2011-04", values), series(2, "2011-04", values)], ignore_index=True)
    inputs = Inputs(indicators=ind, observations=obs, targets=targets((1, "2013/14", "change", -2)),
                    rating_methods={"leicestershire": "significance"})
    wm, leics = evaluate(inputs, period=m("2013-06"))
    assert (wm.rating.method, wm.rating.value) == ("targets", "green")
    assert (leics.rating.method, leics.rating.value) == ("significance", "improvement")


def test_an_unknown_method_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown rating method 'vibes'"):
        ratings(method=["vibes"], rag=[None], rag_source=[None], computed_rag=[None], significance=["not-tested"],
                variation=[None], assurance=[None], assessment_rating=[None])


@pytest.mark.parametrize(("method", "this_year", "bad", "attention", "better"), [
    ("targets", [600, 600, 600], True, True, False),          # red; significant deterioration
    ("targets", [550, 560, 560], True, True, False),          # amber
    ("targets", [500, 500, 500], False, False, True),         # green, significant improvement
    ("significance", [620, 620, 620], True, True, False),     # deterioration
    ("significance", [550, 560, 560], False, True, False),    # no significant change, but amber beside it
    ("spc", [400, 400, 400], False, False, True),             # special-cause improvement
    ("spc", [700, 700, 700], True, True, False),              # special-cause concern
])
def test_bad_needs_attention_and_improved(method, this_year, bad, attention, better):
    r = one(crime(this_year, method=method))
    assert (is_bad(r), needs_attention(r), improved(r)) == (bad, attention, better)


def test_to_api_always_carries_the_rating():
    r = one(crime([500, 500, 500], method="significance"))
    api = r.to_api(monthly=False)
    assert api["rating"] == {"method": "significance", "value": "improvement", "manual": False}
    assert set(api["rating"]) == {"method", "value", "manual"}


def test_an_analysts_rating_decides_bad_even_against_an_assurance_fail():
    """SPEC §3: an assessment decides whether the measure counts as bad; the
    computed assurance stays shown beside it."""
    obs = series(1, "2011-04", [(None, 70 + (i % 2), 100) for i in range(27)])
    inputs = Inputs(indicators=indicators({c.UNIT: "percent", c.AGGREGATION: "ratio", c.POLARITY: "up"}),
                    observations=obs, targets=targets((1, "2013/14", "absolute", 80)),
                    rating_methods={"west-mercia": "spc"})
    inputs.assessments = assessment(rating="common-cause", reason="Target under review by the panel")
    r = one(inputs)
    assert (r.rating.value, r.rating.manual, r.rating.assurance) == ("common-cause", True, "fail")
    assert not is_bad(r) and not needs_attention(r)


def test_a_sum_measure_has_no_assurance_against_its_yearly_total():
    """SPEC §3: a `sum` measure's absolute target is the year's total, not a month's."""
    inputs = Inputs(indicators=indicators({}), observations=series(1, "2011-04", [100 + (i % 3) for i in range(27)]),
                    targets=targets((1, "2013/14", "absolute", 1150)), rating_methods={"west-mercia": "spc"})
    r = one(inputs)
    assert r.spc.mean is not None and r.spc.assurance is None and r.target.value == 1150
