"""XmR SPC: limits, the four rules, variation and assurance (SPEC §3).

Baseline used by most tests: 24 months alternating 10, 12 — mean 11, every
moving range 2, so mR̄ = 2, limits 11 ± 5.32 (5.68, 16.32), 2σ lines
11 ± 3.5467 (7.4533, 14.5467), σ = 2 / 1.128.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.engine.spc import assurance, limits, spc

BASE = [10.0, 12.0] * 12   # offsets 0..23, ends on 12


def run(after, polarity="down", target=None, base=BASE):
    values = list(base) + list(after)
    return spc(np.arange(len(values)), values, baseline=(0, 23), polarity=polarity, target=target)


def marks_after(result, rule):
    """Indices (counted from the first point after the baseline) marked by ``rule``."""
    return [i - 24 for i, rules in result.marks.items() if rule in rules and i >= 24]


def test_limits_of_the_alternating_baseline():
    r = run([])
    assert r.mean == pytest.approx(11) and r.ucl == pytest.approx(16.32) and r.lcl == pytest.approx(5.68)
    assert r.sigma == pytest.approx(2 / 1.128)
    assert r.upper_2sigma == pytest.approx(11 + 2 * 2.66 / 3 * 2)
    assert r.variation == "common-cause" and not r.marks


def test_outside_limits_fires_above_the_upper_limit_and_not_just_inside():
    hit = run([16.4])
    assert marks_after(hit, "outside-limits") == [0]
    assert hit.variation == "special-cause-concern" and hit.variation_rule == "outside-limits"
    assert run([16.4], polarity="up").variation == "special-cause-improvement"
    assert run([16.4], polarity="neutral").variation == "special-cause-neither"
    assert marks_after(run([16.3]), "outside-limits") == []
    low = run([5.6])
    assert marks_after(low, "outside-limits") == [0] and low.variation == "special-cause-improvement"


def test_trend_of_seven_rising_points_fires_and_six_does_not():
    hit = run([11.0, 11.1, 11.2, 11.3, 11.4, 11.5, 11.6])
    assert marks_after(hit, "trend") == [0, 1, 2, 3, 4, 5, 6]
    assert hit.variation == "special-cause-concern" and hit.variation_rule == "trend"
    miss = run([11.0, 11.1, 11.2, 11.3, 11.4, 11.5])
    assert marks_after(miss, "trend") == [] and miss.variation == "common-cause"


def test_a_tie_breaks_a_trend():
    assert marks_after(run([11.0, 11.1, 11.2, 11.2, 11.3, 11.4, 11.5]), "trend") == []


def test_falling_trend_is_low():
    hit = run([11.6, 11.5, 11.4, 11.3, 11.2, 11.1, 11.05])
    assert marks_after(hit, "trend")[-1] == 6 and hit.variation == "special-cause-improvement"


def test_run_of_seven_on_one_side_fires_and_six_does_not():
    # 10.5 first: the baseline ends on 12, above the mean, which would join the run
    hit = run([10.5] + [11.5, 11.2] * 3 + [11.5])
    assert marks_after(hit, "run") == [1, 2, 3, 4, 5, 6, 7]
    assert hit.variation == "special-cause-concern" and hit.variation_rule == "run"
    miss = run([10.5] + [11.5, 11.2] * 3)
    assert marks_after(miss, "run") == [] and miss.variation == "common-cause"


def test_a_point_on_the_mean_breaks_a_run():
    assert marks_after(run([11.5, 11.2, 11.5, 11.0, 11.2, 11.5, 11.2, 11.5]), "run") == []


def test_two_of_three_beyond_two_sigma_on_the_same_side():
    hit = run([15.0, 11.5, 15.0])
    assert marks_after(hit, "two-of-three") == [0, 2]      # only the points beyond 2σ are marked
    assert hit.variation == "special-cause-concern" and hit.variation_rule == "two-of-three"
    miss = run([15.0, 11.5, 14.0])
    assert marks_after(miss, "two-of-three") == [] and miss.variation == "common-cause"


def test_two_of_three_needs_all_three_on_the_same_side_of_the_mean():
    assert marks_after(run([15.0, 10.5, 15.0]), "two-of-three") == []


def test_two_of_three_counts_points_beyond_the_limits():
    hit = run([17.0, 11.5, 15.0])
    assert marks_after(hit, "two-of-three") == [0, 2]
    assert marks_after(hit, "outside-limits") == [0]
    assert hit.variation_rule == "two-of-three"             # the latest point is within the limits


def test_outside_limits_takes_precedence_for_the_latest_point():
    hit = run([15.0, 11.5, 17.0])
    assert hit.marks[26] == ["outside-limits", "two-of-three"]
    assert hit.variation_rule == "outside-limits"


def test_variation_is_read_from_the_latest_point_only():
    earlier = run([16.4, 11.5, 10.5])
    assert marks_after(earlier, "outside-limits") == [0] and earlier.variation == "common-cause"


def test_nhsrplotthedots_symmetric_points_on_opposite_sides_are_common_cause():
    # tests/testthat/test-ptd_spc_standard.R: 16 points alternating 1, -1 with
    # 5.5 and -5.5 at the end; both last points are common cause.
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    r = spc(np.arange(16), values, baseline=(0, 15), polarity="up")
    assert r.mean == pytest.approx(0)
    # moving ranges: thirteen 2s, 6.5 and 11; 11 ≥ 3.267 × 2.9 is screened out
    assert r.ucl == pytest.approx(2.66 * 32.5 / 14)
    assert 14 not in r.marks and 15 not in r.marks and r.variation == "common-cause"


def test_screening_drops_large_moving_ranges_once_and_keeps_the_mean():
    mean, mr_bar = limits(np.arange(5), np.array([10.0, 11.0, 10.0, 11.0, 30.0]))
    assert mean == pytest.approx(14.4)
    assert mr_bar == pytest.approx(1.0)                      # 1, 1, 1 kept; 19 ≥ 3.267 × 5.5 dropped


def test_moving_ranges_below_the_screen_are_kept():
    # ranges 1 ×10 and 4: mR̄ = 14/11 = 1.27, screen 4.16 > 4, so all are kept
    values = np.array([0.0, 1.0] * 5 + [0.0, 4.0])
    mean, mr_bar = limits(np.arange(12), values)
    assert mr_bar == pytest.approx(14 / 11)


def test_no_moving_range_spans_a_missing_month():
    offsets = np.array([0, 1, 3, 4])            # month 2 missing
    mean, mr_bar = limits(offsets, np.array([10.0, 12.0, 30.0, 32.0]))
    assert mr_bar == pytest.approx(2.0)         # |12-10|, |32-30|; not |30-12|


def test_rules_skip_missing_months():
    offsets = list(range(24)) + [24, 25, 26, 27, 29, 30, 31, 32]    # month 28 missing
    values = BASE + [10.5, 11.5, 11.2, 11.5, 11.2, 11.5, 11.2, 11.5]
    r = spc(np.array(offsets), values, baseline=(0, 23), polarity="down")
    assert [i for i, rules in r.marks.items() if "run" in rules] == list(range(25, 32))


def test_fewer_than_12_baseline_months_gives_no_mean_no_limits_no_rules_and_says_why():
    # SPEC §3 (updated): under 12 baseline months, variation and assurance are
    # null, never common cause (this test expected "common-cause" before).
    r = spc(np.arange(11), [10.0, 12.0] * 5 + [10.0], baseline=(0, 23), polarity="down", target=5.0)
    assert (r.mean, r.ucl, r.lcl, r.sigma) == (None, None, None, None)
    assert r.reason == "not enough data for SPC (11 of the 12 months needed)"
    assert (r.variation, r.variation_rule, r.assurance) == (None, None, None)


def test_fewer_than_12_baseline_months_runs_no_rules_even_on_a_trend():
    values = [10.0] * 4 + [11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0]     # 7 rises after the baseline
    r = spc(np.arange(12), values, baseline=(0, 3), polarity="down")
    assert r.reason == "not enough data for SPC (4 of the 12 months needed)"
    assert r.marks == {} and r.variation is None
    one = spc(np.arange(1), [7.0], baseline=(0, 23), polarity="up")
    assert one.reason == "not enough data for SPC (1 of the 12 months needed)" and one.variation is None


def test_exactly_12_baseline_months_is_enough():
    r = spc(np.arange(12), [10.0, 12.0] * 6, baseline=(0, 23), polarity="down")
    assert r.mean == pytest.approx(11) and r.ucl == pytest.approx(16.32) and r.reason is None
    assert r.variation == "common-cause"


def test_screening_that_empties_the_moving_ranges_says_so_not_flat():
    # 23 months of 5 and one of 50: moving ranges 0 ×22 and 45; mR̄ = 45/23 = 1.96,
    # 45 ≥ 3.267 × 1.96 is dropped, leaving mR̄ = 0: no limits, but not a flat baseline
    base = [5.0] * 23 + [50.0]
    r = run([5, 5, 5], base=base)
    assert r.mean == pytest.approx((5 * 23 + 50) / 24)
    assert (r.ucl, r.lcl, r.sigma) == (None, None, None)
    assert r.reason.startswith("Screening dropped every moving range that was not zero")
    assert "flat (every month the same)" not in r.reason and "the baseline is not flat" in r.reason


def test_equal_neighbours_across_a_gap_are_not_called_flat():
    offsets = np.array([*range(0, 6), *range(7, 13), 24])               # month 6 missing
    values = [5.0] * 6 + [7.0] * 6 + [6.0]
    r = spc(offsets, values, baseline=(0, 23), polarity="down")
    assert r.ucl is None and r.mean == pytest.approx(6.0)
    assert r.reason.startswith("No month in the baseline differs from the month before it")


def test_flat_baseline_has_no_limits_but_trend_and_run_still_apply():
    flat = [5.0] * 24
    r = run([6, 6, 6, 6, 6, 6, 6], base=flat)
    assert r.mean == 5 and (r.ucl, r.lcl, r.sigma) == (None, None, None)
    assert "flat" in r.reason
    assert marks_after(r, "run") == list(range(7)) and r.variation == "special-cause-concern"
    t = run([1, 2, 3, 4, 5.5, 6, 7], base=flat)
    assert marks_after(t, "trend") == list(range(7))


@given(st.floats(-1e6, 1e6), st.integers(1, 60))
def test_property_all_points_equal_have_no_limits_and_no_signal(value, n):
    r = spc(np.arange(n), [value] * n, baseline=(0, 23), polarity="down")
    assert r.ucl is None and r.lcl is None and r.sigma is None and not r.marks
    # under 12 baseline months there is no reading at all (SPEC §3, updated)
    assert r.variation == ("common-cause" if n >= 12 else None)


@given(st.lists(st.floats(0, 1000), min_size=30, max_size=40))
def test_property_swapping_polarity_swaps_improvement_and_concern(values):
    up = spc(np.arange(len(values)), values, baseline=(0, 23), polarity="up").variation
    down = spc(np.arange(len(values)), values, baseline=(0, 23), polarity="down").variation
    swap = {"special-cause-improvement": "special-cause-concern", "special-cause-concern": "special-cause-improvement"}
    assert up == swap.get(down, down)


@pytest.mark.parametrize("target,polarity,expected", [
    (5.0, "up", "pass"), (17.0, "up", "fail"), (11.0, "up", "hit-and-miss"),
    (17.0, "down", "pass"), (5.0, "down", "fail"), (11.0, "down", "hit-and-miss"),
    (5.68, "up", "hit-and-miss"),           # strict: on the limit is not beyond it
    (11.0, "neutral", None), (None, "up", None),
])
def test_assurance_against_an_absolute_target(target, polarity, expected):
    assert assurance(target, 5.68, 16.32, polarity) == expected


def test_assurance_needs_limits():
    assert run([], polarity="up", target=5.0).assurance == "pass"
    assert assurance(5.0, None, None, "up") is None
