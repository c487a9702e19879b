"""Every figure of SPEC §3 for a set of indicators at a period.

`compute` does the arithmetic for all indicators at once (arrays in, arrays
out); `evaluate` turns that into one frozen `IndicatorResult` per indicator
(engine/result.py), whose ``to_api()`` is the API object of SPEC §4. Pages,
the API and the report all call `evaluate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from indicators import periods, vocabulary
from indicators.engine import columns as c
from indicators.engine import current as cur
from indicators.engine.grid import WindowResult, aggregate, build_grid, positions
from indicators.engine.msg import msg_comparison, population_for, rate_per_1000
from indicators.engine.rag import RATEABLE_KINDS, rag_statuses, target_values
from indicators.engine.ratings import DEFAULT_METHOD, ratings
from indicators.engine.result import (
    Assessment,
    BaselineReading,
    BenchmarkReading,
    CompareReading,
    Illustrative,
    IndicatorResult,
    MonthlyFigure,
    Rating,
    ReplacesReading,
    Signal,
    Significance,
    SpcReading,
    TargetReading,
    WindowReading,
    build,
)
from indicators.engine.significance import significance
from indicators.engine.spans import Figure, WindowValue
from indicators.engine.spc import RULES, SpcMatrix, spc_figures, spc_matrix
from indicators.engine.windows import Window, comparison, due_span, guard
from indicators.numbers import display


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
    current: dict = field(default_factory=dict)  # k -> CurrentPlan, the measures that use a §6 key
    last_figure: list = field(default_factory=list)  # per id: the last month of its latest figure by the period
    ytd_window: Window | None = None
    last_window: Window | None = None


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
    # reasons only for the indicators asked about (evaluate reads no other; peers' rows serve the MSG rates),
    # and not for a measure over spans (quarterly, annual…): it is never added up by months
    measures = _six_measures(meta)
    spans = [k for k, m in measures.items() if not _on_grid(m)]
    asked = np.delete(rows, spans) if spans else rows
    ytd, last, r12, fly, pr12 = (aggregate(grid, w.first, w.last, aggs, reasons_for=asked)
                                 for w in (ytd_w, last_w, r12_w, fly_w, pr12_w))
    y, ly, f = ytd.value[rows], last.value[rows], fly.value[rows]
    unit, polarity, aggregation = meta[c.UNIT], meta[c.POLARITY], meta[c.AGGREGATION]

    change = y - ly
    r12_change = r12.value[rows] - pr12.value[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        change_pct = np.where(ly != 0, 100.0 * change / ly, np.nan)
        r12_change_pct = np.where(pr12.value[rows] != 0, 100.0 * r12_change / pr12.value[rows], np.nan)
        projected = np.where((aggregation == "sum") & (ly != 0), y * f / ly, np.nan)

    # SPEC §6: the measures that use a §6 key are compared on their own pair of windows (engine/current.py);
    # their headline values replace YTD and last YTD below, so targets, RAG and significance follow them.
    plans = _current_plans(inputs, measures, ids, period, grid, rows, aggs, all_ids)
    cmp_cur, cmp_prev = y.copy(), ly.copy()
    for k, plan in plans.items():
        cmp_cur[k], cmp_prev[k] = plan.current_value, plan.previous_value
        if plan.measure.frequency != "monthly":
            # a figure over a span is compared by span, never added up as months of a year to date
            y[k] = ly[k] = f[k] = np.nan
        projected[k] = np.nan if plan.measure.basis != "ytd" else projected[k]

    fy = periods.financial_year(period)
    tg = inputs.targets
    t, _ = _aligned(tg, _equals(tg[c.FINANCIAL_YEAR], fy) if len(tg) else None, ids,
                    {c.KIND: None, c.TARGET_VALUE: np.nan, c.TOLERANCE: 5.0, c.WORDING: "", c.DUE: None})
    kind = t[c.KIND]
    tvalue = t[c.TARGET_VALUE].astype(float)
    tolerance = t[c.TOLERANCE].astype(float)
    change = y - ly
    with np.errstate(divide="ignore", invalid="ignore"):
        change_pct = np.where(ly != 0, 100.0 * change / ly, np.nan)
    # a change target applies to the measure's comparison: the previous window · (1 + p/100)
    target = target_values(kind, tvalue, cmp_prev, unit)
    rateable = np.zeros(len(ids), dtype=bool)
    for rateable_kind in RATEABLE_KINDS:
        rateable |= kind == rateable_kind
    # the projected outturn against the full-year target: a change target
    # applied to last year's full figure (counts rounded half-up), or the value
    full_year_target = target_values(kind, tvalue, f, unit)
    projected_gap = projected - full_year_target
    projected_rag = np.where(rateable & ~np.isnan(projected),
                             rag_statuses(projected, full_year_target, polarity, tolerance), None)
    computed_rag = np.where(rateable, rag_statuses(cmp_cur, target, polarity, tolerance), None)
    computed_rag = np.where(rateable & np.isnan(cmp_cur), "no-data", computed_rag)

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
    for k, plan in plans.items():
        sig[k] = plan.comparison.significance

    base_first, base_last = baseline_months(period)
    # Which verdicts rest on a figure generated for the demo: each verdict's own months.
    ill_comparison = (grid.any_illustrative(rows, ytd_w.first, ytd_w.last)
                      | grid.any_illustrative(rows, last_w.first, last_w.last))
    ill_rolling = (grid.any_illustrative(rows, r12_w.first, r12_w.last)
                   | grid.any_illustrative(rows, pr12_w.first, pr12_w.last))
    ill_spc = grid.any_illustrative(rows, base_first, period)
    for k, plan in plans.items():
        ill_comparison[k] = plan.illustrative
        if plan.spc is not None:
            ill_spc[k] = plan.spc_illustrative
    b0 = grid.col(base_first)
    spc_grid = grid.value[rows, b0:]
    # SPEC §3: assurance against an absolute target compared as a monthly value; none for `sum`
    # measures, whose absolute target is the year's total, not a month's.
    spc_target = np.where((kind == "absolute") & (aggregation != "sum"), target, np.nan)
    rebase = None
    if any(plan.measure.rebase for plan in plans.values()):
        rebase = [None] * len(ids)
        for k, plan in plans.items():
            rebase[k] = [periods.months_between(base_first, m) for m in plan.measure.rebase]
    spc = spc_matrix(spc_grid, baseline=(0, grid.col(base_last) - b0), polarity=polarity, target=spc_target,
                     rebase=rebase)
    variation, assurance = list(spc.variation), list(spc.assurance)
    for k, plan in plans.items():
        if plan.spc is not None:
            variation[k], assurance[k] = plan.spc.variation, plan.spc.assurance
    spc_months = [periods.format_month(m) for m in periods.month_range(base_first, period)]
    rating = ratings(method=[inputs.rating_methods.get(f, DEFAULT_METHOD) for f in meta[c.FORCE]],
                     rag=rag, rag_source=rag_source, computed_rag=computed_rag,
                     significance=[s["result"] for s in sig], variation=variation, assurance=assurance,
                     assessment_rating=manual_rating, illustrative_comparison=ill_comparison,
                     illustrative_spc=ill_spc)
    for k, plan in plans.items():
        if plan.measure.basis == "benchmark" and rating[k].method != "none":
            value = plan.benchmarks[0].rating if plan.benchmarks else None
            rating[k] = Rating("benchmark", value, False, value, illustrative=plan.illustrative and value is not None)
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
        msg_comparison=msg, rating=rating, illustrative=illustrative,
        current=plans, last_figure=_last_figures(grid, rows, plans), ytd_window=ytd_w, last_window=last_w)


@dataclass
class CurrentPlan:
    """One measure's §6 readings (engine/current.py), for `compute` and `evaluate`."""
    measure: cur.Measure
    comparison: cur.Comparison
    baseline: cur.BaselineComparison | None
    benchmarks: list                    # BenchmarkReading per benchmark slug
    figures: list                       # spans.Figure, the measure's own, any order
    extras: list                        # current.FigureExtra, beside figures
    spc: object | None = None           # SpcReading for a non-monthly measure (its figures in order)
    spc_illustrative: bool = False
    last: date | None = None            # the last month of its latest figure by the period

    @property
    def current_value(self) -> float:
        side = self.comparison.current
        return np.nan if side is None or side.value.value is None else side.value.value

    @property
    def previous_value(self) -> float:
        side = self.comparison.previous
        return np.nan if side is None or side.value.value is None else side.value.value

    @property
    def illustrative(self) -> bool:
        return any(side is not None and side.illustrative
                   for side in (self.comparison.current, self.comparison.previous))


def _figures_by_id(observations: pd.DataFrame, ids: set) -> dict:
    """Each indicator's figures (spans.Figure) and what they carry besides
    (current.FigureExtra), for the ids asked: a figure's span runs from its
    c.FIRST_MONTH (the return's ``from``; None: the month alone) to its month."""
    out: dict = {}
    if not len(observations) or not ids:
        return out
    keys = observations[c.INDICATOR_ID].to_numpy()
    wanted = np.array(sorted(ids))
    take = np.flatnonzero(positions(wanted, keys) >= 0) if keys.dtype.kind in "iu" and wanted.dtype.kind in "iu" \
        else np.flatnonzero(observations[c.INDICATOR_ID].isin(ids).to_numpy())
    get = {name: (observations[name].to_numpy()[take].tolist() if name in observations
                  else [None] * len(take))
           for name in (c.INDICATOR_ID, c.MONTH, c.VALUE, c.NUMERATOR, c.DENOMINATOR, c.STATUS, c.NOTE,
                        c.ILLUSTRATIVE, c.FIRST_MONTH, c.LOWER, c.UPPER)}
    for iid, month, value, num, den, status, note, flag, first, lower, upper in zip(*get.values()):
        if not isinstance(first, date) or first > month:
            first = month
        figs, extras = out.setdefault(iid, ([], []))
        figs.append(Figure(first, month, _opt(value), _opt(num), _opt(den), str(status or "final"), str(note or "")))
        extras.append(cur.FigureExtra(_opt(lower), _opt(upper), flag is True))
    return out


def _six_measures(meta: dict) -> dict:
    """k -> current.Measure for each row that uses a §6 key (not plain);
    empty, without building any Measure, for a frame of 2013-style measures."""
    candidates = rows_using_current_keys(meta)
    if not candidates:
        return {}
    names = [name for name in (c.CODE, c.UNIT, c.AGGREGATION, c.POLARITY, *c.CURRENT_PLAN_COLUMNS) if name in meta]
    measures = {k: cur.measure_of({name: meta[name][k] for name in names}) for k in candidates}
    return {k: m for k, m in measures.items() if not m.plain}


def rows_using_current_keys(columns) -> list[int]:
    """The rows (positions) that use a SPEC §6 key, from the indicators'
    columns (a frame or a dict of sequences; columns.py names): a frequency
    other than monthly, a comparison other than the YTD, a baseline,
    benchmarks, a rebase, ``covers`` or a weighted mean. One cheap pass per
    column (a national page has a thousand rows, nearly all plain): NaN (a
    peer's row without the column) is not equal to itself, and an empty list
    is falsy. The engine and the selectors (which §6 columns to read) share it."""
    if c.FREQUENCY not in columns and c.COMPARE not in columns:
        return []

    def values(name):
        v = columns[name]
        return v.tolist() if hasattr(v, "tolist") else v

    rows = set()
    for name, plain in ((c.FREQUENCY, ("monthly",)), (c.COMPARE, ("ytd",)), (c.BASELINE_LABEL, ()),
                        (c.BENCHMARKS, ()), (c.REBASE, ()), (c.COVERS, ())):
        if name in columns:
            rows |= {k for k, v in enumerate(values(name)) if v and v == v and v not in plain}
    rows |= {k for k, agg in enumerate(values(c.AGGREGATION)) if agg == "weighted-mean"}
    return sorted(rows)


def _on_grid(m: cur.Measure) -> bool:
    """A §6 measure whose windows the month grid values for the whole page at
    once: monthly, no ``covers``, an aggregation the grid knows."""
    return m.frequency == "monthly" and m.covers is None and m.aggregation != "weighted-mean"


def _current_plans(inputs: Inputs, measures: dict, ids: list, period: date, grid, rows: np.ndarray,
                   aggs: np.ndarray, all_ids) -> dict:
    """k -> CurrentPlan for each measure that uses a §6 key. Monthly ones are
    valued on the month grid, one `grid.aggregate` per basis for the whole
    page; the others (quarterly, annual, irregular, ``covers``,
    weighted-mean) from their own figures over spans (engine/current.py).
    Significance for every comparison and baseline in one call.
    ``measures``: `_six_measures` of the rows asked about."""
    if not measures:
        return {}
    # benchmark series: their rows among inputs.indicators, by (benchmark slug, code)
    row_of = {}
    if any(m.benchmarks for m in measures.values()):
        row_of = {key: i for i, key in enumerate(zip(inputs.indicators[c.FORCE].tolist(),
                                                     inputs.indicators[c.CODE].tolist()))}
    bench_ids = {slug: {m.code: all_ids[row_of[(slug, m.code)]] for m in measures.values()
                        if (slug, m.code) in row_of} for slug in {s for m in measures.values() for s in m.benchmarks}}
    wanted = {ids[k] for k, m in measures.items() if not _on_grid(m) or m.baseline_label}
    wanted |= {i for m in measures.values() if not _on_grid(m) for slug in m.benchmarks
               for i in [bench_ids.get(slug, {}).get(m.code)] if i is not None}
    figures = _figures_by_id(inputs.observations, wanted)

    # monthly measures: each basis's two windows, aggregated on the grid for every row at once
    windows: dict = {}
    for m in measures.values():
        if _on_grid(m):
            basis = vocabulary.DEFAULT_COMPARISON["monthly"] if m.basis == "benchmark" else m.basis
            if basis not in windows:
                cw, pw = comparison(basis, period)
                ks = [k for k, other in measures.items() if _on_grid(other)]
                windows[basis] = (cw, pw, aggregate(grid, cw.first, cw.last, aggs, reasons_for=rows[ks]),
                                  aggregate(grid, pw.first, pw.last, aggs, reasons_for=rows[ks]))

    def grid_side(window: Window, values, row: int) -> cur.Side:
        value = _opt(values.value[row])
        return cur.Side(window, WindowValue(value, None if value is not None else values.reason[row],
                                            _opt(values.numerator[row]), _opt(values.denominator[row])),
                        illustrative=bool(grid.any_illustrative([row], window.first, window.last)[0]))

    out = {}
    for k, m in measures.items():
        figs, extras = figures.get(ids[k], ([], []))
        row = int(rows[k])
        if _on_grid(m):
            basis = vocabulary.DEFAULT_COMPARISON["monthly"] if m.basis == "benchmark" else m.basis
            cw, pw, cv, pv = windows[basis]
            current_side = grid_side(cw, cv, row)
            previous_side = None if m.basis == "benchmark" else grid_side(pw, pv, row)
            reason = None
            if previous_side is not None:
                _, kept, guarded = guard(cw, pw, m.rebase)
                if kept is None:
                    previous_side, reason = None, guarded
            change = change_pct = None
            if previous_side is not None:
                a, b = current_side.value.value, previous_side.value.value
                if a is not None and b is not None:
                    change = a - b
                    change_pct = None if b == 0 else 100.0 * change / b
                else:
                    reason = current_side.value.reason if a is None else previous_side.value.reason
            comparison_ = cur.Comparison(m.basis, current_side, previous_side, change, change_pct, reason)
        else:
            comparison_ = cur.compare(m, period, figs, extras)
        base = cur.baseline(m, period, figs, extras, comparison_)
        window = None if comparison_.current is None else comparison_.current.window
        own = None if comparison_.current is None else comparison_.current.value.value
        benchmarks = []
        for slug in m.benchmarks:
            bench_id = bench_ids.get(slug, {}).get(m.code)
            if bench_id is None or window is None:
                value = None
            elif _on_grid(m):
                value = _opt(windows[vocabulary.DEFAULT_COMPARISON["monthly"] if m.basis == "benchmark"
                                     else m.basis][2].value[row_of[(slug, m.code)]])
            else:
                value = cur.benchmark_value(m, window, figures.get(bench_id, ([], []))[0])
            difference = None if own is None or value is None else own - value
            benchmarks.append(BenchmarkReading(
                slug, value, difference, None if difference is None or not value else 100.0 * difference / value,
                cur.benchmark_rating(own, value, m.polarity)))
        if _on_grid(m):
            last = None
        else:
            held = [f.last for f in figs if f.last <= period and f.number() is not None]
            last = max(held) if held else None
        out[k] = CurrentPlan(m, comparison_, base, benchmarks, figs, extras, last=last)

    # significance of every comparison and baseline, in one call
    plans = list(out.values())
    pairs = [(p.measure, p.comparison.current, p.comparison.previous) for p in plans]
    pairs += [(p.measure, p.baseline.current, p.baseline.base) for p in plans if p.baseline is not None]
    results = cur.tests(pairs)
    for p, result in zip(plans, results):
        p.comparison = replace(p.comparison, significance=result)
    for p, result in zip([p for p in plans if p.baseline is not None], results[len(plans):]):
        p.baseline = replace(p.baseline, significance=result)
    spans = {k: p for k, p in out.items() if not _on_grid(p.measure)}
    if spans:
        _spc_of_figures(spans, period)
    return out


def _spc_of_figures(plans: dict, period: date) -> None:
    """SPC on each non-monthly measure's figures in order (SPEC §6), under the
    same 12-point minimum, one `spc_figures` call for them all (rows
    left-aligned); a rebase starts a new segment at the first figure ending
    on or after it. Sets each plan's ``spc`` and ``spc_illustrative``."""
    series = []
    for p in plans.values():
        pairs = sorted(((f, e) for f, e in zip(p.figures, p.extras) if f.last <= period),
                       key=lambda fe: (fe[0].last, fe[0].first))
        series.append(pairs)
    width = max(1, max(len(s) for s in series))
    values = np.full((len(series), width), np.nan)
    for i, pairs in enumerate(series):
        for j, (f, _) in enumerate(pairs):
            v = f.number()
            values[i, j] = np.nan if v is None else v
    cuts = [sorted({next((j for j, (f, _) in enumerate(pairs) if f.last >= month), len(pairs))
                    for month in p.measure.rebase}) for p, pairs in zip(plans.values(), series)]
    r = spc_figures(values, polarity=[p.measure.polarity for p in plans.values()],
                    rebase=cuts if any(cuts) else None)
    for i, (p, pairs) in enumerate(zip(plans.values(), series)):
        signals = []
        for j, (f, _) in enumerate(pairs):
            marked = tuple(rule for rule in RULES if r.marks[rule][i, j])
            if marked:
                signals.append(Signal(periods.format_month(f.last), marked))
        points = tuple((periods.format_month(f.last), float(values[i, j])) for j, (f, _) in enumerate(pairs)
                       if not np.isnan(values[i, j]))
        ends = (periods.format_month(pairs[0][0].last), periods.format_month(pairs[-1][0].last)) if pairs else (
            periods.format_month(period), periods.format_month(period))
        p.spc = build(
            SpcReading, mean=_opt(r.mean[i]), ucl=_opt(r.ucl[i]), lcl=_opt(r.lcl[i]), sigma=_opt(r.sigma[i]),
            variation=r.variation[i], assurance=r.assurance[i], signals=tuple(signals), reason=r.reason[i],
            rule=r.variation_rule[i], direction=r.variation_direction[i], upper_2sigma=_opt(r.upper_2sigma[i]),
            lower_2sigma=_opt(r.lower_2sigma[i]), points=points, baseline=ends)
        p.spc_illustrative = any(e.illustrative for _, e in pairs)


def _last_figures(grid, rows, plans: dict) -> list:
    """Per row, the last month of its latest figure with a value by the
    period (a monthly measure's latest month on the grid; a §6 measure's
    latest span end), None when there is none."""
    values = grid.value[rows]
    has = ~np.isnan(values)
    any_ = has.any(axis=1)
    last_col = values.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1)
    out = [periods.add_months(grid.start, int(col)) if ok else None for col, ok in zip(last_col.tolist(), any_.tolist())]
    for k, plan in plans.items():
        out[k] = plan.last
    return out


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
    ytd_span = (periods.format_month(r.ytd_window.first), periods.format_month(r.ytd_window.last),
                r.ytd_window.label())
    last_span = (periods.format_month(r.last_window.first), periods.format_month(r.last_window.last),
                 r.last_window.label())
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
        plan = r.current.get(k)
        six = _six(r, k, m, plan, ytd[k], last[k], change[k], change_pct[k],
                   r.ytd.reason[row] if ytd[k] is None else None, r.last.reason[row] if last[k] is None else None,
                   ytd_span, last_span)
        if plan is not None and plan.spc is not None:
            spc = plan.spc
        ytd_k, last_k, change_k, change_pct_k = ytd[k], last[k], change[k], change_pct[k]
        r12_k, pr12_k, r12_change_k, r12_change_pct_k = r12[k], pr12[k], r12_change[k], r12_change_pct[k]
        fly_k, projected_k, fy_target_k, gap_k = fly[k], projected[k], fy_target[k], gap[k]
        ytd_reason = None if ytd_k is not None else r.ytd.reason[row]
        spans_only = plan is not None and (plan.measure.frequency != "monthly" or plan.measure.covers is not None)
        if spans_only:
            # a figure over a span is never added up as months: no window of months, however its
            # aggregation would treat a month grid (a "latest" year-ending figure would pass as a YTD)
            ytd_k = last_k = change_k = change_pct_k = None
            r12_k = pr12_k = r12_change_k = r12_change_pct_k = fly_k = projected_k = fy_target_k = gap_k = None
            what = (f"{_article(plan.measure.frequency)} {plan.measure.frequency} measure"
                    if plan.measure.frequency != "monthly" else "A measure of year-ending figures")
            ytd_reason = (f"{what}: its figures are compared span by span "
                          f"({six['compare'].basis}), not added up as months of a year to date")
        results.append(build(
            IndicatorResult,
            id=indicator_id, force=m[c.FORCE], indicator=m[c.CODE], name=m[c.NAME],
            period=period_label, financial_year=fy,
            unit=m[c.UNIT], aggregation=m[c.AGGREGATION], polarity=m[c.POLARITY], decimals=int(m[c.DECIMALS]),
            headline=bool(m.get(c.HEADLINE, False)),
            ytd=ytd_k, ytd_reason=ytd_reason,
            last_ytd=last_k, last_ytd_reason=None if last_k is not None else (ytd_reason if spans_only
                                                                                else r.last.reason[row]),
            change=change_k, change_pct=change_pct_k,
            rolling_12=r12_k, rolling_12_reason=None if r12_k is not None else (
                ytd_reason if spans_only else r.rolling_12.reason[row]),
            full_last_year=fly_k, projected_outturn=projected_k,
            target=None if kind is None else TargetReading(kind, target[k], r.wording[k] or "", tolerance[k],
                                                           r.due[k]),
            rag=r.rag[k], rag_source=r.rag_source[k], computed_rag=r.computed_rag[k],
            assessment=r.assessment[k],
            significance=Significance(**r.significance[k]),
            spc=spc,
            msg_comparison=r.msg_comparison[k],
            rating=r.rating[k],
            monthly=tuple(monthly_rows.get(indicator_id, ())) if monthly else None,
            change_pts=change_k if m[c.UNIT] == "percent" else None,
            previous_rolling_12=pr12_k,
            previous_rolling_12_reason=None if pr12_k is not None else (
                ytd_reason if spans_only else r.previous_rolling_12.reason[row]),
            rolling_12_change=r12_change_k, rolling_12_change_pct=r12_change_pct_k,
            full_year_target=fy_target_k, projected_vs_target=gap_k,
            projected_rag=None if spans_only else r.projected_rag[k],
            illustrative=r.illustrative[k],
            **six,
        ))
    return results


def _article(word: str) -> str:
    return "An" if word[:1] in "aeiou" else "A"


def _window_reading(window: Window, value: float | None, reason: str | None = None,
                    numerator=None, denominator=None, lower=None, upper=None) -> WindowReading:
    return WindowReading(periods.format_month(window.first), periods.format_month(window.last), window.label(),
                         value, reason, numerator, denominator, lower, upper)


def _side_reading(side: cur.Side | None) -> WindowReading | None:
    if side is None:
        return None
    v = side.value
    return _window_reading(side.window, v.value, v.reason, v.numerator, v.denominator, side.lower, side.upper)


def _six(r: Computed, k: int, m: dict, plan: CurrentPlan | None, ytd, last, change, change_pct, ytd_reason,
         last_reason, ytd_span: tuple, last_span: tuple) -> dict:
    """The SPEC §6 fields of one result: its comparison (YTD against last
    YTD for a 2013-style measure), span, stale mark, baseline, benchmarks,
    the measure it replaces and its headline figure as readers see it."""
    frequency = m.get(c.FREQUENCY) or "monthly"
    if plan is None:
        # (built as `build` builds a result: a frozen dataclass's __init__ is most of the cost here, and the
        # national home page makes these for every headline measure)
        current = build(WindowReading, first=ytd_span[0], last=ytd_span[1], label=ytd_span[2], value=ytd,
                        reason=ytd_reason, numerator=None, denominator=None, lower=None, upper=None)
        previous = build(WindowReading, first=last_span[0], last=last_span[1], label=last_span[2], value=last,
                         reason=last_reason, numerator=None, denominator=None, lower=None, upper=None)
        reason = None if change is not None else (ytd_reason or last_reason)
        compare = build(CompareReading, basis="ytd", current=current, previous=previous, change=change,
                        change_pct=change_pct, reason=reason)
        baseline, benchmarks = None, ()
    else:
        cmp = plan.comparison
        current = _side_reading(cmp.current)
        if current is None and plan.measure.frequency != "monthly":
            # no figure yet: shown against the span due by the period, not the months of the year to date
            due = due_span(r.period, plan.measure.frequency, plan.measure.covers)
            current = _window_reading(due, None, cmp.reason)
        current = current or WindowReading(*ytd_span, None, cmp.reason)
        compare = CompareReading(cmp.basis, current, _side_reading(cmp.previous), cmp.change, cmp.change_pct,
                                 cmp.reason)
        baseline = None
        if plan.baseline is not None:
            b = plan.baseline
            baseline = BaselineReading(
                b.label, None if b.window is None else periods.format_month(b.window.first),
                None if b.window is None else periods.format_month(b.window.last), b.value, b.change,
                b.change_pct, Significance(**b.significance), b.reason)
        benchmarks = tuple(plan.benchmarks)
    replaces = None
    code = m.get(c.REPLACES)
    if isinstance(code, str) and code:
        first = m.get(c.REPLACES_FROM)
        replaces = ReplacesReading(code, periods.format_month(first) if isinstance(first, date) else None,
                                   str(m.get(c.REPLACES_NOTE) or ""))
    unit = m[c.UNIT]
    scale = _opt(m.get(c.SCALE))
    of = None
    if unit == "rank" and plan is not None and cmp.current is not None:
        held = [f for f in plan.figures if f.last == cmp.current.window.last and f.number() is not None]
        of = held[-1].denominator if held else None
    lag = m.get(c.LAG)
    lag = int(lag) if isinstance(lag, (int, float)) and lag == lag else 0
    return {
        "frequency": frequency, "span": current, "compare": compare, "baseline": baseline,
        "benchmarks": benchmarks, "replaces": replaces, "scale": scale,
        "stale": cur.is_stale(frequency, lag, r.last_figure[k], r.period),
        "display": display(current.value, unit, int(m[c.DECIMALS]), scale, of),
    }


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
        none = [None] * len(frame)
        flags = frame[c.ILLUSTRATIVE] if c.ILLUSTRATIVE in frame else [False] * len(frame)
        rows = zip(frame[c.INDICATOR_ID], frame[c.MONTH], frame[c.VALUE], frame[c.NUMERATOR],
                   frame[c.DENOMINATOR], frame[c.STATUS], flags,
                   *(frame[name] if name in frame else none for name in (c.FIRST_MONTH, c.LOWER, c.UPPER)))
    out: dict = {}
    for ind_id, month, value, num, den, status, flag, first, lower, upper in rows:
        value, num, den = _opt(value), _opt(num), _opt(den)
        if value is None and status != "unavailable" and num is not None and den:
            value = 100.0 * num / den
        first = periods.format_month(first) if isinstance(first, date) and first != month else None
        out.setdefault(ind_id, []).append(MonthlyFigure(periods.format_month(month), value, num, den, status,
                                                        flag is True or flag == True,  # noqa: E712
                                                        first, _opt(lower), _opt(upper)))
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
    extra = [observations[name].to_numpy()[order].tolist() if name in observations else [None] * len(order)
             for name in (c.FIRST_MONTH, c.LOWER, c.UPPER)]
    return zip(*columns, flags, *extra)
