"""Significance of YTD against last YTD (SPEC §3)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from indicators.engine.significance import binomial_p_values, significance, two_proportion_p_values


def sig(ytd, last, aggregation="sum", unit="count", polarity="down", nums=(np.nan, np.nan, np.nan, np.nan)):
    return significance(aggregation=np.array([aggregation]), unit=np.array([unit]), polarity=np.array([polarity]),
                        ytd=np.array([ytd], dtype=float), last_ytd=np.array([last], dtype=float),
                        ytd_num=np.array([nums[0]]), ytd_den=np.array([nums[1]]),
                        last_num=np.array([nums[2]]), last_den=np.array([nums[3]]))[0]


def test_spec_example_violence_with_injury_is_a_significant_improvement():
    result = sig(1517, 1672)
    assert result["test"] == "binomial"
    assert result["p_value"] == pytest.approx(0.00638, abs=5e-6)
    assert result["result"] == "improvement"


def test_a_significant_rise_in_a_down_measure_is_deterioration():
    assert sig(930, 803)["result"] == "deterioration"       # Leicestershire domestic burglary +15.8 %
    assert sig(930, 803, polarity="up")["result"] == "improvement"
    assert sig(930, 803, polarity="neutral")["result"] == "significant-change"


def test_small_changes_are_not_significant():
    result = sig(15243, 15122)                                # Leicestershire all crime +0.8 %
    assert result["result"] == "no-significant-change" and result["p_value"] > 0.05


@pytest.mark.parametrize("k,last", [(1517, 1672), (5, 5), (0, 3), (7, 3), (315, 265), (1, 0)])
def test_binomial_matches_scipy_binomtest(k, last):
    assert binomial_p_values(np.array([k]), np.array([last]))[0] == pytest.approx(
        stats.binomtest(k, k + last, 0.5).pvalue, rel=1e-12)


def test_two_proportion_z_test_hand_computed():
    # 60/100 vs 40/100: pooled 0.5, se = sqrt(.25 * .02) = 0.0707, z = 2.828, p = 0.00468
    p = two_proportion_p_values([60], [100], [40], [100])[0]
    assert p == pytest.approx(0.004677734981047, rel=1e-9)
    result = sig(60.0, 40.0, aggregation="ratio", unit="percent", polarity="up", nums=(60, 100, 40, 100))
    assert result == {"test": "two-proportion", "p_value": pytest.approx(0.004677734981047), "result": "improvement"}


def test_other_aggregations_are_not_tested():
    assert sig(69.1, 71.2, aggregation="latest", unit="percent") == {"test": None, "p_value": None, "result": "not-tested"}
    assert sig(5.0, 4.0, aggregation="sum", unit="gbp")["result"] == "not-tested"


def test_missing_last_year_is_not_tested():
    assert sig(100, np.nan) == {"test": "binomial", "p_value": None, "result": "not-tested"}


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_property_swapping_polarity_swaps_improvement_and_concern(a, b):
    up, down = sig(a, b, polarity="up")["result"], sig(a, b, polarity="down")["result"]
    swap = {"improvement": "deterioration", "deterioration": "improvement"}
    assert up == swap.get(down, down)


@given(st.integers(0, 3000), st.integers(0, 3000))
def test_property_binomial_is_symmetric_and_a_probability(a, b):
    if a + b == 0:
        return
    p1, p2 = binomial_p_values(np.array([a]), np.array([b]))[0], binomial_p_values(np.array([b]), np.array([a]))[0]
    assert p1 == pytest.approx(p2) and 0 <= p1 <= 1
