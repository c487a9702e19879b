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
from dataclasses import dataclass
from datetime import date

import numpy as np

from indicators import periods, vocabulary
from indicators.engine.significance import ALPHA, binomial_p_values, two_proportion_p_values
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
    significance: dict             # {"test", "p_value", "result"}


@dataclass(frozen=True)
class BaselineComparison:
    label: str
    window: Window | None          # None: a published value whose months are not held
    value: float | None
    current: Side | None
    change: float | None
    change_pct: float | None
    significance: dict
    reason: str | None


NOT_TESTED = {"test": None, "p_value": None, "result": "not-tested"}


def _side(figures: Sequence[Figure], extras: Sequence[FigureExtra], window: Window | None,
          aggregation: str, covers: int | None) -> Side | None:
    if window is None:
        return None
    value = window_value(figures, window, aggregation, covers)
    inside = [(f, e) for f, e in zip(figures, extras) if window.first <= f.first and f.last <= window.last]
    if covers is not None:
        inside = [(f, e) for f, e in inside if f.first == window.first and f.last == window.last]
    illustrative = any(e.illustrative for _, e in inside)
    # a value that is one figure carries that figure's published interval
    held = [(f, e) for f, e in inside if f.number() is not None]
    lower = upper = None
    if value.value is not None and (len(held) == 1 or aggregation == "latest") and held:
        lower, upper = held[-1][1].lower, held[-1][1].upper
    return Side(window, value, lower, upper, illustrative)


def _pct(change: float | None, base: float | None) -> float | None:
    if change is None or base is None or base == 0:
        return None
    return 100.0 * change / base


def _direction(current: float, previous: float, polarity: str) -> str:
    if polarity == "neutral":
        return "significant-change"
    return "improvement" if (current > previous) == (polarity == "up") else "deterioration"


def test(measure: Measure, current: Side | None, previous: Side | None) -> dict:
    """The significance of a comparison (SPEC §3, §6): counts by the exact
    binomial test, ratios (and percent survey figures with respondents as
    numerator and denominator) by the two-proportion test, survey figures
    with published 95% intervals by whether the intervals overlap."""
    if current is None or previous is None:
        return NOT_TESTED
    a, b = current.value, previous.value
    if a.value is None or b.value is None:
        return NOT_TESTED
    if measure.unit == "count" and measure.aggregation == "sum":
        if a.value < 0 or b.value < 0 or a.value + b.value <= 0:
            return NOT_TESTED
        p = float(binomial_p_values(np.array([a.value]), np.array([b.value]))[0])
    elif measure.aggregation == "ratio" or (measure.unit == "percent" and a.numerator is not None
                                             and b.numerator is not None):
        if not (a.denominator and b.denominator):
            return NOT_TESTED
        p = float(two_proportion_p_values([a.numerator], [a.denominator], [b.numerator], [b.denominator])[0])
    elif None not in (current.lower, current.upper, previous.lower, previous.upper):
        apart = current.lower > previous.upper or previous.lower > current.upper
        return {"test": "interval-overlap", "p_value": None,
                "result": _direction(a.value, b.value, measure.polarity) if apart else "no-significant-change"}
    else:
        return NOT_TESTED
    if math.isnan(p):
        return NOT_TESTED
    if not p < ALPHA:
        return {"test": "binomial" if measure.aggregation == "sum" else "two-proportion", "p_value": p,
                "result": "no-significant-change"}
    return {"test": "binomial" if measure.aggregation == "sum" else "two-proportion", "p_value": p,
            "result": _direction(a.value, b.value, measure.polarity)}


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
    return Comparison(measure.basis, current, previous, change, change_pct, reason,
                      test(measure, current, previous))


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
        return BaselineComparison(measure.baseline_label, None, None, current, None, None, NOT_TESTED,
                                  "The baseline has neither months nor a published value")
    change = change_pct = None
    now = None if current is None else current.value.value
    if now is not None and value is not None:
        change = now - value
        change_pct = _pct(change, value)
    elif reason is None:
        reason = "No figure for the current window" if current is None else current.value.reason
    sig = test(measure, current, base) if value is not None else NOT_TESTED
    return BaselineComparison(measure.baseline_label, window, value, current, change, change_pct, sig, reason)


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
