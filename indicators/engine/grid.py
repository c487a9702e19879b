"""Observations laid out on a dense indicators × months grid, and the
aggregation of SPEC §3 over a window of months.

A `MonthGrid` (indicators × months; not a Police and Crime Panel) holds one row per indicator and one column per month from
``start`` to ``end``. Missing observations are NaN and ``present`` is False;
``unavailable`` marks months an analyst declared unavailable. Windows are
column ranges, so every aggregate is computed for all indicators at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from indicators import periods, vocabulary
from indicators.engine import columns as c

AGGREGATIONS = tuple(vocabulary.AGGREGATIONS)


@dataclass(frozen=True)
class MonthGrid:
    indicator_ids: np.ndarray       # (n,)
    start: date
    end: date
    value: np.ndarray               # (n, m) float, NaN where no value
    numerator: np.ndarray           # (n, m)
    denominator: np.ndarray         # (n, m)
    present: np.ndarray             # (n, m) bool: an observation exists
    unavailable: np.ndarray         # (n, m) bool
    notes: dict                     # (row, col) -> note, for unavailable months
    illustrative: np.ndarray | None = None   # (n, m) bool: a figure generated for the demo

    def any_illustrative(self, rows, first: date, last: date) -> np.ndarray:
        """For each of ``rows``, whether any figure from ``first`` to
        ``last`` (clipped to the grid) is illustrative."""
        rows = np.asarray(rows, dtype=np.intp)
        a, b = max(self.col(first), 0), min(self.col(last), self.value.shape[1] - 1)
        if self.illustrative is None or b < a:
            return np.zeros(len(rows), dtype=bool)
        return self.illustrative[rows, a:b + 1].any(axis=1)

    def col(self, month: date) -> int:
        return periods.months_between(self.start, month)


def positions(keys, wanted) -> np.ndarray:
    """The position in ``keys`` (unique, like an index) of each of
    ``wanted``, -1 where absent: `pd.Index(keys).get_indexer(wanted)`. For
    integer ids (every caller) by a sorted search, without building an
    index: on a dashboard's few thousand rows the index costs more than the
    lookup."""
    keys, wanted = np.asarray(keys), np.asarray(wanted)
    if not len(wanted):
        return np.zeros(0, dtype=np.intp)
    if keys.dtype.kind not in "iu" or wanted.dtype.kind not in "iu" or keys.ndim != 1 or wanted.ndim != 1:
        return pd.Index(keys).get_indexer(wanted)
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.intp)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    if (ordered[1:] == ordered[:-1]).any():
        return pd.Index(keys).get_indexer(wanted)      # raises as an index with duplicates does
    at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    return np.where(ordered[at] == wanted, order[at], -1)


def _floats_of(column: pd.Series) -> np.ndarray:
    """``pd.to_numeric(column, errors="coerce")`` as floats, without the
    pandas call when the column already holds numbers (or None): NaN for
    None, as to_numeric gives."""
    values = column.to_numpy()
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "fiub":
            return values.astype(float)
        if values.dtype == object:
            try:
                return np.asarray(values, dtype=float)
            except (TypeError, ValueError):
                pass
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def build_grid(observations: pd.DataFrame, indicator_ids, start: date, end: date) -> MonthGrid:
    """Lay ``observations`` (columns of `columns.OBSERVATION_COLUMNS`) out on
    the grid. Rows outside [start, end] or for other indicators are ignored.
    A ratio month given only as numerator and denominator gets its value
    (100 · n / d) here, so every consumer sees the same monthly value."""
    ids = np.asarray(list(indicator_ids))
    n, m = len(ids), periods.months_between(start, end) + 1
    value = np.full((n, m), np.nan)
    numerator = np.full((n, m), np.nan)
    denominator = np.full((n, m), np.nan)
    present = np.zeros((n, m), dtype=bool)
    unavailable = np.zeros((n, m), dtype=bool)
    illustrative = np.zeros((n, m), dtype=bool)
    notes: dict = {}
    if len(observations) and n and m > 0:
        rows = positions(ids, observations[c.INDICATOR_ID].to_numpy())
        # A few hundred distinct months at most: convert each once.
        codes, months = pd.factorize(observations[c.MONTH].to_numpy())
        offsets = np.array([(d.year - start.year) * 12 + d.month - start.month for d in months], dtype=np.int64)
        cols = offsets[codes] if len(offsets) else np.zeros(0, dtype=np.int64)
        keep = (rows >= 0) & (cols >= 0) & (cols < m)
        r, k = rows[keep], cols[keep]
        num = _floats_of(observations[c.NUMERATOR])[keep]
        den = _floats_of(observations[c.DENOMINATOR])[keep]
        val = _floats_of(observations[c.VALUE])[keep]
        status = observations[c.STATUS].to_numpy()[keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            derived = np.where((den > 0) & ~np.isnan(num), 100.0 * num / den, np.nan)
        val = np.where(np.isnan(val), derived, val)
        gone = status == "unavailable"
        value[r, k] = np.where(gone, np.nan, val)
        numerator[r, k] = np.where(gone, np.nan, num)
        denominator[r, k] = np.where(gone, np.nan, den)
        present[r, k] = True
        unavailable[r, k] = gone
        if c.ILLUSTRATIVE in observations:
            # True only: a frame without the flag (NaN, None) has no illustrative figure
            illustrative[r, k] = observations[c.ILLUSTRATIVE].to_numpy()[keep] == True  # noqa: E712
        if gone.any():
            note_values = observations[c.NOTE].to_numpy()[keep] if c.NOTE in observations else None
            for i in np.flatnonzero(gone):
                notes[(int(r[i]), int(k[i]))] = "" if note_values is None else str(note_values[i] or "")
    return MonthGrid(ids, start, end, value, numerator, denominator, present, unavailable, notes, illustrative)


@dataclass(frozen=True)
class WindowResult:
    value: np.ndarray        # (n,) float, NaN where the window does not meet its need
    reason: list             # (n,) str or None: why value is null
    numerator: np.ndarray    # (n,) Σ numerator (ratio rows), NaN otherwise
    denominator: np.ndarray  # (n,) Σ denominator


def aggregate(grid: MonthGrid, first: date, last: date, aggregations, reasons_for=None) -> WindowResult:
    """Aggregate every row over the months ``first``..``last`` by its own
    aggregation (SPEC §3): sum needs every month present and not
    unavailable; ratio needs numerator and denominator for every month;
    mean and latest need at least one month. ``reasons_for``: the rows whose
    reasons are wanted (default all; the others' are None): worded reasons
    cost a loop over months each, and the MSG peers' rows need none."""
    aggs = np.asarray(aggregations)
    n = len(grid.indicator_ids)
    c0, c1 = grid.col(first), grid.col(last) + 1
    out = np.full(n, np.nan)
    nums = np.full(n, np.nan)
    dens = np.full(n, np.nan)
    reasons: list = [None] * n
    if c0 < 0 or c1 > grid.value.shape[1] or c1 <= c0:
        return WindowResult(out, ["Those months are outside the data loaded"] * n, nums, dens)
    val = grid.value[:, c0:c1]
    num = grid.numerator[:, c0:c1]
    den = grid.denominator[:, c0:c1]
    has_value = ~np.isnan(val)
    has_ratio = ~np.isnan(num) & ~np.isnan(den)

    is_sum, is_ratio = aggs == "sum", aggs == "ratio"
    is_mean, is_latest = aggs == "mean", aggs == "latest"

    sum_ok = has_value.all(axis=1)
    value_sum = np.where(has_value, val, 0.0).sum(axis=1)        # the sum's, and the mean's numerator
    out = np.where(is_sum & sum_ok, value_sum, out)

    ratio_ok = has_ratio.all(axis=1)
    num_sum = np.where(has_ratio, num, 0.0).sum(axis=1)
    den_sum = np.where(has_ratio, den, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 100.0 * num_sum / den_sum
    ok = is_ratio & ratio_ok & (den_sum > 0)
    out = np.where(ok, ratio, out)
    nums = np.where(ok, num_sum, nums)
    dens = np.where(ok, den_sum, dens)

    count = has_value.sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean = value_sum / np.where(count > 0, count, 1)
    out = np.where(is_mean & (count > 0), mean, out)

    last_idx = (val.shape[1] - 1) - np.argmax(has_value[:, ::-1], axis=1)
    latest = val[np.arange(n), last_idx]
    out = np.where(is_latest & (count > 0), latest, out)

    missing = np.isnan(out)
    if reasons_for is not None:
        wanted = np.zeros(n, dtype=bool)
        wanted[np.asarray(reasons_for, dtype=np.int64)] = True
        missing &= wanted
    for i in np.flatnonzero(missing):
        reasons[i] = _reason(grid, i, c0, c1, aggs[i], has_value[i], has_ratio[i])
    return WindowResult(out, reasons, nums, dens)


def _reason(grid: MonthGrid, row: int, c0: int, c1: int, aggregation: str, has_value, has_ratio) -> str:
    months = periods.month_range(periods.add_months(grid.start, c0), periods.add_months(grid.start, c1 - 1))
    if aggregation in ("mean", "latest"):
        unavailable = [k for k in range(c0, c1) if grid.unavailable[row, k]]
        if unavailable:
            return _describe(grid, row, unavailable, c0, months)
        return f"No data for {_span(months)}"
    if aggregation not in AGGREGATIONS:
        return f"Unknown aggregation {aggregation!r}"
    good = has_ratio if aggregation == "ratio" else has_value
    bad = [c0 + i for i in np.flatnonzero(~good)]
    if not bad:
        return "The denominator adds up to zero"
    return _describe(grid, row, bad, c0, months)


def _describe(grid: MonthGrid, row: int, bad_cols: list, c0: int, months: list[date]) -> str:
    first = bad_cols[0]
    label = periods.month_label(months[first - c0])
    more = len(bad_cols) - 1
    tail = f" (and {more} more month{'s' if more > 1 else ''})" if more else ""
    if grid.unavailable[row, first]:
        note = grid.notes.get((row, first), "")
        return f"{label} unavailable{': ' + note if note else ''}{tail}"
    if grid.present[row, first]:
        return f"{label} has no figure{tail}"
    return f"{label} not yet available{tail}"


def _span(months: list[date]) -> str:
    if len(months) == 1:
        return periods.month_label(months[0])
    return f"{periods.month_label(months[0])} to {periods.month_label(months[-1])}"
