"""XmR statistical process control (NHS England "Making Data Count").

The rules of NHSRplotthedots v0.2.2, with one difference from it: the
two-of-three rule counts points beyond the process limits too, as Making
Data Count changed it in November 2023 (SPEC §3).

`spc_matrix` works on many series at once: an indicators × months grid with
NaN where a month has no value. No moving range spans a missing month, and
the rules run over each row's points in order, skipping missing months.
`spc` is the same for one series given as month offsets and values.

Under 12 baseline months there is no mean, no limits and no rules: the
variation and assurance are None (never common cause) and the reason says
"not enough data for SPC (N of the 12 months needed)". When screening drops
every non-zero moving range (mR̄ becomes 0) the reason says so, not "flat".

SPEC §6: `spc_matrix(..., rebase=...)` splits a row into segments at the
columns given, as NHSRplotthedots `ptd_rebase` does: each segment its own
mean, limits and rules, from the baseline clipped to it; the row reports its
latest segment. `spc_figures` (`spc_series` for one) runs the same on a
non-monthly measure's figures in order, under the same 12-point minimum.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from indicators import vocabulary

MIN_BASELINE = 12
SCREEN = 3.267          # moving ranges at or above SCREEN · mR̄ are dropped, once
LIMIT = 2.66            # limits: mean ± 2.66 mR̄ (3σ, with σ = mR̄ / 1.128)
D2 = 1.128
TWO_SIGMA = 2 * LIMIT / 3
RUN_LENGTH = 7          # points on one side of the mean
TREND_LENGTH = 7        # points each higher (lower) than the one before
RULES = vocabulary.SPC_RULES


@dataclass
class SpcMatrix:
    """Per row: limits and the latest point's reading; per row and column
    (the grid given): which rules mark the point and in which direction
    (+1 high/rising, -1 low/falling, 0 unmarked)."""
    mean: np.ndarray
    ucl: np.ndarray
    lcl: np.ndarray
    sigma: np.ndarray
    upper_2sigma: np.ndarray
    lower_2sigma: np.ndarray
    baseline_points: np.ndarray
    reason: list                    # str or None per row
    marks: dict                     # rule -> (n, m) int8 direction
    variation: list                 # str or None per row
    variation_rule: list
    variation_direction: list       # "high", "low" or None per row
    assurance: list
    # rows with a rebase only: row -> its segments in order, the last being
    # the one the row's limits, reason and reading above come from
    segments: dict = field(default_factory=dict)


@dataclass
class SpcSegment:
    """One segment of a rebased series (SPEC §6): its first and last column
    (for `spc`, month offsets; for `spc_series`, figure indices), its mean
    and limits (None where it has none), the baseline points it has (the
    baseline clipped to the segment) and, without limits, why not."""
    start: int
    end: int
    mean: float | None
    ucl: float | None
    lcl: float | None
    sigma: float | None
    upper_2sigma: float | None
    lower_2sigma: float | None
    baseline_points: int
    reason: str | None


def _nan_stat(fn, a, axis=1):
    """nanmean/nanmax/... of each row, NaN (without a warning) for an all-NaN row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(a, axis=axis)


def _mr_bars(base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average moving range of each row between calendar-adjacent values
    (NaN gaps break it), screened once: ranges at or above 3.267 mR̄ are
    dropped and mR̄ recomputed. NaN where no two values are adjacent.
    Returns (screened mR̄, mR̄ before screening)."""
    n = base.shape[0]
    if base.shape[1] < 2:
        return np.full(n, np.nan), np.full(n, np.nan)
    ranges = np.abs(np.diff(base, axis=1))
    mr_bar = _nan_stat(np.nanmean, ranges)
    screened = _nan_stat(np.nanmean, np.where(ranges >= SCREEN * mr_bar[:, None], np.nan, ranges))
    return np.where(np.isnan(screened), mr_bar, screened), mr_bar


def _mr_bar(base: np.ndarray) -> np.ndarray:
    return _mr_bars(base)[0]


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """For each cell, the length of the run of equal non-zero values in its
    row that contains it (0 where the value is 0)."""
    n, m = flags.shape
    if m == 0:
        return np.zeros((n, m), dtype=np.int64)
    cols = np.broadcast_to(np.arange(m), (n, m))
    changed = np.ones((n, m), dtype=bool)
    changed[:, 1:] = flags[:, 1:] != flags[:, :-1]
    ends = np.ones((n, m), dtype=bool)
    ends[:, :-1] = changed[:, 1:]
    start = np.maximum.accumulate(np.where(changed, cols, 0), axis=1)
    end = np.minimum.accumulate(np.where(ends, cols, m)[:, ::-1], axis=1)[:, ::-1]
    return np.where(flags != 0, end - start + 1, 0)


def _spc_matrix(values: np.ndarray, *, baseline: tuple[int, int], polarity, target=None,
                point: str = "month") -> SpcMatrix:
    """`spc_matrix` without rebases: one segment per row. ``point`` names a
    column in the reasons ("month"; "figure" for `spc_figures`)."""
    values = np.asarray(values, dtype=float)
    n, m = values.shape
    polarity = np.asarray(polarity)
    target = np.full(n, np.nan) if target is None else np.asarray(target, dtype=float)
    b0, b1 = max(baseline[0], 0), min(baseline[1], m - 1)

    base = values[:, b0:b1 + 1] if b1 >= b0 else np.empty((n, 0))
    have = ~np.isnan(base)
    count = have.sum(axis=1)
    enough = count >= MIN_BASELINE
    flat = _nan_stat(np.nanmax, base) == _nan_stat(np.nanmin, base) if base.shape[1] else np.zeros(n, bool)
    # A flat series's float mean can be an ulp off its value, which would put
    # every point "above the mean"; take the value itself.
    first = base[np.arange(n), np.argmax(have, axis=1)] if base.shape[1] else np.full(n, np.nan)
    mean = np.where(enough, np.where(flat, first, _nan_stat(np.nanmean, base)), np.nan)
    # Under MIN_BASELINE months there is no mean, no limits and no rules:
    # variation and assurance are None, never "common-cause" (SPEC §3).

    mr_bar, raw_mr_bar = _mr_bars(base)
    has_limits = enough & ~np.isnan(mr_bar) & (mr_bar > 0)
    ucl = np.where(has_limits, mean + LIMIT * mr_bar, np.nan)
    lcl = np.where(has_limits, mean - LIMIT * mr_bar, np.nan)
    sigma = np.where(has_limits, mr_bar / D2, np.nan)
    up2 = np.where(has_limits, mean + TWO_SIGMA * mr_bar, np.nan)
    lo2 = np.where(has_limits, mean - TWO_SIGMA * mr_bar, np.nan)

    reason = [None] * n
    for i in np.flatnonzero(~has_limits):
        if not enough[i]:
            reason[i] = not_enough_reason(int(count[i]), point=point)
        elif np.isnan(mr_bar[i]):
            reason[i] = f"No two consecutive {point}s in the baseline, so there is no moving range."
        elif raw_mr_bar[i] > 0:
            # SPEC §3: say that screening emptied the moving ranges, not "flat"
            reason[i] = ("Screening dropped every moving range that was not zero (each at least 3.267 times "
                         "the average), so the average moving range is 0 and there are no limits; the baseline "
                         f"is not flat: it holds a few large jumps between otherwise equal {point}s.")
        elif flat[i]:
            reason[i] = f"The baseline is flat (every {point} the same), so there are no limits."
        else:
            reason[i] = (f"No {point} in the baseline differs from the {point} before it (the moving ranges are "
                         "all 0), so there are no limits.")

    # The rules read each row's points in order, skipping missing months:
    # left-align the values (stable, so order is kept) and work on that.
    valid = ~np.isnan(values)
    order = np.argsort(~valid, axis=1, kind="stable")
    x = np.take_along_axis(values, order, axis=1)
    length = valid.sum(axis=1)
    inside = np.arange(m)[None, :] < length[:, None]

    # one rules × n × m array; marks_c[rule] is a view of it
    stacked = np.zeros((len(RULES), n, m), dtype=np.int8)
    marks_c = dict(zip(RULES, stacked))
    with np.errstate(invalid="ignore"):
        marks_c["outside-limits"][:] = np.where(x > ucl[:, None], 1, np.where(x < lcl[:, None], -1, 0))

        steps = np.sign(np.diff(x, axis=1))
        steps = np.where(np.isnan(steps), 0, steps).astype(np.int8)
        long_steps = np.where(_run_lengths(steps) >= TREND_LENGTH - 1, steps, 0)
        trend = np.zeros((n, m), dtype=np.int8)
        trend[:, 1:] = long_steps                                   # the point a step ends on
        trend[:, :-1] = np.where(long_steps != 0, long_steps, trend[:, :-1])   # the point it starts from
        marks_c["trend"][:] = trend

        side = np.where(np.isnan(mean)[:, None] | ~inside, 0, np.sign(x - mean[:, None])).astype(np.int8)
        beyond = np.where(side > 0, x > up2[:, None], np.where(side < 0, x < lo2[:, None], False))
        beyond &= inside & has_limits[:, None]
        if m >= 3:
            s0, s1, s2 = side[:, :-2], side[:, 1:-1], side[:, 2:]
            window = (s0 != 0) & (s0 == s1) & (s1 == s2)
            window &= (beyond[:, :-2].astype(int) + beyond[:, 1:-1] + beyond[:, 2:]) >= 2
            hit = np.zeros((n, m), dtype=bool)
            for k in range(3):
                hit[:, k:m - 2 + k] |= window
            marks_c["two-of-three"][:] = np.where(hit & beyond, side, 0)
        marks_c["run"][:] = np.where(_run_lengths(side) >= RUN_LENGTH, side, 0)

    # only the series' points; under 12 baseline months: no rules (SPEC §3)
    stacked *= inside & enough[:, None]
    # back to the grid's columns, every rule at once
    grid = np.zeros_like(stacked)
    np.put_along_axis(grid, np.broadcast_to(order, stacked.shape), stacked, axis=2)
    grid[:, ~valid] = 0
    marks = dict(zip(RULES, grid))

    last = np.maximum(length - 1, 0)
    # The latest point's direction under each rule, and the row's figures, as
    # Python lists: the loop below reads no numpy scalars.
    latest = stacked[:, np.arange(n), last].tolist() if m else [[0] * n for _ in RULES]
    readable = ((length > 0) & enough).tolist()
    polarities = [str(p) for p in polarity.tolist()]
    variation, variation_rule, variation_direction, assurance_out = [], [], [], []
    for i, (t, lo, hi) in enumerate(zip(_optionals(target), _optionals(lcl), _optionals(ucl))):
        if not readable[i]:
            variation.append(None)
            variation_rule.append(None)
            variation_direction.append(None)
        else:
            for rule, directions in zip(RULES, latest):
                direction = directions[i]
                if direction:
                    variation_rule.append(rule)
                    variation.append(_variation(direction, polarities[i]))
                    variation_direction.append("high" if direction > 0 else "low")
                    break
            else:
                variation_rule.append(None)
                variation.append("common-cause")
                variation_direction.append(None)
        assurance_out.append(assurance(t, lo, hi, polarities[i]))
    return SpcMatrix(mean, ucl, lcl, sigma, up2, lo2, count, reason, marks, variation, variation_rule,
                     variation_direction, assurance_out)


def spc_matrix(values: np.ndarray, *, baseline: tuple[int, int], polarity, target=None,
               rebase=None) -> SpcMatrix:
    """Limits from the columns ``baseline[0]..baseline[1]`` (inclusive) of
    each row, then the four rules over every column. ``polarity`` is one
    per row; ``target`` (NaN for none) an absolute target per row, compared
    as a monthly value for assurance.

    ``rebase`` (SPEC §6, as NHSRplotthedots ``ptd_rebase``): None, or per
    row a list of the columns where a new segment starts. Each segment has
    its own mean, limits and rules, from the baseline clipped to it (under
    12 baseline months: no mean, no limits, no rules); no moving range and
    no rule spans a rebase. The row's limits, reason, variation and
    assurance are those of its latest segment; ``segments`` lists them all.
    Columns outside 1..m-1 start no segment (a rebase after the last column
    has not happened yet at that period). Without any rebase the result is
    the one without ``rebase``."""
    return _rebased(values, baseline=baseline, polarity=polarity, target=target, rebase=rebase, point="month")


def _rebased(values, *, baseline, polarity, target, rebase, point) -> SpcMatrix:
    """`spc_matrix` and `spc_figures`: the core on one row per segment, then
    each row's latest segment (see `spc_matrix`)."""
    if rebase is None:
        return _spc_matrix(values, baseline=baseline, polarity=polarity, target=target, point=point)
    values = np.asarray(values, dtype=float)
    n, m = values.shape
    if len(rebase) != n:
        raise ValueError(f"rebase has {len(rebase)} rows for {n} rows of values")
    cuts = [sorted({int(c) for c in row if 0 < c < m}) if row is not None and len(row) else [] for row in rebase]
    if not any(cuts):
        return _spc_matrix(values, baseline=baseline, polarity=polarity, target=target, point=point)

    # One row per segment: the row's values outside the segment are masked
    # (NaN), so the baseline is clipped to the segment, no moving range
    # reaches across its ends and the rules read only its own points.
    # (Only the few rebased rows are worked on in Python.)
    sizes = np.array([len(row_cuts) + 1 for row_cuts in cuts])          # segments per row
    src = np.repeat(np.arange(n), sizes)
    lasts = np.cumsum(sizes) - 1                                         # each row's latest segment
    firsts = lasts - sizes + 1
    lo, hi = np.zeros(len(src), dtype=np.int64), np.full(len(src), m, dtype=np.int64)
    segment_values = values[src]
    for i, row_cuts in enumerate(cuts):
        if row_cuts:
            k = firsts[i]
            lo[k + 1:k + 1 + len(row_cuts)] = row_cuts
            hi[k:k + len(row_cuts)] = row_cuts
            for j in range(k, k + len(row_cuts) + 1):
                segment_values[j, :lo[j]] = np.nan
                segment_values[j, hi[j]:] = np.nan
    polarity = np.asarray(polarity)
    target = np.full(n, np.nan) if target is None else np.asarray(target, dtype=float)
    r = _spc_matrix(segment_values, baseline=baseline, polarity=polarity[src], target=target[src], point=point)

    # segments cover disjoint columns, so each row's marks are their sum:
    # the latest segment's, plus the earlier ones'
    earlier = np.ones(len(src), dtype=bool)
    earlier[lasts] = False
    marks = {}
    for rule, a in r.marks.items():
        marks[rule] = a[lasts]
        np.add.at(marks[rule], src[earlier], a[earlier])
    pick = lasts.tolist()
    count = r.baseline_points[lasts]
    reason = [r.reason[k] for k in pick]
    segments = {}
    for i in (i for i, row_cuts in enumerate(cuts) if row_cuts):
        if count[i] < MIN_BASELINE:
            # SPEC §6: the baseline was clipped to the segment after the rebase
            reason[i] = not_enough_reason(int(count[i]), since_rebase=True, point=point)
        segments[i] = [
            SpcSegment(int(lo[k]), int(hi[k]) - 1, _optional(r.mean[k]), _optional(r.ucl[k]), _optional(r.lcl[k]),
                       _optional(r.sigma[k]), _optional(r.upper_2sigma[k]), _optional(r.lower_2sigma[k]),
                       int(r.baseline_points[k]), reason[i] if k == pick[i] else r.reason[k])
            for k in range(firsts[i], pick[i] + 1)]
    return SpcMatrix(r.mean[lasts], r.ucl[lasts], r.lcl[lasts], r.sigma[lasts], r.upper_2sigma[lasts],
                     r.lower_2sigma[lasts], count, reason, marks, [r.variation[k] for k in pick],
                     [r.variation_rule[k] for k in pick], [r.variation_direction[k] for k in pick],
                     [r.assurance[k] for k in pick], segments)


def spc_figures(values: np.ndarray, *, polarity, target=None, baseline: tuple[int, int] | None = None,
                rebase=None) -> SpcMatrix:
    """SPC of non-monthly measures (SPEC §6): the same XmR on each row's
    figures in order (quarters, years, irregular spans), not on a month
    grid; rows are left-aligned, NaN after a shorter row's last figure. A
    NaN between figures is a figure without a value: it is skipped and no
    moving range spans it. The baseline is every figure unless ``baseline``
    gives the first and last figure index; under 12 baseline figures there
    is no mean, no limits and no rules, and the reason counts figures.
    ``rebase``: per row, the figure indices where a new segment starts, as
    in `spc_matrix`. ``target`` is compared as a value of one figure."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError("spc_figures takes rows of figures (2-D); use spc_series for one series")
    if baseline is None:
        baseline = (0, values.shape[1] - 1)
    return _rebased(values, baseline=baseline, polarity=polarity, target=target, rebase=rebase, point="figure")


def not_enough_reason(months: int, *, since_rebase: bool = False, point: str = "month") -> str:
    """What a page says when the baseline is too short for SPC (SPEC §3);
    ``since_rebase`` when the baseline is clipped to the segment after a
    rebase (SPEC §6); ``point`` "figure" for a non-monthly series."""
    since = " since the rebase" if since_rebase else ""
    return f"not enough data for SPC{since} ({months} of the {MIN_BASELINE} {point}s needed)"


def _variation(direction: int, polarity: str) -> str:
    if polarity not in ("up", "down"):
        return "special-cause-neither"
    good = (direction > 0) == (polarity == "up")
    return "special-cause-improvement" if good else "special-cause-concern"


def assurance(target: float | None, lcl: float | None, ucl: float | None, polarity: str) -> str | None:
    """Will the process meet an absolute target? ``pass`` when the whole
    process is on the right side of it, ``fail`` when wholly on the wrong
    side, ``hit-and-miss`` otherwise (strict comparisons)."""
    if target is None or lcl is None or ucl is None or polarity not in ("up", "down"):
        return None
    if polarity == "up":
        if target < lcl:
            return "pass"
        if target > ucl:
            return "fail"
    else:
        if target > ucl:
            return "pass"
        if target < lcl:
            return "fail"
    return "hit-and-miss"


def _optional(x) -> float | None:
    return None if np.isnan(x) else float(x)


def _optionals(values: np.ndarray) -> list:
    """Python floats, None for NaN."""
    return [None if x != x else x for x in np.asarray(values, dtype=float).tolist()]


@dataclass
class SpcResult:
    """One series' SPC, as `spc` returns it. ``marks`` maps the index of a
    point (in the order given) to its rules, in the canonical order. With a
    rebase, the limits and reading are the latest segment's and
    ``segments`` lists every segment (month offsets, or figure indices for
    `spc_series`)."""
    mean: float | None = None
    ucl: float | None = None
    lcl: float | None = None
    sigma: float | None = None
    upper_2sigma: float | None = None
    lower_2sigma: float | None = None
    baseline_points: int = 0
    reason: str | None = None
    variation: str | None = None
    variation_rule: str | None = None
    assurance: str | None = None
    marks: dict = field(default_factory=dict)
    segments: list = field(default_factory=list)


def spc(offsets, values, *, baseline: tuple[int, int], polarity: str, target: float | None = None,
        rebase=None) -> SpcResult:
    """SPC of one series: the points that have values, as month offsets
    (calendar-adjacent months differ by 1) and values, in month order.
    ``rebase``: the month offsets where a new segment starts (SPEC §6)."""
    offsets = np.asarray(offsets, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    first = min(int(offsets.min()) if len(offsets) else 0, baseline[0])
    width = max(int(offsets.max()) if len(offsets) else 0, baseline[1]) - first + 1
    grid = np.full((1, width), np.nan)
    grid[0, offsets - first] = values
    r = spc_matrix(grid, baseline=(baseline[0] - first, baseline[1] - first), polarity=[polarity],
                   target=[np.nan if target is None else target],
                   rebase=None if rebase is None else [[int(o) - first for o in rebase]])
    return _result(r, offsets - first, first)


def spc_series(values, *, polarity: str, target: float | None = None, baseline: tuple[int, int] | None = None,
               rebase=None) -> SpcResult:
    """`spc_figures` of one non-monthly series: its figures in order (NaN
    for a figure without a value). ``marks`` and ``segments`` use figure
    indices; ``rebase`` lists the indices where a new segment starts."""
    values = np.asarray(values, dtype=float)
    r = spc_figures(values[None, :], polarity=[polarity], target=[np.nan if target is None else target],
                    baseline=baseline, rebase=None if rebase is None else [list(rebase)])
    return _result(r, np.flatnonzero(~np.isnan(values)), 0, by_column=True)


def _result(r: SpcMatrix, cols: np.ndarray, first: int, by_column: bool = False) -> SpcResult:
    """Row 0 of ``r`` for one series; ``cols`` are its points' columns,
    ``first`` the offset of column 0. Marks are keyed by the point's place
    among ``cols``, or by its column itself with ``by_column``."""
    marks = {}
    for i, col in enumerate(cols.tolist()):
        rules = [rule for rule in RULES if r.marks[rule][0, col]]
        if rules:
            marks[col if by_column else i] = rules
    segments = [SpcSegment(**{**seg.__dict__, "start": seg.start + first, "end": seg.end + first})
                for seg in r.segments.get(0, [])]
    return SpcResult(
        mean=_optional(r.mean[0]), ucl=_optional(r.ucl[0]), lcl=_optional(r.lcl[0]), sigma=_optional(r.sigma[0]),
        upper_2sigma=_optional(r.upper_2sigma[0]), lower_2sigma=_optional(r.lower_2sigma[0]),
        baseline_points=int(r.baseline_points[0]), reason=r.reason[0], variation=r.variation[0],
        variation_rule=r.variation_rule[0], assurance=r.assurance[0], marks=marks, segments=segments)


def limits(offsets, values) -> tuple[float | None, float | None]:
    """(mean, mR̄) of a baseline series of at least one point."""
    offsets = np.asarray(offsets, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    grid = np.full((1, int(offsets.max() - offsets.min()) + 1), np.nan)
    grid[0, offsets - offsets.min()] = values
    mean = float(values[0]) if np.ptp(values) == 0 else float(np.mean(values))
    return mean, _optional(_mr_bar(grid)[0])
