"""SPC rebased per segment (SPEC §6, as NHSRplotthedots `ptd_rebase`) and
SPC on a non-monthly series of figures (SPEC §6).

Golden vectors re-typed from NHSRplotthedots v0.2.2's tests (the numbers
only; the code here is our own):
- R_Y is `set.seed(123); rnorm(20)`, the data of tests/testthat/test-ptd_spc.R
  and test-ptd_spc_standard.R (the snapshot prints its first values:
  -0.56047565, -0.23017749, 1.55870831, 0.07050839, …).
- _snaps/ptd_spc_standard.md, r1 (R_Y): mean 0.1416238, lpl -3.01138,
  upl 3.294627; r2 (R_Y with y[15] = 10): mean 0.6694159, lpl -2.383666,
  upl 3.722497; r3 (r2 unscreened): lpl -4.596625, upl 5.935457.
- _snaps/ptd_spc.md, "it outputs expected content": R_Y in two groups of 10
  (facet or rebase group 0 and 1): mean 0.0746, lpl -2.60, upl 2.75 and
  mean 0.209, lpl -3.28, upl 3.70; R_Y rebased at 2020-01-01, a date before
  its first point (2020-01-02): one group, 0.142, -3.01, 3.29, 20 points all
  common cause, as without the rebase.
- test-ptd_spc_standard.R, "it sets the rebase_group field": 20 points with
  a rebase at the 11th are groups 0 (points 1-10) and 1 (points 11-20).
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.engine.spc import RULES, limits, spc, spc_figures, spc_matrix, spc_series

R_Y = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
       -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
       0.49785048, -1.96661716, 0.70135590, -0.47279141]
R_Y2 = R_Y[:14] + [10.0] + R_Y[15:]          # y[15] <- 10 (R counts from 1)


def marked(result, rule):
    return sorted(i for i, rules in result.marks.items() if rule in rules)


# --- golden vectors from NHSRplotthedots -------------------------------------------------------------

def test_ptd_snapshots_r1_r2_as_two_segments_of_one_monthly_series():
    # R_Y2 then R_Y, rebased where R_Y starts, baseline over all 40 months:
    # each segment has exactly the limits ptd_spc_standard gives it alone.
    values = R_Y2 + R_Y
    r = spc(np.arange(40), values, baseline=(0, 39), polarity="up", rebase=[20])
    first, latest = r.segments
    assert (first.start, first.end, latest.start, latest.end) == (0, 19, 20, 39)
    assert first.mean == pytest.approx(0.6694159) and first.lcl == pytest.approx(-2.383666)
    assert first.ucl == pytest.approx(3.722497)
    assert latest.mean == pytest.approx(0.1416238) and latest.lcl == pytest.approx(-3.01138)
    assert latest.ucl == pytest.approx(3.294627)
    # the row reports its latest segment
    assert (r.mean, r.lcl, r.ucl) == (latest.mean, latest.lcl, latest.ucl)
    assert r.baseline_points == 20 and r.reason is None
    # the 10 is above the first segment's limit; R_Y is all common cause (summary: 20 common cause)
    assert r.marks == {14: ["outside-limits"]} and r.variation == "common-cause"
    # without the rebase the 40 points share one mean and one pair of limits
    plain = spc(np.arange(40), values, baseline=(0, 39), polarity="up")
    assert plain.segments == [] and plain.mean == pytest.approx(np.mean(values))
    assert plain.ucl != pytest.approx(latest.ucl)


def test_ptd_snapshot_r3_unscreened_limits_are_wider():
    # our engine always screens (SPEC §3); the unscreened mR̄ is R's r3
    mean, mr_bar = limits(np.arange(20), np.array(R_Y2))
    assert mean - 2.66 * mr_bar == pytest.approx(-2.383666) and mean + 2.66 * mr_bar == pytest.approx(3.722497)
    unscreened = np.mean(np.abs(np.diff(R_Y2)))
    assert mean - 2.66 * unscreened == pytest.approx(-4.596625)
    assert mean + 2.66 * unscreened == pytest.approx(5.935457)


def test_ptd_groups_of_ten_have_their_own_limits_but_under_12_points_no_verdict_here():
    # ptd_spc's groups of 10 (0.0746, -2.60, 2.75; 0.209, -3.28, 3.70) ...
    for half, (m, lpl, upl) in ((R_Y[:10], (0.0746, -2.60, 2.75)), (R_Y[10:], (0.209, -3.28, 3.70))):
        mean, mr_bar = limits(np.arange(10), np.array(half))
        assert round(mean, 4 if m < 0.1 else 3) == m
        assert round(mean - 2.66 * mr_bar, 2) == lpl and round(mean + 2.66 * mr_bar, 2) == upl
    # ... where R draws trial limits (and warns "Some groups have 'n < 12'
    # observations"), SPEC §6 gives a segment under 12 baseline points no verdict
    r = spc_series(R_Y, polarity="up", rebase=[10])
    assert [(s.start, s.end) for s in r.segments] == [(0, 9), (10, 19)]      # ptd rebase_group 0, 1
    assert [s.baseline_points for s in r.segments] == [10, 10]
    assert r.segments[0].reason == "not enough data for SPC (10 of the 12 figures needed)"
    assert r.reason == "not enough data for SPC since the rebase (10 of the 12 figures needed)"
    assert (r.mean, r.ucl, r.lcl, r.variation, r.variation_rule, r.assurance) == (None,) * 6
    assert r.marks == {}


def test_ptd_rebase_before_the_first_point_changes_nothing():
    # summary s2 of test-ptd_spc.R: rebase at 2020-01-01, before the first point
    plain = spc(np.arange(20), R_Y, baseline=(0, 19), polarity="up")
    assert plain.mean == pytest.approx(0.1416238) and plain.variation == "common-cause" and plain.marks == {}
    for rebase in ([0], [-3], []):
        assert spc(np.arange(20), R_Y, baseline=(0, 19), polarity="up", rebase=rebase) == plain


def test_ptd_symmetric_points_on_opposite_sides_stay_common_cause_in_a_segment():
    # test-ptd_spc_standard.R's 2-in-3 case (1, -1 alternating, 5.5 and -5.5
    # last), here as the segment after a rebase
    tail = [1.0, -1.0] * 8
    tail[14], tail[15] = 5.5, -5.5
    r = spc_series([50.0, 60.0] * 6 + tail, polarity="up", rebase=[12])
    assert r.mean == pytest.approx(0) and r.ucl == pytest.approx(2.66 * 32.5 / 14)
    assert r.marks == {} and r.variation == "common-cause"


# --- rebase on the month grid: hand-worked -------------------------------------------------------------

SEG1 = [10.0, 12.0] * 12            # months 0..23: mean 11, mR̄ 2, limits 5.68..16.32
SEG2 = [30.0, 32.0] * 6             # months 24..35: mean 31, mR̄ 2, limits 25.68..36.32


def test_each_segment_has_its_own_mean_and_limits_and_no_moving_range_spans_the_rebase():
    r = spc(np.arange(36), SEG1 + SEG2, baseline=(0, 35), polarity="up", target=20.0, rebase=[24])
    one, two = r.segments
    assert (one.mean, one.lcl, one.ucl) == pytest.approx((11, 5.68, 16.32))
    # |30 - 12| = 18 would be a moving range across the rebase; there is none, so mR̄ = 2
    assert (two.mean, two.lcl, two.ucl, two.sigma) == pytest.approx((31, 25.68, 36.32, 2 / 1.128))
    assert two.upper_2sigma == pytest.approx(31 + 2 * 2.66 / 3 * 2)
    assert (r.mean, r.lcl, r.ucl) == pytest.approx((31, 25.68, 36.32))
    assert (one.baseline_points, two.baseline_points, r.baseline_points) == (24, 12, 12)
    # without the rebase, the jump is outside-limits; with it, nothing is marked
    assert r.marks == {} and r.variation == "common-cause"
    # assurance against the latest segment's limits: 20 < 25.68 for "up" → pass
    assert r.assurance == "pass"
    plain = spc(np.arange(36), SEG1 + SEG2, baseline=(0, 35), polarity="up", target=20.0)
    assert plain.assurance == "hit-and-miss" and plain.marks


def test_a_point_is_judged_by_its_own_segments_limits():
    r = spc(np.arange(38), SEG1 + SEG2 + [37.0, 17.0], baseline=(0, 35), polarity="down", rebase=[24])
    # 37 > 36.32 (segment 2's limit); 17 is below segment 2's lower limit,
    # though it would be above segment 1's upper one
    assert marked(r, "outside-limits") == [36, 37]
    assert r.variation == "special-cause-improvement" and r.variation_rule == "outside-limits"


def test_no_run_spans_a_rebase():
    # segment 1 ends on 3 points above its mean (11.21), segment 2 starts on 5
    # above its own (21.33) and ends below it: 8 in a row above "their" mean
    # is not a run
    seg1 = [10.0, 12.0] * 10 + [10.0, 13.0, 13.0, 13.0]
    seg2 = [23.0] * 4 + [22.0, 20.0] * 10
    r = spc(np.arange(48), seg1 + seg2, baseline=(0, 47), polarity="up", rebase=[24])
    assert r.segments[0].mean == pytest.approx(269 / 24) and r.mean == pytest.approx(512 / 24)
    assert marked(r, "run") == []
    # a run inside the latest segment, after the baseline, still fires
    later = spc(np.arange(55), seg1 + seg2 + [22.0] * 7, baseline=(0, 47), polarity="up", rebase=[24])
    assert marked(later, "run") == list(range(48, 55)) and later.variation == "special-cause-improvement"


def test_no_trend_spans_a_rebase():
    # 10.5, 11, 11.5, 12.5 | 13, 13.5, 14: six rises across months 20..26
    seg1 = [10.0, 12.0] * 10 + [10.5, 11.0, 11.5, 12.5]
    seg2 = [13.0, 13.5, 14.0, 13.0] + [12.0, 14.0] * 10
    values = seg1 + seg2
    plain = spc(np.arange(48), values, baseline=(0, 47), polarity="up")
    assert marked(plain, "trend") == list(range(20, 27))
    r = spc(np.arange(48), values, baseline=(0, 47), polarity="up", rebase=[24])
    assert marked(r, "trend") == []


def test_the_baseline_is_clipped_to_the_latest_segment():
    # SPEC §6: §3's baseline (here months 0..35) clipped to the latest segment
    values = SEG1 + SEG2 + [31.0, 33.0, 31.0]
    r = spc(np.arange(39), values, baseline=(0, 35), polarity="up", rebase=[30])
    assert r.baseline_points == 6
    assert r.reason == "not enough data for SPC since the rebase (6 of the 12 months needed)"
    assert (r.mean, r.ucl, r.variation, r.assurance) == (None, None, None, None)
    # the earlier segment keeps its limits and rules from its own 30 baseline months
    assert r.segments[0].baseline_points == 30 and r.segments[0].ucl is not None
    assert r.segments[1].reason == r.reason


def test_a_segment_that_starts_after_the_baseline_has_no_verdict_yet():
    # baseline months 0..23; a rebase at month 30 leaves the segment no
    # baseline month, however many months follow it
    values = SEG1 + [11.0] * 6 + [40.0, 42.0] * 8
    r = spc(np.arange(46), values, baseline=(0, 23), polarity="up", rebase=[30])
    assert r.baseline_points == 0 and r.variation is None and r.marks == {}
    assert r.reason == "not enough data for SPC since the rebase (0 of the 12 months needed)"


def test_a_rebase_after_the_period_has_not_happened_yet():
    values = SEG1 + [11.0, 12.0]
    plain = spc(np.arange(26), values, baseline=(0, 23), polarity="up")
    assert spc(np.arange(26), values, baseline=(0, 23), polarity="up", rebase=[26, 40]) == plain


def test_a_rebase_on_the_latest_month_leaves_one_point_and_no_verdict():
    r = spc(np.arange(25), SEG1 + [40.0], baseline=(0, 24), polarity="up", rebase=[24])
    assert r.reason == "not enough data for SPC since the rebase (1 of the 12 months needed)"
    assert r.variation is None and r.marks == {}
    # the verdict is never read from the segment before (its last point was common cause)
    assert r.segments[0].ucl == pytest.approx(16.32)


def test_three_segments():
    values = SEG1 + SEG2 + [50.0, 52.0] * 6 + [58.0]
    r = spc(np.arange(49), values, baseline=(0, 47), polarity="down", rebase=[36, 24])   # any order
    assert [(s.start, s.end) for s in r.segments] == [(0, 23), (24, 35), (36, 48)]
    assert [s.mean for s in r.segments] == pytest.approx([11, 31, 51])
    assert marked(r, "outside-limits") == [48] and r.variation == "special-cause-concern"


def test_rebase_offsets_follow_the_series_months_and_gaps():
    # months 100..135 with month 110 missing; the rebase at month 124
    offsets = [o for o in range(100, 136) if o != 110]
    values = [v for o, v in zip(range(100, 136), SEG1 + SEG2) if o != 110]
    r = spc(np.array(offsets), values, baseline=(100, 135), polarity="up", rebase=[124])
    assert [(s.start, s.end) for s in r.segments] == [(100, 123), (124, 135)]
    assert r.segments[0].baseline_points == 23 and r.mean == pytest.approx(31)


# --- spc_matrix: many rows ---------------------------------------------------------------------------

def _fields(r):
    return {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}


def _same(a, b):
    fa, fb = _fields(a), _fields(b)
    assert fa.keys() == fb.keys()
    for k in fa:
        x, y = fa[k], fb[k]
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), k
        elif k == "marks":
            assert all(x[rule].dtype == y[rule].dtype and x[rule].tobytes() == y[rule].tobytes() for rule in RULES)
        else:
            assert x == y, k


def _rows(seed=3, n=40, m=40):
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(10, 100, n)[:, None] * rng.normal(1, 0.15, (n, m)))
    values[rng.random((n, m)) < 0.1] = np.nan
    polarity = rng.choice(["up", "down", "neutral"], n)
    target = np.where(rng.random(n) < 0.5, rng.uniform(10, 100, n), np.nan)
    return values, polarity, target


def test_without_a_rebase_in_range_the_result_is_the_one_without_rebase():
    values, polarity, target = _rows()
    plain = spc_matrix(values, baseline=(0, 23), polarity=polarity, target=target)
    assert plain.segments == {}
    for rebase in ([[]] * 40, [None] * 40, [[0, -2, 40, 99]] * 40, [np.array([], dtype=int)] * 40):
        _same(spc_matrix(values, baseline=(0, 23), polarity=polarity, target=target, rebase=rebase), plain)


def test_matrix_rows_with_and_without_rebases_match_each_series_alone():
    values, polarity, target = _rows()
    rebase = [[] if i % 3 else [5 + i % 30] for i in range(40)]
    rebase[1] = [12, 30]
    r = spc_matrix(values, baseline=(0, 35), polarity=polarity, target=target, rebase=rebase)
    plain = spc_matrix(values, baseline=(0, 35), polarity=polarity, target=target)
    for i in range(40):
        ok = ~np.isnan(values[i])
        alone = spc(np.flatnonzero(ok), values[i, ok], baseline=(0, 35), polarity=str(polarity[i]),
                    target=None if np.isnan(target[i]) else float(target[i]), rebase=rebase[i])
        got = (r.mean[i], r.ucl[i], r.lcl[i], r.reason[i], r.variation[i], r.variation_rule[i], r.assurance[i])
        want = (alone.mean, alone.ucl, alone.lcl, alone.reason, alone.variation, alone.variation_rule,
                alone.assurance)
        assert [None if isinstance(x, float) and np.isnan(x) else x for x in got] == pytest.approx(want)
        cols = np.flatnonzero(ok)
        assert {k: [rule for rule in RULES if r.marks[rule][i, c]] for k, c in enumerate(cols)
                if any(r.marks[rule][i, c] for rule in RULES)} == alone.marks
        if not rebase[i]:
            assert i not in r.segments and r.reason[i] == plain.reason[i]
            assert all(np.array_equal(r.marks[rule][i], plain.marks[rule][i]) for rule in RULES)
        else:
            assert len(r.segments[i]) == len(rebase[i]) + 1
    assert r.marks["run"].dtype == np.int8


def test_rebase_needs_one_entry_per_row():
    values, polarity, target = _rows(n=3)
    with pytest.raises(ValueError):
        spc_matrix(values, baseline=(0, 23), polarity=polarity, rebase=[[5]])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=14, max_size=50), st.data())
def test_property_each_segment_reads_as_the_series_alone(values, data):
    """No rule and no moving range spans a rebase: each segment's limits and
    marks are those of its points alone (run without any rebase), over the
    baseline clipped to it; the row reads as its latest segment."""
    n = len(values)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, n - 1), min_size=1, max_size=3))))
    b1 = data.draw(st.integers(0, n - 1))
    polarity = data.draw(st.sampled_from(["up", "down", "neutral"]))
    r = spc(np.arange(n), values, baseline=(0, b1), polarity=polarity, target=15.0, rebase=cuts)
    bounds = [0, *cuts, n]
    assert len(r.segments) == len(cuts) + 1
    for seg, lo, hi in zip(r.segments, bounds, bounds[1:]):
        alone = spc(np.arange(lo, hi), values[lo:hi], baseline=(lo, max(lo - 1, min(b1, hi - 1))),
                    polarity=polarity, target=15.0)
        assert (seg.start, seg.end) == (lo, hi - 1)
        assert (seg.mean, seg.ucl, seg.lcl, seg.baseline_points) == (alone.mean, alone.ucl, alone.lcl,
                                                                        alone.baseline_points)
        assert {i + lo: rules for i, rules in alone.marks.items()} == {
            i: rules for i, rules in r.marks.items() if lo <= i < hi}
    assert (r.mean, r.ucl, r.variation, r.variation_rule, r.assurance) == (
        alone.mean, alone.ucl, alone.variation, alone.variation_rule, alone.assurance)
    assert r.reason == (alone.reason if alone.baseline_points >= 12 else alone.reason.replace(
        "for SPC (", "for SPC since the rebase ("))


# --- SPC on a non-monthly series (figures in order) ------------------------------------------------

def test_series_of_figures_gives_ptds_limits():
    r = spc_series(R_Y, polarity="up")
    assert (r.mean, r.lcl, r.ucl) == pytest.approx((0.1416238, -3.01138, 3.294627))
    assert r.baseline_points == 20 and r.marks == {} and r.variation == "common-cause"
    r2 = spc_series(R_Y2, polarity="down")
    assert (r2.mean, r2.lcl, r2.ucl) == pytest.approx((0.6694159, -2.383666, 3.722497))
    assert r2.marks == {14: ["outside-limits"]} and r2.variation == "common-cause"   # read from the last figure


def test_series_needs_12_figures():
    r = spc_series([10.0, 12.0] * 5 + [10.0], polarity="down", target=5.0)
    assert r.reason == "not enough data for SPC (11 of the 12 figures needed)"
    assert (r.mean, r.ucl, r.variation, r.assurance) == (None, None, None, None)
    ok = spc_series([10.0, 12.0] * 6, polarity="down", target=5.0)
    assert ok.mean == pytest.approx(11) and ok.ucl == pytest.approx(16.32) and ok.reason is None
    assert ok.variation == "common-cause" and ok.assurance == "fail"


def test_series_rules_and_a_baseline_of_the_first_figures():
    # 12 quarters alternating 12, 10 as the baseline, then 7 figures above the mean
    values = [12.0, 10.0] * 6 + [11.5] * 7
    r = spc_series(values, polarity="up", baseline=(0, 11))
    assert r.mean == pytest.approx(11) and marked(r, "run") == list(range(12, 19))
    assert r.variation == "special-cause-improvement" and r.variation_rule == "run"
    # every figure as the baseline (the default) moves the mean
    assert spc_series(values, polarity="up").mean == pytest.approx((132 + 80.5) / 19)


def test_series_a_figure_without_a_value_is_skipped_and_breaks_the_moving_range():
    values = [10.0, 12.0] * 6 + [np.nan] + [12.0, 10.0] * 3
    r = spc_series(values, polarity="up")
    assert r.baseline_points == 18 and r.ucl == pytest.approx(11 + 2.66 * 2)   # no |12 - 12| across it
    assert 12 not in r.marks


def test_series_words_a_flat_series_in_figures():
    r = spc_series([5.0] * 12, polarity="up")
    assert r.reason == "The baseline is flat (every figure the same), so there are no limits."


def test_figures_matrix_rows_of_different_lengths_match_each_series():
    rows = [R_Y, R_Y2[:13], [10.0, 12.0] * 6 + [20.0]]
    width = max(len(row) for row in rows)
    grid = np.full((3, width), np.nan)
    for i, row in enumerate(rows):
        grid[i, :len(row)] = row
    r = spc_figures(grid, polarity=["up", "down", "up"], target=[np.nan, np.nan, 15.0], rebase=[[], [], [2]])
    for i, row in enumerate(rows):
        alone = spc_series(row, polarity=["up", "down", "up"][i], target=[None, None, 15.0][i],
                           rebase=[[], [], [2]][i])
        assert r.reason[i] == alone.reason and r.variation[i] == alone.variation
        assert r.assurance[i] == alone.assurance
        assert (np.nan_to_num(r.mean[i], nan=-1), np.nan_to_num(r.ucl[i], nan=-1)) == pytest.approx(
            (-1 if alone.mean is None else alone.mean, -1 if alone.ucl is None else alone.ucl))
    assert r.reason[1] is None and r.variation[1] == "common-cause"
    assert r.reason[2] == "not enough data for SPC since the rebase (11 of the 12 figures needed)"
    with pytest.raises(ValueError):
        spc_figures(np.array(R_Y), polarity=["up"])
