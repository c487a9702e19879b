"""SPEC §6 for one measure: its comparison (a pair of windows chosen by its
``compare`` key), its fixed baseline, its benchmarks, the span its figures
are for, whether that span is stale, and SPC on its own figures.

`engine.performance.compute` does the arithmetic of every 2013-style measure
(monthly, year to date, no baseline, no benchmark) for all rows at once on
its month grid; a measure that uses a §6 key comes here, one measure at a
time, from its figures (`spans.Figure`, each over a span of months). The
headline numbers this gives (current and previous window values, with the
numerators and denominators a significance test needs) are put back into
`compute`'s arrays, so targets, RAG, significance and ratings are made on
the comparison by the same vectorised code for every measure.

Pure: numpy, no Django, no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from indicators import periods, vocabulary
from indicators.engine.significance import significance
from indicators.engine.spans import Figure, WindowValue, window_value
from indicators.engine.windows import Window, comparison, comparison_of_spans, guard

_EMPTY = (None, "", [], ())


@dataclass(frozen=True)
class Measure:
    """The §6 keys of one indicator, as the engine reads them (Nones and
    empty lists where the plan says nothing)."""
    code: str
    unit: str
    aggregation: str
    polarity: str
    frequency: str = "monthly"
    compare: str = ""
    covers: int | None = None
    lag: int = 0
    baseline_label: str = ""
    baseline_from: date | None = None
    baseline_to: date | None = None
    baseline_value: float | None = None
    benchmarks: tuple[str, ...] = ()
    rebase: tuple[date, ...] = ()

    @property
    def basis(self) -> str:
        return self.compare or vocabulary.DEFAULT_COMPARISON[self.frequency]

    @property
    def plain(self) -> bool:
        """A 2013-style measure: monthly, year to date, no baseline, no
        benchmark, no rebase, an aggregation the month grid knows. Its
        comparison is `compute`'s YTD against last YTD, as before."""
        return (self.frequency == "monthly" and self.basis == "ytd" and not self.baseline_label
                and not self.benchmarks and not self.rebase and self.aggregation != "weighted-mean"
                and self.covers is None)


def _opt(x) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _month(x) -> date | None:
    """A date on the 1st from a date or "YYYY-MM"; None otherwise."""
    if x in _EMPTY or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, date):
        return x.replace(day=1)
    return periods.parse_month(str(x))


def measure_of(row: dict) -> Measure:
    """A `Measure` from one row of the indicators frame (columns.py names;
    the §6 columns are optional)."""
    def get(name, default=None):
        value = row.get(name, default)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return default
        return value
    covers = get("covers")
    return Measure(
        code=row["code"], unit=row["unit"], aggregation=row["aggregation"], polarity=row["polarity"],
        frequency=get("frequency", "monthly") or "monthly", compare=get("compare", "") or "",
        covers=None if covers in (None, "") else int(covers), lag=int(get("lag", 0) or 0),
        baseline_label=get("baseline_label", "") or "",
        baseline_from=_month(get("baseline_from")), baseline_to=_month(get("baseline_to")),
        baseline_value=_opt(get("baseline_value")),
        benchmarks=tuple(get("benchmarks", ()) or ()),
        rebase=tuple(m for m in (_month(x) for x in (get("rebase", ()) or ())) if m is not None),
    )


@dataclass(frozen=True)
class FigureExtra:
    """What a figure carries besides `spans.Figure`: its survey interval and
    whether it was generated for the demo."""
    lower: float | None = None
    upper: float | None = None
    illustrative: bool = False


@dataclass(frozen=True)
class Side:
    """One window of a comparison and its value."""
    window: Window
    value: WindowValue
    lower: float | None = None       # the interval of the one survey figure the value is, if any
    upper: float | None = None
    illustrative: bool = False


@dataclass(frozen=True)
class Comparison:
    basis: str
    current: Side | None
    previous: Side | None
    change: float | None
    change_pct: float | None
    reason: str | None
    significance: dict | None = None   # {"test", "p_value", "result"}: `tests`, for every measure at once


@dataclass(frozen=True)
class BaselineComparison:
    label: str
    window: Window | None          # None: a published value whose months are not held
    value: float | None
    current: Side | None
    change: float | None
    change_pct: float | None
    base: Side | None              # the baseline as a side of the comparison (the `tests` input)
    reason: str | None
    significance: dict | None = None


NOT_TESTED = {"test": None, "p_value": None, "result": "not-tested"}


def _side(figures: Sequence[Figure], extras: Sequence[FigureExtra], window: Window | None,
          aggregation: str, covers: int | None) -> Side | None:
    if window is None:
        return None
    value = window_value(figures, window, aggregation, covers)
    if value.value is None and len(window) > 1 and (covers is not None or any(f.first != f.last for f in figures)) \
            and not any(f.first <= window.last and window.first <= f.last for f in figures):
        # a measure over spans with nothing filed for any month of the window: the window by its own name
        # ("No figure for Q2 2023/24"), not by its first month as a month grid would say it
        value = replace(value, reason=f"No figure for {window.label()}")
    inside = [(f, e) for f, e in zip(figures, extras) if window.first <= f.first and f.last <= window.last]
    if covers is not None:
        inside = [(f, e) for f, e in inside if f.first == window.first and f.last == window.last]
    illustrative = any(e.illustrative for _, e in inside)
    # a value that is one figure carries that figure's published interval
    held = [(f, e) for f, e in inside if f.number() is not None]
    lower = upper = None
    if value.value is not None and (len(held) == 1 or aggregation == "latest") and held:
        figure, extra = held[-1]
        lower, upper = extra.lower, extra.upper
        if value.numerator is None and figure.fraction() is not None:
            # a percent survey figure with its respondents: the two-proportion test needs them
            value = replace(value, numerator=figure.fraction()[0], denominator=figure.fraction()[1])
        elif value.denominator is None and figure.numerator is None and figure.denominator is not None:
            # a rank's N (SPEC §6 units: a denominator and no numerator): "27th of 43" on either side
            value = replace(value, denominator=float(figure.denominator))
    return Side(window, value, lower, upper, illustrative)


def _pct(change: float | None, base: float | None) -> float | None:
    if change is None or base is None or base == 0:
        return None
    return 100.0 * change / base


def _direction(current: float, previous: float, polarity: str) -> str:
    if polarity == "neutral":
        return "significant-change"
    return "improvement" if (current > previous) == (polarity == "up") else "deterioration"


def tests(pairs: Sequence[tuple[Measure, Side | None, Side | None]]) -> list[dict]:
    """The significance of each (measure, current, previous) pair (SPEC §3,
    §6), all at once: counts by the exact binomial test and ratios by the
    two-proportion test (`significance.significance`, as for YTD), a percent
    survey figure with its respondents as numerator and denominator as a
    ratio, and survey figures with published 95% intervals by whether the
    intervals overlap."""
    if not pairs:
        return []
    n = len(pairs)
    cols = {name: np.full(n, np.nan) for name in ("a", "b", "an", "ad", "bn", "bd")}
    aggregation, unit, polarity = [], [], []
    for i, (m, current, previous) in enumerate(pairs):
        agg = m.aggregation
        if current is not None and previous is not None:
            for side, v, num, den in ((current, "a", "an", "ad"), (previous, "b", "bn", "bd")):
                value = side.value
                cols[v][i] = np.nan if value.value is None else value.value
                cols[num][i] = np.nan if value.numerator is None else value.numerator
                cols[den][i] = np.nan if value.denominator is None else value.denominator
            if (m.unit == "percent" and agg != "ratio" and current.value.numerator is not None
                    and previous.value.numerator is not None):
                agg = "ratio"
        aggregation.append(agg)
        unit.append(m.unit)
        polarity.append(m.polarity)
    out = significance(aggregation=np.array(aggregation, dtype=object), unit=np.array(unit, dtype=object),
                       polarity=np.array(polarity, dtype=object), ytd=cols["a"], last_ytd=cols["b"],
                       ytd_num=cols["an"], ytd_den=cols["ad"], last_num=cols["bn"], last_den=cols["bd"])
    for i, (m, current, previous) in enumerate(pairs):
        if out[i]["test"] is None and current is not None and previous is not None:
            out[i] = _interval_test(m, current, previous)
    return out


def _interval_test(measure: Measure, current: Side, previous: Side) -> dict:
    """Two survey figures with published 95% intervals differ significantly
    when the intervals do not overlap (SPEC §6)."""
    a, b = current.value.value, previous.value.value
    if a is None or b is None or None in (current.lower, current.upper, previous.lower, previous.upper):
        return NOT_TESTED
    apart = current.lower > previous.upper or previous.lower > current.upper
    return {"test": "interval-overlap", "p_value": None,
            "result": _direction(a, b, measure.polarity) if apart else "no-significant-change"}


def windows_of(measure: Measure, period: date, figures: Sequence[Figure]) -> tuple[Window | None, Window | None,
                                                                                   str | None]:
    """The current and previous windows of the measure's basis at
    ``period``, kept off its rebases (`windows.guard`), and why there is no
    previous window, in words."""
    basis = measure.basis
    if basis == "benchmark":
        basis = vocabulary.DEFAULT_COMPARISON[measure.frequency]
        current, _ = _pair(measure, basis, period, figures)
        return current, None, None
    current, previous = _pair(measure, basis, period, figures)
    if current is None:
        return None, None, "No figure yet"
    reason = None
    if previous is None:
        reason = "No earlier figure to compare with"
    current, previous, guarded = guard(current, previous, measure.rebase)
    return current, previous, guarded or reason


def _pair(measure: Measure, basis: str, period: date, figures: Sequence[Figure]):
    if measure.frequency == "monthly" and measure.covers is None:
        return comparison(basis, period, "monthly")
    spans = [f.span for f in figures if f.value is not None or f.numerator is not None
             or f.status == "unavailable"]
    return comparison_of_spans(basis, period, spans, measure.frequency, measure.covers)


def compare(measure: Measure, period: date, figures: Sequence[Figure],
            extras: Sequence[FigureExtra]) -> Comparison:
    """The measure's headline comparison at ``period`` (SPEC §6 Comparison)."""
    current_w, previous_w, reason = windows_of(measure, period, figures)
    current = _side(figures, extras, current_w, measure.aggregation, measure.covers)
    previous = _side(figures, extras, previous_w, measure.aggregation, measure.covers)
    change = change_pct = None
    if current is not None and previous is not None:
        a, b = current.value.value, previous.value.value
        if a is not None and b is not None:
            change = a - b
            change_pct = _pct(change, b)
        elif reason is None:
            reason = (current.value.reason if a is None else previous.value.reason)
    return Comparison(measure.basis, current, previous, change, change_pct, reason)


def baseline(measure: Measure, period: date, figures: Sequence[Figure], extras: Sequence[FigureExtra],
             comparison_: Comparison) -> BaselineComparison | None:
    """The current window against the fixed baseline (SPEC §6 Baseline):
    the rolling 12 months for a monthly `sum` measure, the latest figure
    otherwise; the baseline aggregated from the held figures, or the value
    published."""
    if not measure.baseline_label:
        return None
    if measure.frequency == "monthly" and measure.aggregation == "sum" and measure.covers is None:
        current = _side(figures, extras, Window.ending(period, 12), measure.aggregation, None)
    elif measure.frequency == "monthly" and measure.covers is None:
        current = _side(figures, extras, Window(period, period), measure.aggregation, None)
    else:
        current = comparison_.current
    window = None
    if measure.baseline_value is not None:
        base = Side(Window(period, period), WindowValue(measure.baseline_value))
        value = measure.baseline_value
        reason = None
    elif measure.baseline_from is not None and measure.baseline_to is not None:
        window = Window(measure.baseline_from, measure.baseline_to)
        base = _side(figures, extras, window, measure.aggregation, measure.covers)
        value, reason = base.value.value, base.value.reason
    else:
        return BaselineComparison(measure.baseline_label, None, None, current, None, None, None,
                                  "The baseline has neither months nor a published value")
    change = change_pct = None
    now = None if current is None else current.value.value
    if now is not None and value is not None:
        change = now - value
        change_pct = _pct(change, value)
    elif reason is None:
        reason = "No figure for the current window" if current is None else current.value.reason
    return BaselineComparison(measure.baseline_label, window, value, current, change, change_pct,
                              base if value is not None else None, reason)


def benchmark_rating(own: float | None, bench: float | None, polarity: str, tolerance: float = 5.0) -> str | None:
    """``better``, ``similar`` (within ``tolerance`` % of the benchmark) or
    ``worse`` by the measure's polarity (SPEC §6 Benchmarks); None for a
    neutral measure or a missing value."""
    if own is None or bench is None or polarity not in ("up", "down"):
        return None
    difference = own - bench
    scale = abs(bench) if bench else 1.0
    if abs(difference) / scale * 100 <= tolerance + 1e-9:
        return "similar"
    return "better" if (difference > 0) == (polarity == "up") else "worse"


def benchmark_value(measure: Measure, window: Window | None, figures: Sequence[Figure]) -> float | None:
    """A benchmark series' value for the measure's current window."""
    if window is None:
        return None
    return window_value(figures, window, measure.aggregation, measure.covers).value


def is_stale(frequency: str, lag: int, last: date | None, period: date) -> bool:
    """SPEC §6: a figure is stale when its span ended more than two of its own
    periods before the page's period (a measure with ``lag`` N: N months
    later). No figure at all is not "stale": there is nothing to mark."""
    if last is None:
        return False
    return periods.months_between(last, period) > vocabulary.STALE_AFTER_MONTHS[frequency] + (lag or 0)


def figures_in_order(figures: Sequence[Figure], period: date) -> list[Figure]:
    """The figures whose span ends by ``period``, by span end: the points of
    SPC on a non-monthly measure (SPEC §6: its figures in order)."""
    return sorted((f for f in figures if f.last <= period), key=lambda f: (f.last, f.first))
