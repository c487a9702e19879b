"""One measure's figures, each over a span of months, aggregated over a
window (SPEC §3 aggregation table, SPEC §6 Frequency and ``covers``).

`window_value(figures, window, aggregation, covers)` is the per-measure,
span-aware twin of `grid.aggregate` (which aggregates monthly figures of
every indicator at once on a `MonthGrid`): for monthly figures the two give
the same value and the same reason in words (tests/engine/test_spans.py
checks it on random series). Pure Python, no Django.

Rules, besides §3's table:
- a figure counts only when its whole span lies in the window; a figure
  partly outside leaves its months in the window uncovered;
- ``sum``, ``ratio`` and ``weighted-mean`` need every month of the window
  covered by figures that count; ``mean`` and ``latest`` need one figure;
- each figure counts once, however many months it covers (a quarter's
  numerator is added once, not three times);
- figures never overlap unless the measure sets ``covers``; with
  ``covers`` (overlapping year-ending figures) a window's value is the one
  figure whose span equals the window, or none: two overlapping figures are
  never added;
- ``weighted-mean`` = Σ numerator / Σ denominator (not × 100), needing
  numerator and denominator for every month, as ``ratio`` does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from indicators import periods
from indicators.engine.windows import Span, Window, span_label

# vocabulary.AGGREGATIONS plus SPEC §6's weighted-mean (not yet in the vocabulary: the model's choices
# would need a migration; the integration adds it there)
AGGREGATIONS = ("sum", "ratio", "mean", "latest", "weighted-mean")
_COMPLETE = ("sum", "ratio", "weighted-mean")       # need every month of the window
_FRACTIONS = ("ratio", "weighted-mean")             # Σ numerator / Σ denominator


def _number(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class Figure:
    """One figure of a measure: its span (``first``..``last``), value,
    numerator, denominator (ratio and weighted-mean measures; a rank's N),
    status (final, provisional, unavailable) and note (why unavailable).
    A monthly figure has ``first == last``."""
    first: date
    last: date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    status: str = "final"
    note: str = ""

    @classmethod
    def monthly(cls, month: date, value=None, numerator=None, denominator=None, status="final", note=""):
        return cls(month, month, value, numerator, denominator, status, note)

    @property
    def span(self) -> Span:
        return Span(self.first, self.last)

    @property
    def unavailable(self) -> bool:
        return self.status == "unavailable"

    def number(self) -> float | None:
        """The figure's value; a ratio figure filed only as numerator and
        denominator gets 100 · n / d, as `grid.build_grid` gives it. None
        when unavailable."""
        if self.unavailable:
            return None
        value = _number(self.value)
        if value is None:
            num, den = _number(self.numerator), _number(self.denominator)
            if num is not None and den is not None and den > 0:
                return 100.0 * num / den
        return value

    def fraction(self) -> tuple[float, float] | None:
        """(numerator, denominator), or None when either is missing or unavailable."""
        if self.unavailable:
            return None
        num, den = _number(self.numerator), _number(self.denominator)
        return None if num is None or den is None else (num, den)

    def _label(self) -> str:
        # a month as grid.aggregate's reasons name it ("June 2014"); a longer span by its label
        if self.first == self.last:
            return periods.month_label(self.first)
        return span_label(self.first, self.last)


@dataclass(frozen=True)
class WindowValue:
    """A window's value; ``reason`` says in words why it is None. Numerator
    and denominator are the sums a ``ratio`` or ``weighted-mean`` value
    rests on (the significance test needs them), else None; ``figures``:
    how many figures the value rests on."""
    value: float | None
    reason: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    figures: int = 0


def window_value(figures: Iterable[Figure], window: Window, aggregation: str,
                 covers: int | None = None) -> WindowValue:
    """The value of ``aggregation`` over ``window`` from one measure's
    ``figures`` (any order; figures outside the window are ignored), or None
    with the reason in words (as `grid.aggregate` words it: "June 2014 not
    yet available", "May 2013 unavailable: System migration", "The
    denominator adds up to zero")."""
    if aggregation not in AGGREGATIONS:
        return WindowValue(None, f"Unknown aggregation {aggregation!r}")
    touching = [f for f in figures if f.first <= window.last and window.first <= f.last]
    if covers is not None:
        inside = [f for f in touching if f.first == window.first and f.last == window.last]
        if not inside and len(window) != covers:
            return WindowValue(None, f"No one figure covers {window.label()}: figures of {covers} months "
                                     "overlap and are never added together")
        if not inside:
            return WindowValue(None, f"{window.label()} not yet available")
        touching = inside       # the other, overlapping figures play no part
    else:
        inside = [f for f in touching if window.first <= f.first and f.last <= window.last]
    inside.sort(key=lambda f: (f.last, f.first))
    clash = _overlap(inside)
    if clash:
        return WindowValue(None, clash)

    if aggregation in ("mean", "latest"):
        values = [(f, f.number()) for f in inside]
        values = [(f, v) for f, v in values if v is not None]
        if values:
            if aggregation == "latest":
                return WindowValue(values[-1][1], figures=1)
            return WindowValue(sum(v for _, v in values) / len(values), figures=len(values))
        gone = [f for f in inside if f.unavailable]
        if gone:
            return WindowValue(None, _describe(gone[0], len(gone) - 1))
        return WindowValue(None, f"No data for {_months(window)}")

    fractions = aggregation in _FRACTIONS
    good = [f for f in inside if (f.fraction() if fractions else f.number()) is not None]
    bad = _gaps(window, good, touching, inside)
    if bad:
        first, more = bad
        return WindowValue(None, first + _tail(more))
    if not fractions:
        return WindowValue(sum(f.number() for f in good), figures=len(good))
    num = sum(f.fraction()[0] for f in good)
    den = sum(f.fraction()[1] for f in good)
    if not den > 0:
        return WindowValue(None, "The denominator adds up to zero")
    value = num / den * (100.0 if aggregation == "ratio" else 1.0)
    return WindowValue(value, numerator=num, denominator=den, figures=len(good))


def _overlap(inside: list[Figure]) -> str | None:
    """Figures that would be added twice (spans never overlap unless the
    measure sets ``covers``, and then only the figure equal to the window
    is taken): the clash in words, else None."""
    for a, b in zip(inside, inside[1:]):
        if b.first <= a.last:
            return (f"{a._label()} and {b._label()} overlap: a window never adds two overlapping figures")
    return None


def _gaps(window: Window, good: list[Figure], touching: list[Figure], inside: list[Figure]):
    """The months of ``window`` not covered by a ``good`` figure, as (the
    first gap in words, how many more months are missing besides those it
    names); None when every month is covered. A gap is named by what covers
    it: an unavailable figure (with its note), a figure with no value, a
    figure partly outside the window, or nothing ("not yet available")."""
    covered = set()
    for f in good:
        covered.update(periods.month_range(f.first, f.last))
    missing = [m for m in window.months if m not in covered]
    if not missing:
        return None
    month = missing[0]
    holder = next((f for f in touching if f.first <= month <= f.last), None)
    if holder is None:
        first = f"{periods.month_label(month)} not yet available"
    elif holder not in inside:
        first = f"{span_label(holder.first, holder.last)} lies partly outside {window.label()}"
    elif holder.unavailable:
        first = _describe(holder, 0)
    else:
        first = f"{holder._label()} has no figure"
    # the months the first gap's words already name (a whole quarter, say) are not counted again
    named = 1 if holder is None else sum(1 for m in missing if holder.first <= m <= holder.last)
    return first, len(missing) - named


def _describe(figure: Figure, more: int) -> str:
    note = str(figure.note or "")
    return f"{figure._label()} unavailable{': ' + note if note else ''}{_tail(more)}"


def _tail(more: int) -> str:
    return f" (and {more} more month{'s' if more > 1 else ''})" if more else ""


def _months(window: Window) -> str:
    if window.first == window.last:
        return periods.month_label(window.first)
    return f"{periods.month_label(window.first)} to {periods.month_label(window.last)}"
