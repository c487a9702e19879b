"""Most Similar Group comparison (SPEC §3)."""

import pytest

from indicators.engine.msg import msg_comparison, population_for, rate_per_1000


def test_rate_per_1000_population():
    assert rate_per_1000(5890, 1187000) == pytest.approx(4.962089300758214)
    assert rate_per_1000(None, 1187000) is None and rate_per_1000(5890, None) is None


def test_population_of_the_latest_year_not_after_the_period():
    table = {2012: 1180000, 2013: 1187000, 2015: 1200000}
    assert population_for(table, 2014) == 1187000
    assert population_for(table, 2013) == 1187000
    assert population_for(table, 2011) is None
    assert population_for({}, 2013) is None


def test_average_includes_the_force_and_position_counts_better_rates():
    result = msg_comparison(rate=5.0, peer_rates={"a": 4.0, "b": 6.0, "c": 7.0, "d": None},
                            polarity="down")
    assert result.average == pytest.approx(5.5)
    assert result.position == 2 and result.of == 4
    assert result.difference_pct == pytest.approx(100 * (5.0 - 5.5) / 5.5)
    assert [p.force for p in result.peers] == ["a", "b", "c"]


def test_higher_is_better_ranks_the_other_way():
    assert msg_comparison(rate=5.0, peer_rates={"a": 4.0, "b": 6.0}, polarity="up").position == 2
    assert msg_comparison(rate=7.0, peer_rates={"a": 4.0, "b": 6.0}, polarity="up").position == 1


def test_ties_share_the_better_rank():
    result = msg_comparison(rate=5.0, peer_rates={"a": 5.0, "b": 4.0}, polarity="down")
    assert result.position == 2


def test_null_without_the_forces_rate_or_any_peer_rate():
    assert msg_comparison(rate=None, peer_rates={"a": 4.0}, polarity="down") is None
    assert msg_comparison(rate=5.0, peer_rates={"a": None}, polarity="down") is None
    assert msg_comparison(rate=5.0, peer_rates={}, polarity="down") is None
