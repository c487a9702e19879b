"""NHSRplotthedots' `ptd_rebase` tests as golden vectors for
`spc_matrix(..., rebase=...)` (SPEC §6 "SPC rebase"): many rows at once, as
the engine calls it, one row per facet.

tests/engine/test_spc_rebase.py already holds the numeric snapshots
(_snaps/ptd_spc.md, _snaps/ptd_spc_standard.md) on `spc` and `spc_series`;
this file adds the rebase tests it did not cover, re-typed from
NHSRplotthedots v0.2.2 (github.com/nhs-r-community/NHSRplotthedots,
tests/testthat; the numbers and layouts only, the code here is our own):

- test-ptd_add_rebase_column.R: 2 facets of 10 days (2020-01-02..11);
  rebase dates 2020-01-03 and 2020-01-08 for both start groups at the 2nd
  and 7th point of each facet; a list ``a = 2020-01-03, b = 2020-01-08``
  rebases facet a at its 2nd point and facet b at its 7th only; no rebase:
  one group.
- test-ptd_add_short_group_warnings.R: 2 facets of 40 points; groups of
  20, 20 | 20, 20 warn nowhere; 35, 5 | 20, 20 warn on exactly the 5; a
  group of 11 warns, of 12 does not (the threshold is 12).
- test-ptd_calculate_assurance_type.R, "when rebase": three groups with
  limits (1, 3), (5, 7), (1, 5), target 4, improvement "decrease": the
  assurance is read from the last group: inconsistent (hit-and-miss here),
  consistent_pass (pass) or consistent_fail (fail) by which group is last.
- _snaps/ptd_spc.md "it outputs expected content": y = set.seed(123);
  rnorm(20) in two facets of 10: means 0.0746 and 0.209, limits -2.60..2.75
  and -3.28..3.70; with a rebase before the first point, the same.

Where R draws trial limits for a group under 12 points (and warns), SPEC
§6 gives the segment no verdict and says why; the tests check that
instead of R's trial limits.
"""

import numpy as np
import pytest

from indicators.engine.spc import spc_matrix
from tests.engine.test_spc_rebase import R_Y, R_Y2


def _segments(r, row):
    return [(s.start, s.end) for s in r.segments.get(row, [])]


# --- ptd_add_rebase_column: which points start a group --------------------------------------------

def test_the_same_rebase_dates_for_both_facets_start_groups_at_their_2nd_and_7th_points():
    # x = 2020-01-01 + 1:10 in each facet: 2020-01-03 is column 1, 2020-01-08 column 6
    values = np.array([R_Y[:10], R_Y[10:]])
    r = spc_matrix(values, baseline=(0, 9), polarity=["up", "up"], rebase=[[1, 6], [1, 6]])
    # R's rebase column: rep(c(0, 1, 0, 0, 0, 0, 1, 0, 0, 0), 2)
    assert _segments(r, 0) == _segments(r, 1) == [(0, 0), (1, 5), (6, 9)]
    assert [s.baseline_points for s in r.segments[0]] == [1, 5, 4]
    # groups of 1, 5 and 4 points: R's trial limits, here no verdict and the reason
    assert r.reason == ["not enough data for SPC since the rebase (4 of the 12 months needed)"] * 2
    assert list(r.baseline_points) == [4, 4] and r.variation == [None, None]
    assert all(np.isnan(r.mean)) and all(np.isnan(r.ucl))


def test_a_list_of_rebase_dates_rebases_each_facet_at_its_own_date():
    # list(a = 2020-01-03, b = 2020-01-08): R's c(0, 1, rep(0, 14), 1, rep(0, 3))
    values = np.array([R_Y[:10], R_Y[10:]])
    r = spc_matrix(values, baseline=(0, 9), polarity=["up", "up"], rebase=[[1], [6]])
    assert _segments(r, 0) == [(0, 0), (1, 9)]
    assert _segments(r, 1) == [(0, 5), (6, 9)]
    assert list(r.baseline_points) == [9, 4]
    # facet a's group of 9 and facet b's of 4: no mean, no limits (R's trial limits)
    assert r.segments[0][1].mean is None and r.segments[1][1].mean is None
    assert r.reason == ["not enough data for SPC since the rebase (9 of the 12 months needed)",
                        "not enough data for SPC since the rebase (4 of the 12 months needed)"]


def test_no_rebase_is_one_group():
    # ptd_add_rebase_column(data, "x", NULL, NULL): rep(0, 20)
    values = np.array([R_Y2 + R_Y])
    plain = spc_matrix(values, baseline=(0, 39), polarity=["up"])
    for rebase in (None, [[]], [None]):
        r = spc_matrix(values, baseline=(0, 39), polarity=["up"], rebase=rebase)
        assert r.segments == {} and r.mean[0] == plain.mean[0] and r.ucl[0] == plain.ucl[0]


# --- ptd_add_short_group_warnings: a group under 12 points ---------------------------------------

FORTY = R_Y2 + R_Y          # 40 points whose halves have the ptd_spc_standard snapshots' limits


def test_groups_of_twenty_in_two_facets_all_have_limits():
    # f = rep(c("a", "b"), each = 40), rebase_group = rep(0:3, each = 20): no warnings
    values = np.array([FORTY, FORTY])
    r = spc_matrix(values, baseline=(0, 39), polarity=["up", "up"], rebase=[[20], [20]])
    for row in (0, 1):
        first, latest = r.segments[row]
        assert (first.start, first.end, latest.start, latest.end) == (0, 19, 20, 39)
        # _snaps/ptd_spc_standard.md r2 and r1: each group reads as the series alone
        assert (first.mean, first.lcl, first.ucl) == pytest.approx((0.6694159, -2.383666, 3.722497))
        assert (latest.mean, latest.lcl, latest.ucl) == pytest.approx((0.1416238, -3.01138, 3.294627))
        assert first.reason is None and latest.reason is None
    assert r.reason == [None, None] and r.variation == ["common-cause", "common-cause"]


def test_a_group_of_five_is_the_only_one_without_limits():
    # rebase_group = rep(0:3, times = c(35, 5, 20, 20)): facet a's 5 points warn, nothing else does
    values = np.array([FORTY, FORTY])
    r = spc_matrix(values, baseline=(0, 39), polarity=["up", "up"], rebase=[[35], [20]])
    long, short = r.segments[0]
    assert (long.start, long.end, long.baseline_points) == (0, 34, 35)
    assert long.reason is None and long.mean == pytest.approx(sum(FORTY[:35]) / 35)
    assert (short.start, short.end, short.baseline_points) == (35, 39, 5)
    assert short.mean is None and short.ucl is None
    assert short.reason == "not enough data for SPC since the rebase (5 of the 12 months needed)"
    assert r.reason[0] == short.reason and r.variation[0] is None
    # facet b: two groups of 20, both with limits (as in the test above)
    assert [s.reason for s in r.segments[1]] == [None, None] and r.reason[1] is None


@pytest.mark.parametrize("n,reason", [
    (11, "not enough data for SPC since the rebase (11 of the 12 months needed)"),
    (12, None),
])
def test_eleven_points_after_a_rebase_have_no_verdict_and_twelve_do(n, reason):
    # the warning threshold is 12: a group of 11 warns, a group of 12 does not
    values = np.array([FORTY[:20] + FORTY[20:20 + n]])
    r = spc_matrix(values, baseline=(0, 19 + n), polarity=["up"], rebase=[[20]])
    assert r.reason == [reason] and int(r.baseline_points[0]) == n
    assert (r.variation[0] is None) == (reason is not None)
    if reason is None:
        assert r.mean[0] == pytest.approx(sum(FORTY[20:32]) / 12)


# --- ptd_calculate_assurance_type: the last group decides ----------------------------------------

def _group(mean, half_width, n=12):
    """``n`` points alternating about ``mean`` whose XmR limits are
    ``mean ± half_width``: every moving range is 2d, so mR̄ = 2d and
    2.66 · 2d = half_width."""
    d = half_width / (2 * 2.66)
    return [mean + d if i % 2 else mean - d for i in range(n)]


LIMITS = {1: (2, 1), 2: (6, 1), 3: (3, 2)}     # R's groups 1..3: (mean, half-width): 1..3, 5..7, 1..5


@pytest.mark.parametrize("order,expected", [
    ((1, 2, 3), "hit-and-miss"),       # last group 1..5, target 4 inside: R's "inconsistent"
    ((2, 3, 1), "pass"),               # last group 1..3, decrease, target 4 above it: "consistent_pass"
    ((3, 1, 2), "fail"),               # last group 5..7, decrease, target 4 below it: "consistent_fail"
])
def test_assurance_is_read_from_the_last_rebase_group(order, expected):
    values = np.array([sum((_group(*LIMITS[g]) for g in order), [])])
    r = spc_matrix(values, baseline=(0, 35), polarity=["down"], target=[4.0], rebase=[[12, 24]])
    assert [x for s in r.segments[0] for x in (s.lcl, s.ucl)] == pytest.approx(
        [x for g in order for x in (LIMITS[g][0] - LIMITS[g][1], LIMITS[g][0] + LIMITS[g][1])])
    assert r.assurance == [expected]
    mean, half = LIMITS[order[-1]]
    assert (r.lcl[0], r.ucl[0]) == pytest.approx((mean - half, mean + half))


def test_the_three_orders_in_one_matrix_match_each_row_alone():
    orders = [(1, 2, 3), (2, 3, 1), (3, 1, 2)]
    values = np.array([sum((_group(*LIMITS[g]) for g in order), []) for order in orders])
    r = spc_matrix(values, baseline=(0, 35), polarity=["down"] * 3, target=[4.0] * 3, rebase=[[12, 24]] * 3)
    assert r.assurance == ["hit-and-miss", "pass", "fail"]


# --- _snaps/ptd_spc.md: facets of 10 and a rebase before the first point -------------------------

def test_facets_of_ten_rebased_before_their_first_point_are_as_without_the_rebase():
    values = np.array([R_Y[:10], R_Y[10:]])
    plain = spc_matrix(values, baseline=(0, 9), polarity=["up", "up"])
    # 2020-01-01 lies before 2020-01-02, each facet's first point: column 0 or before starts nothing
    r = spc_matrix(values, baseline=(0, 9), polarity=["up", "up"], rebase=[[0], [-1]])
    assert r.segments == {} and r.reason == plain.reason
    # ptd's facet means; 10 points are under SPEC's 12, so no verdict either way
    assert [round(float(np.mean(v)), 4) for v in values] == [0.0746, 0.2086]
    assert r.reason == ["not enough data for SPC (10 of the 12 months needed)"] * 2
