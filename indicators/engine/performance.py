"""Every figure of SPEC §3 for a set of indicators at a period.

`compute` does the arithmetic for all indicators at once (arrays in, arrays
out); `evaluate` turns that into one frozen `IndicatorResult` per indicator
(engine/result.py), whose ``to_api()`` is the API object of SPEC §4. Pages,
the API and the report all call `evaluate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from indicators import periods
from indicators.engine import columns as c
from indicators.engine.grid import WindowResult, aggregate, build_grid, positions
from indicators.engine.msg import msg_comparison, population_for, rate_per_1000
from indicators.engine.rag import RATEABLE_KINDS, rag_statuses, target_values
from indicators.engine.ratings import DEFAULT_METHOD, ratings
from indicators.engine.result import (
    Assessment,
    Illustrative,
    IndicatorResult,
    MonthlyFigure,
    Signal,
    Significance,
    SpcReading,
    TargetReading,
    build,
)
from indicators.engine.significance import significance
from indicators.engine.spc import RULES, SpcMatrix, spc_matrix
from indicators.engine.windows import Window, comparison


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


@dataclass
class Inputs:
    """What the engine needs, as loaded by `indicators.selectors`."""
    indicators: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame = field(default_factory=lambda: _empty(c.TARGET_COLUMNS))
    assessments: pd.DataFrame = field(default_factory=lambda: _empty(c.ASSESSMENT_COLUMNS))
    populations: pd.DataFrame = field(default_factory=lambda: _empty(c.POPULATION_COLUMNS))
    msg_peers: dict = field(default_factory=dict)   # force slug -> [peer slugs]
    # force slug -> how the plan in force at the period judges its measures
    # (vocabulary.ASSESSMENT_METHODS); a force not listed: "targets"
    rating_methods: dict = field(default_factory=dict)


def window_start(period: date) -> date:
    """The first month any figure at ``period`` looks at: the SPC baseline's
    start, April two years before the period's financial year."""
    return periods.add_months(periods.fy_start(periods.fy_start_year(period)), -24)


def baseline_months(period: date) -> tuple[date, date]:
    """The SPC baseline: the 24 months ending at the end of the previous financial year."""
    fy_first = periods.fy_start(periods.fy_start_year(period))
    return periods.add_months(fy_first, -24), periods.add_months(fy_first, -1)


def _opt(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _equals(column: pd.Series, value) -> np.ndarray:
    """``(column == value).to_numpy()``, by numpy for an object column (the
    dates and strings the selectors give) instead of a pandas comparison."""
    values = column.to_numpy()
    if isinstance(values, np.ndarray) and values.dtype == object:
        return np.asarray(values == value, dtype=bool)
    return (column == value).to_numpy(dtype=bool)


def _aligned(frame: pd.DataFrame, where, ids, fills: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The columns of ``fills`` for each id in ``ids`` from the rows of
    ``frame`` (keyed by indicator_id, one row per id) picked by the boolean
    array ``where`` (None: every row), missing cells filled from ``fills``;
    and whether each id has a row. Columns are read once, as arrays: no
    filtered frame is built."""
    if not len(frame) or (where is not None and not where.any()):
        return ({name: np.full(len(ids), fill, dtype=object) for name, fill in fills.items()},
                np.zeros(len(ids), dtype=bool))
    keys = frame[c.INDICATOR_ID].to_numpy()
    rows = np.flatnonzero(where) if where is not None else np.arange(len(frame))
    pos = positions(keys[rows], np.asarray(ids))
    found = pos >= 0
    take = rows[np.where(found, pos, 0)]
    out = {}
    for name, fill in fills.items():
        values = frame[name].to_numpy(dtype=object)[take]
        out[name] = np.where(found & ~pd.isna(values), values, fill)
    return out, found


@dataclass
class Computed:
    period: date
    ids: list
    meta: dict                          # column -> numpy array, in ids order
    ytd: WindowResult
    last: WindowResult
    rolling_12: WindowResult
    previous_rolling_12: WindowResult   # the 12 months before the rolling 12
    full_last_year: WindowResult
    rows: np.ndarray                    # grid row of each id
    change: np.ndarray
    change_pct: np.ndarray
    rolling_12_change: np.ndarray
    rolling_12_change_pct: np.ndarray
    full_year_target: np.ndarray
    projected_vs_target: np.ndarray     # projected outturn − full-year target
    projected_rag: np.ndarray
    target_kind: np.ndarray
    target: np.ndarray
    tolerance: np.ndarray
    wording: np.ndarray
    due: np.ndarray
    computed_rag: np.ndarray
    rag: np.ndarray
    rag_source: np.ndarray
    assessment: list
    projected: np.ndarray
    significance: list
    spc: SpcMatrix
    spc_values: np.ndarray              # the grid SPC ran on: rows × months from the baseline start
    spc_months: list                    # "YYYY-MM" of each grid column
    msg_comparison: list
    rating: list                        # engine.result.Rating per id
    illustrative: list                  # engine.result.Illustrative per id


def compute(inputs: Inputs, *, period: date, indicator_ids=None) -> Computed:
    ind = inputs.indicators
    # Each column read once (a frame's __getitem__ costs more than the arithmetic on a dashboard's rows).
    columns = {name: ind[name].to_numpy(dtype=object) for name in ind.columns}
    all_ids = ind[c.ID].to_numpy()
    ids = all_ids.tolist() if indicator_ids is None else list(indicator_ids)
    pos = positions(all_ids, np.asarray(ids))
    if (pos < 0).any():
        raise KeyError(f"indicator ids not in inputs.indicators: {[i for i, p in zip(ids, pos) if p < 0]}")
    meta = {name: values[pos] for name, values in columns.items()}
    start = window_start(period)
    grid = build_grid(inputs.observations, all_ids, start, period)
    rows = pos                                  # the grid has a row per indicator, in the frame's order
    aggs = columns[c.AGGREGATION]

    # YTD is one basis among several (engine/windows.py): each pair of windows comes from `comparison`
    ytd_w, last_w = comparison("ytd", period)
    r12_w, pr12_w = comparison("rolling-12", period)
    fly_months = periods.full_last_year_months(period)
    fly_w = Window(fly_months[0], fly_months[-1])
    # reasons only for the indicators asked about (evaluate reads no other; peers' rows serve the MSG rates)
    ytd, last, r12, fly, pr12 = (aggregate(grid, w.first, w.last, aggs, reasons_for=rows)
                                 for w in (ytd_w, last_w, r12_w, fly_w, pr12_w))
    y, ly, f = ytd.value[rows], last.value[rows], fly.value[rows]
    unit, polarity, aggregation = meta[c.UNIT], meta[c.POLARITY], meta[c.AGGREGATION]

    change = y - ly
    r12_change = r12.value[rows] - pr12.value[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        change_pct = np.where(ly != 0, 100.0 * change / ly, np.nan)
        r12_change_pct = np.where(pr12.value[rows] != 0, 100.0 * r12_change / pr12.value[rows], np.nan)
        projected = np.where((aggregation == "sum") & (ly != 0), y * f / ly, np.nan)

    fy = periods.financial_year(period)
    tg = inputs.targets
    t, _ = _aligned(tg, _equals(tg[c.FINANCIAL_YEAR], fy) if len(tg) else None, ids,
                    {c.KIND: None, c.TARGET_VALUE: np.nan, c.TOLERANCE: 5.0, c.WORDING: "", c.DUE: None})
    kind = t[c.KIND]
    tvalue = t[c.TARGET_VALUE].astype(float)
    tolerance = t[c.TOLERANCE].astype(float)
    target = target_values(kind, tvalue, ly, unit)
    rateable = np.zeros(len(ids), dtype=bool)
    for rateable_kind in RATEABLE_KINDS:
        rateable |= kind == rateable_kind
    # the projected outturn against the full-year target: a change target
    # applied to last year's full figure (counts rounded half-up), or the value
    full_year_target = target_values(kind, tvalue, f, unit)
    projected_gap = projected - full_year_target
    projected_rag = np.where(rateable & ~np.isnan(projected),
                             rag_statuses(projected, full_year_target, polarity, tolerance), None)
    computed_rag = np.where(rateable, rag_statuses(y, target, polarity, tolerance), None)
    computed_rag = np.where(rateable & np.isnan(y), "no-data", computed_rag)

    asm = inputs.assessments
    a, has_assessment = _aligned(asm, _equals(asm[c.MONTH], period) if len(asm) else None, ids,
                                 {c.RAG: "", c.STATUS_TEXT: "", c.REASON: "", c.RATING: ""})
    manual, status_text, reason, manual_rating = a[c.RAG], a[c.STATUS_TEXT], a[c.REASON], a[c.RATING]
    assessment = [Assessment(manual[k] or None, status_text[k] or "", reason[k] or "", manual_rating[k] or None)
                  if has_assessment[k] else None for k in range(len(ids))]
    is_manual = manual != ""
    rag = np.where(is_manual, manual, computed_rag)
    rag_source = np.where(is_manual, "manual", np.where(pd.isna(computed_rag), None, "computed"))

    sig = significance(aggregation=aggregation, unit=unit, polarity=polarity, ytd=y, last_ytd=ly,
                       ytd_num=ytd.numerator[rows], ytd_den=ytd.denominator[rows],
                       last_num=last.numerator[rows], last_den=last.denominator[rows])

    base_first, base_last = baseline_months(period)
    # Which verdicts rest on a figure generated for the demo: each verdict's own months.
    ill_comparison = (grid.any_illustrative(rows, ytd_w.first, ytd_w.last)
                      | grid.any_illustrative(rows, last_w.first, last_w.last))
    ill_rolling = (grid.any_illustrative(rows, r12_w.first, r12_w.last)
                   | grid.any_illustrative(rows, pr12_w.first, pr12_w.last))
    ill_spc = grid.any_illustrative(rows, base_first, period)
    b0 = grid.col(base_first)
    spc_grid = grid.value[rows, b0:]
    # SPEC §3: assurance against an absolute target compared as a monthly value; none for `sum`
    # measures, whose absolute target is the year's total, not a month's.
    spc_target = np.where((kind == "absolute") & (aggregation != "sum"), target, np.nan)
    spc = spc_matrix(spc_grid, baseline=(0, grid.col(base_last) - b0), polarity=polarity, target=spc_target)
    spc_months = [periods.format_month(m) for m in periods.month_range(base_first, period)]
    rating = ratings(method=[inputs.rating_methods.get(f, DEFAULT_METHOD) for f in meta[c.FORCE]],
                     rag=rag, rag_source=rag_source, computed_rag=computed_rag,
                     significance=[s["result"] for s in sig], variation=spc.variation, assurance=spc.assurance,
                     assessment_rating=manual_rating, illustrative_comparison=ill_comparison,
                     illustrative_spc=ill_spc)
    msg, ill_msg = _msg_comparisons(inputs, meta, columns, r12, period,
                                    grid.any_illustrative(np.arange(len(all_ids)), r12_w.first, r12_w.last))
    illustrative = [Illustrative(*flags) for flags in zip(ill_comparison.tolist(), ill_rolling.tolist(),
                                                          ill_spc.tolist(), ill_msg)]

    return Computed(
        period=period, ids=ids, meta=meta, ytd=ytd, last=last, rolling_12=r12, previous_rolling_12=pr12,
        full_last_year=fly, rows=rows, change=change, change_pct=change_pct,
        rolling_12_change=r12_change, rolling_12_change_pct=r12_change_pct, full_year_target=full_year_target,
        projected_vs_target=projected_gap, projected_rag=projected_rag, target_kind=kind, target=target, tolerance=tolerance,
        wording=t[c.WORDING], due=t[c.DUE],
        computed_rag=computed_rag, rag=rag, rag_source=rag_source, assessment=assessment, projected=projected,
        significance=sig, spc=spc, spc_values=spc_grid, spc_months=spc_months,
        msg_comparison=msg, rating=rating, illustrative=illustrative)


def _msg_comparisons(inputs: Inputs, meta: dict, columns: dict, r12: WindowResult,
                     period: date, r12_illustrative: np.ndarray) -> tuple[list, list]:
    """``columns``: every column of inputs.indicators as an array, whose
    rows are r12's rows (the grid's); ``r12_illustrative`` per such row,
    whether its rolling 12 months hold a figure generated for the demo.
    The comparisons, and whether each rests on such a figure (its own or a
    peer's)."""
    force_of, code_of, polarity_of = meta[c.FORCE], meta[c.CODE], meta[c.POLARITY]
    out = [None] * len(force_of)
    illustrative = [False] * len(force_of)
    eligible = np.flatnonzero(meta[c.MSG].astype(bool) & (meta[c.AGGREGATION] == "sum") & (meta[c.UNIT] == "count"))
    if not len(eligible):
        return out, illustrative
    forces = set(force_of[eligible])
    forces |= {p for f in forces for p in inputs.msg_peers.get(f, [])}
    pops = inputs.populations
    pop_table: dict[str, dict[int, int]] = {}
    if len(pops):
        for force, year, people in zip(pops[c.FORCE].to_numpy().tolist(), pops[c.YEAR].to_numpy().tolist(),
                                       pops[c.POPULATION].to_numpy().tolist()):
            if force in forces:
                pop_table.setdefault(force, {})[int(year)] = int(people)
    population = {f: population_for(table, period.year) for f, table in pop_table.items()}
    codes = set(code_of[eligible])
    rate_of, generated = {}, set()
    for force, code, total, flag in zip(columns[c.FORCE].tolist(), columns[c.CODE].tolist(), r12.value.tolist(),
                                        r12_illustrative.tolist()):
        if force in forces and code in codes:
            rate_of[(force, code)] = rate_per_1000(_opt(total), population.get(force))
            if flag:
                generated.add((force, code))
    for k in eligible:
        force, code = force_of[k], code_of[k]
        peers = inputs.msg_peers.get(force, [])
        out[k] = msg_comparison(rate=rate_of.get((force, code)),
                                peer_rates={p: rate_of.get((p, code)) for p in peers},
                                polarity=polarity_of[k])
        illustrative[k] = out[k] is not None and any((f, code) in generated for f in (force, *peers))
    return out, illustrative


def _floats(values) -> list:
    """Python floats, None for NaN: what JSON and templates want."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), None, values).tolist()


def _by_row(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The set cells of a boolean grid, row by row: (rows, columns, bounds),
    row k's cells being ``bounds[k]:bounds[k + 1]`` of the two arrays (a
    slice of a list per row, not an array per row)."""
    rows, cols = np.nonzero(mask)
    return rows, cols, np.searchsorted(rows, np.arange(mask.shape[0] + 1)).tolist()


# The rules of each bit mask of RULES (bit i: RULES[i]).
_RULES_OF = [tuple(rule for i, rule in enumerate(RULES) if bits >> i & 1) for bits in range(1 << len(RULES))]


def _series_baseline(baseline: tuple[str, str], first_point: str | None) -> tuple[str, str]:
    """The baseline's months for one series: a series that starts later has
    a shorter baseline (SPEC §3), which starts at its first month."""
    first, last = baseline
    if first_point is not None and first < first_point <= last:
        return first_point, last
    return baseline


def evaluate(inputs: Inputs, *, period: date, indicator_ids=None, monthly: bool = True) -> list[IndicatorResult]:
    """One result per indicator in ``indicator_ids`` (default: every row of
    ``inputs.indicators``), in that order."""
    r = compute(inputs, period=period, indicator_ids=indicator_ids)
    fy = periods.financial_year(period)
    period_label = periods.format_month(period)
    baseline = tuple(periods.format_month(m) for m in baseline_months(period))
    monthly_rows = _monthly(inputs.observations, r.ids, window_start(period), period) if monthly else {}
    marks = np.stack([r.spc.marks[rule] for rule in RULES])        # rules × n × m, directions (-1, 0, 1)
    # Each point's rules as one bit mask (n × m), so a signal's rules are a
    # lookup (_RULES_OF), not a loop over numpy scalars.
    mask = np.tensordot(1 << np.arange(len(RULES)), (marks != 0).astype(np.int64), axes=1)
    months = r.spc_months
    signal_rows, signal_cols, signal_bounds = _by_row(mask != 0)
    signal_of = [Signal(months[j], _RULES_OF[bits])
                 for j, bits in zip(signal_cols.tolist(), mask[signal_rows, signal_cols].tolist())]
    point_rows, point_cols, point_bounds = _by_row(~np.isnan(r.spc_values))
    point_months = [months[j] for j in point_cols.tolist()]
    points = list(zip(point_months, r.spc_values[point_rows, point_cols].tolist()))
    names = list(r.meta)
    meta = [dict(zip(names, values)) for values in zip(*(r.meta[n].tolist() for n in names))]
    rows = r.rows.tolist()
    ytd, last, r12, fly, pr12 = (_floats(w.value[rows]) for w in (r.ytd, r.last, r.rolling_12, r.full_last_year,
                                                                   r.previous_rolling_12))
    change, change_pct, target, projected = (_floats(a) for a in (r.change, r.change_pct, r.target, r.projected))
    r12_change, r12_change_pct, fy_target, gap = (_floats(a) for a in (
        r.rolling_12_change, r.rolling_12_change_pct, r.full_year_target, r.projected_vs_target))
    mean, ucl, lcl, sigma = (_floats(a) for a in (r.spc.mean, r.spc.ucl, r.spc.lcl, r.spc.sigma))
    up2, lo2 = _floats(r.spc.upper_2sigma), _floats(r.spc.lower_2sigma)
    tolerance = r.tolerance.tolist()
    results = []
    for k, indicator_id in enumerate(r.ids):
        m = meta[k]
        row = rows[k]
        kind = r.target_kind[k]
        p0, p1 = point_bounds[k], point_bounds[k + 1]
        spc = build(
            SpcReading,
            mean=mean[k], ucl=ucl[k], lcl=lcl[k], sigma=sigma[k],
            variation=r.spc.variation[k], assurance=r.spc.assurance[k],
            signals=tuple(signal_of[signal_bounds[k]:signal_bounds[k + 1]]),
            reason=r.spc.reason[k], rule=r.spc.variation_rule[k], direction=r.spc.variation_direction[k],
            upper_2sigma=up2[k], lower_2sigma=lo2[k],
            points=tuple(points[p0:p1]),
            baseline=_series_baseline(baseline, point_months[p0] if p1 > p0 else None))
        results.append(build(
            IndicatorResult,
            id=indicator_id, force=m[c.FORCE], indicator=m[c.CODE], name=m[c.NAME],
            period=period_label, financial_year=fy,
            unit=m[c.UNIT], aggregation=m[c.AGGREGATION], polarity=m[c.POLARITY], decimals=int(m[c.DECIMALS]),
            headline=bool(m.get(c.HEADLINE, False)),
            ytd=ytd[k], ytd_reason=None if ytd[k] is not None else r.ytd.reason[row],
            last_ytd=last[k], last_ytd_reason=None if last[k] is not None else r.last.reason[row],
            change=change[k], change_pct=change_pct[k],
            rolling_12=r12[k], rolling_12_reason=None if r12[k] is not None else r.rolling_12.reason[row],
            full_last_year=fly[k], projected_outturn=projected[k],
            target=None if kind is None else TargetReading(kind, target[k], r.wording[k] or "", tolerance[k],
                                                           r.due[k]),
            rag=r.rag[k], rag_source=r.rag_source[k], computed_rag=r.computed_rag[k],
            assessment=r.assessment[k],
            significance=Significance(**r.significance[k]),
            spc=spc,
            msg_comparison=r.msg_comparison[k],
            rating=r.rating[k],
            monthly=tuple(monthly_rows.get(indicator_id, ())) if monthly else None,
            change_pts=change[k] if m[c.UNIT] == "percent" else None,
            previous_rolling_12=pr12[k],
            previous_rolling_12_reason=None if pr12[k] is not None else r.previous_rolling_12.reason[row],
            rolling_12_change=r12_change[k], rolling_12_change_pct=r12_change_pct[k],
            full_year_target=fy_target[k], projected_vs_target=gap[k], projected_rag=r.projected_rag[k],
            illustrative=r.illustrative[k],
        ))
    return results


def _monthly(observations: pd.DataFrame, ids: list, start: date, end: date) -> dict:
    """The stored observations of ``ids`` from ``start`` to ``end``, as API rows.
    A ratio month stored without a value shows 100 · numerator / denominator."""
    if not len(observations):
        return {}
    rows = _monthly_rows(observations, ids, start, end)
    if rows is None:                        # not ids and dates as the selectors give them: by pandas
        frame = observations[observations[c.INDICATOR_ID].isin(ids)
                             & (observations[c.MONTH] >= start) & (observations[c.MONTH] <= end)]
        frame = frame.sort_values([c.INDICATOR_ID, c.MONTH])
        flags = frame[c.ILLUSTRATIVE] if c.ILLUSTRATIVE in frame else [False] * len(frame)
        rows = zip(frame[c.INDICATOR_ID], frame[c.MONTH], frame[c.VALUE], frame[c.NUMERATOR],
                   frame[c.DENOMINATOR], frame[c.STATUS], flags)
    out: dict = {}
    for ind_id, month, value, num, den, status, flag in rows:
        value, num, den = _opt(value), _opt(num), _opt(den)
        if value is None and status != "unavailable" and num is not None and den:
            value = 100.0 * num / den
        out.setdefault(ind_id, []).append(MonthlyFigure(periods.format_month(month), value, num, den, status,
                                                        flag is True or flag == True))  # noqa: E712
    return out


def _monthly_rows(observations: pd.DataFrame, ids: list, start: date, end: date):
    """`_monthly`'s rows (indicator id, month, value, numerator, denominator,
    status) of ``ids`` from ``start`` to ``end``, sorted by id then month (ties
    in their order), by numpy on the columns' arrays: what the pandas filter
    and sort_values give, without building two frames. None when the columns
    are not integer ids and date objects (then the caller uses pandas)."""
    id_values = observations[c.INDICATOR_ID].to_numpy()
    months = observations[c.MONTH].to_numpy()
    if id_values.dtype.kind not in "iu" or months.dtype != object:
        return None
    try:
        wanted = np.unique(np.asarray(ids, dtype=np.int64))
        keep = (positions(wanted, id_values) >= 0) & (months >= start) & (months <= end)
    except (TypeError, ValueError):         # a month that is not a date (None): pandas' comparison skips it
        return None
    keep = np.flatnonzero(keep)
    codes = pd.factorize(months[keep], sort=True)[0]
    order = keep[np.lexsort((codes, id_values[keep]))]     # stable: ties keep their order, as sort_values
    columns = [observations[name].to_numpy()[order].tolist()
               for name in (c.INDICATOR_ID, c.MONTH, c.VALUE, c.NUMERATOR, c.DENOMINATOR, c.STATUS)]
    flags = (observations[c.ILLUSTRATIVE].to_numpy()[order].tolist() if c.ILLUSTRATIVE in observations
             else [False] * len(order))
    return zip(*columns, flags)
