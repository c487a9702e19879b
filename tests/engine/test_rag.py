"""YTD targets and RAG (SPEC §3), with the seeds' figures."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.engine.rag import rag_status, round_half_up, target_value


@pytest.mark.parametrize("last_ytd,p,expected", [
    (15769, -4, 15138),   # West Mercia all crime 2013/14
    (1672, -2, 1639),     # violence with injury
    (702, -2, 688),       # domestic burglary
    (14745, -4, 14155),   # ASB
    (100, -2, 98),        # killed or seriously injured
])
def test_change_targets_round_half_up_as_published(last_ytd, p, expected):
    assert target_value("change", p, last_ytd, "count") == expected


def test_half_rounds_up_not_to_even():
    assert round_half_up(688.5) == 689 and round_half_up(687.5) == 688 and round(688.5) == 688
    assert target_value("change", -50, 1377, "count") == 689  # 688.5


def test_non_count_change_targets_are_not_rounded():
    assert target_value("change", 5, 35.0, "percent") == pytest.approx(36.75)


def test_absolute_target_is_the_value_and_other_kinds_have_none():
    assert target_value("absolute", 75, None, "percent") == 75
    for kind in ("monitor", "baseline", "milestone", None):
        assert target_value(kind, 10, 100, "count") is None


def test_change_target_without_last_year_is_none():
    assert target_value("change", -2, None, "count") is None


@pytest.mark.parametrize("actual,target,polarity,expected", [
    (15015, 15138, "down", "green"),     # all crime
    (1517, 1639, "down", "green"),       # violence with injury
    (13800, 14155, "down", "green"),     # ASB
    (519, 688, "down", "green"),         # domestic burglary
    (100, 98, "down", "amber"),          # KSI, 2.0 % over
    (74.2, 75, "up", "amber"),           # priority incidents
    (69.1, 71.2, "up", "amber"),         # public confidence
    (54.9, 53, "up", "green"),
    (75, 75, "up", "green"),             # meeting the target is green
    (103, 98, "down", "red"),            # 5.1 % over
    (70, 75, "up", "red"),               # 6.7 % short
])
def test_rag_of_the_seed_measures(actual, target, polarity, expected):
    assert rag_status(actual, target, polarity) == expected


def test_amber_edge_is_inclusive_of_the_tolerance():
    assert rag_status(105, 100, "down", 5) == "amber"
    assert rag_status(105.01, 100, "down", 5) == "red"
    assert rag_status(95, 100, "up", 5) == "amber"
    assert rag_status(105, 100, "down", 10) == "amber"
    assert rag_status(101, 100, "down", 0) == "red"


def test_float_noise_does_not_turn_a_met_target_amber():
    assert rag_status(100 * 11872 / 16000, 74.2, "up") == "green"


def test_no_data_and_unrateable():
    assert rag_status(None, 98, "down") == "no-data"
    assert rag_status(100, None, "down") is None
    assert rag_status(100, 98, "neutral") is None


ORDER = {"green": 0, "amber": 1, "red": 2}


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(1, 1e6), st.sampled_from(["up", "down"]))
def test_property_rag_is_monotone_in_the_actual(a, b, target, polarity):
    low, high = sorted([a, b])
    better, worse = (high, low) if polarity == "up" else (low, high)
    assert ORDER[rag_status(better, target, polarity)] <= ORDER[rag_status(worse, target, polarity)]


def test_a_target_of_zero_measures_the_tolerance_against_one_unit():
    # docs/decisions.md (issue 14): a target of 0 has no size to take 5 % of, so the
    # tolerance is a share of one unit of the measure: a count that misses by one
    # whole event is red; a percentage 0.04 points over is amber, 0.06 red.
    assert rag_status(0, 0, "down") == "green"
    assert rag_status(1, 0, "down") == "red"
    assert rag_status(0.04, 0, "down") == "amber"
    assert rag_status(0.06, 0, "down") == "red"
    assert rag_status(-0.04, 0, "up") == "amber" and rag_status(3, 0, "up") == "green"
