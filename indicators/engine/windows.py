"""A comparison is a pair of windows (SPEC §6 "Comparison"; STYLE §12).

A `Window` is a run of whole months, ``first`` to ``last`` inclusive. A
measure's headline change compares a current window with a previous one;
`comparison(basis, period, frequency, covers)` picks the pair from the
measure's ``compare`` key, and everything after it (aggregation, change,
significance, targets, ratings) takes windows and never asks which basis made
them. YTD vs last YTD is one basis among several.

Each basis is one small function below (``_ytd``, ``_rolling_12`` …),
registered in `BASIS_FUNCTIONS`, with its own golden tests in
``tests/engine/test_basis_<name>.py``. A `Span` is the months one figure of a
non-monthly measure covers; `comparison_of_spans` picks the pair from the
figures held where the calendar cannot (irregular survey waves, the latest
quarter actually filed). `clip` and `guard` keep windows and comparisons off
a definition change or an SPC rebase (see docs/architecture.md, "Comparisons:
a pair of windows").

Pure Python (dates only): nothing here imports Django, pandas or numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from indicators import periods

FREQUENCIES = ("monthly", "quarterly", "annual", "irregular")
# the bases made of windows; `benchmark` compares two series over one window (see `comparison`)
BASES_OF_WINDOWS = ("ytd", "rolling-12", "rolling-3", "previous", "sequential")
BASES = (*BASES_OF_WINDOWS, "benchmark")
DEFAULT_BASIS = {"monthly": "ytd", "quarterly": "previous", "annual": "previous", "irregular": "previous"}
# A figure's length in months when the return row gives no `from` (SPEC §6 Frequency).
_LENGTH = {"monthly": 1, "quarterly": 3, "annual": 12}
_SHORT = [name[:3] for name in periods.MONTH_NAMES]


def short_month(month: date) -> str:
    """``date(2022, 11, 1)`` -> ``"Nov 2022"``, as span labels print a month."""
    return f"{_SHORT[month.month - 1]} {month.year}"


def span_label(first: date, last: date) -> str:
    """The words for the months ``first``..``last`` (SPEC §6 "The period a
    figure is for"): a financial year ``2024/25``; a quarter ``Q2 2024/25``;
    one month ``Nov 2022``; any other 12 months ``rolling year to Nov 2022``;
    anything else ``Nov 2021 – Apr 2022``."""
    n = periods.months_between(first, last) + 1
    if n == 1:
        return short_month(first)
    if n == 12 and first.month == 4:
        return periods.fy_label(first.year)
    if n == 3 and first.month in (1, 4, 7, 10):
        return f"Q{periods.quarter_number(first)} {periods.financial_year(first)}"
    if n == 12:
        return f"rolling year to {short_month(last)}"
    return f"{short_month(first)} – {short_month(last)}"


@dataclass(frozen=True, eq=False)
class Window:
    """The months ``first`` to ``last``, both included (dates on the 1st).
    Equal to any Window (or Span) of the same months."""
    first: date
    last: date

    def __eq__(self, other):
        if not isinstance(other, Window):
            return NotImplemented
        return (self.first, self.last) == (other.first, other.last)

    def __hash__(self):
        return hash((self.first, self.last))

    def __post_init__(self):
        for name in ("first", "last"):
            day = getattr(self, name)
            if not isinstance(day, date) or day.day != 1:
                raise ValueError(f"a window's {name} month must be a date on the 1st, not {day!r}")
        if self.last < self.first:
            raise ValueError(f"a window cannot end ({self.last:%Y-%m}) before it starts ({self.first:%Y-%m})")

    @classmethod
    def ending(cls, last: date, length: int) -> Window:
        """The ``length`` months ending at ``last``."""
        return cls(periods.add_months(last, 1 - length), last)

    def __len__(self) -> int:
        return periods.months_between(self.first, self.last) + 1

    def __contains__(self, month: date) -> bool:
        return self.first <= month <= self.last

    @property
    def months(self) -> list[date]:
        return periods.month_range(self.first, self.last)

    def shift(self, months: int) -> Window:
        """The same number of months, ``months`` later (earlier when negative)."""
        return Window(periods.add_months(self.first, months), periods.add_months(self.last, months))

    def within(self, other: Window) -> bool:
        """Whether every month of this window lies in ``other``."""
        return other.first <= self.first and self.last <= other.last

    def overlaps(self, other: Window) -> bool:
        return self.first <= other.last and other.first <= self.last

    def spans(self, boundary: date) -> bool:
        """Whether the window has months both before ``boundary`` and on or after it."""
        return self.first < boundary <= self.last

    def label(self) -> str:
        return span_label(self.first, self.last)

    def to_api(self) -> dict:
        """SPEC §6 ``span``: ``{"from": "2021-12", "to": "2022-11", "label": "rolling year to Nov 2022"}``."""
        return {"from": periods.format_month(self.first), "to": periods.format_month(self.last),
                "label": self.label()}


class Span(Window):
    """The months one figure covers (SPEC §6 Frequency): a month, a quarter,
    a year, a survey wave. A Window in every respect; the name says the
    months come from a figure, not from a basis."""

    @classmethod
    def of(cls, month: date, frequency: str = "monthly", first: date | None = None,
           covers: int | None = None) -> Span:
        """The span of a return row: ``month`` is its last month, ``first`` the
        optional ``from`` column. Without ``from``: a monthly figure is its
        month, a quarterly one the 3 months ending at a quarter end, an annual
        one the 12 months ending at ``month``, a ``covers: N`` one the N months
        ending at ``month``; an irregular figure needs ``from``. ValueError
        in words otherwise."""
        _check_frequency(frequency)
        if first is not None:
            if frequency == "monthly" and first != month:
                raise ValueError("a monthly figure has no `from` (or `from` equal to its month)")
            if first > month:
                raise ValueError(f"`from` {periods.format_month(first)} is after the month "
                                 f"{periods.format_month(month)}")
            return cls(first, month)
        if frequency == "irregular":
            raise ValueError("an irregular figure needs `from`, the first month of its span")
        if frequency == "quarterly" and month.month not in (3, 6, 9, 12):
            raise ValueError(f"{periods.format_month(month)} is not a quarter end (Jun, Sep, Dec, Mar)")
        return cls.ending(month, covers or _LENGTH[frequency])


def due_span(period: date, frequency: str, covers: int | None = None) -> Window:
    """The span the latest figure due by ``period`` would cover: a quarterly
    measure's last quarter ended by then (with ``covers``, the ``covers``
    months to that quarter's end), an annual one's last financial year ended
    by then, else the period's own month. What a measure with no figure yet
    is shown against (never a part-quarter such as "Apr 2024 – May 2024")."""
    if frequency == "quarterly":
        end = periods.add_months(period, -(period.month % 3))
        return Span.ending(end, covers or 3)
    if frequency == "annual":
        end = periods.add_months(period, -((period.month - 3) % 12))
        return Span.ending(end, covers or 12)
    return Window(period, period)


def _check_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}; one of {', '.join(FREQUENCIES)}")


def _latest_end(period: date, frequency: str) -> date:
    """The last month of the latest regular figure ending by ``period``: the
    period itself (monthly), the latest quarter end (Jun, Sep, Dec, Mar), or
    the latest financial year end (March) for annual figures. Annual figures
    for other years (calendar years) are found from the figures held, by
    `comparison_of_spans`."""
    if frequency == "quarterly":
        return periods.add_months(period, -(period.month % 3))
    if frequency == "annual":
        return periods.add_months(period, -((period.month - 3) % 12))
    return period


def _latest(period: date, frequency: str, covers: int | None) -> Window:
    """The latest figure's window (or, for a monthly measure, the period's month)."""
    if frequency == "irregular":
        raise ValueError("the windows of an irregular measure come from its figures: use comparison_of_spans")
    return Window.ending(_latest_end(period, frequency), covers or _LENGTH[frequency])


# The bases. Each takes (period, frequency, covers) and gives (current, previous).

def _ytd(period: date, frequency: str, covers: int | None) -> tuple[Window, Window]:
    """April of the period's financial year to the period, and the same months
    a year earlier (SPEC §2): exactly periods.ytd_months / last_ytd_months."""
    this, last = periods.ytd_months(period), periods.last_ytd_months(period)
    return Window(this[0], this[-1]), Window(last[0], last[-1])


def _rolling_12(period: date, frequency: str, covers: int | None) -> tuple[Window, Window]:
    """The 12 months to the period vs the 12 months before them."""
    current = Window.ending(period, 12)
    return current, current.shift(-12)


def _rolling_3(period: date, frequency: str, covers: int | None) -> tuple[Window, Window]:
    """The 3 months to the period vs the same 3 months a year earlier."""
    current = Window.ending(period, 3)
    return current, current.shift(-12)


def _previous(period: date, frequency: str, covers: int | None) -> tuple[Window, Window]:
    """The latest figure ending by the period vs the same span a year earlier
    (for ``covers: 12``, the figure whose span ends 12 months earlier)."""
    current = _latest(period, frequency, covers)
    return current, current.shift(-12)


def _sequential(period: date, frequency: str, covers: int | None) -> tuple[Window, Window]:
    """The latest figure (or month) vs the one just before it, of the same
    length: this quarter vs last quarter; never overlapping, so a
    ``covers: 12`` figure is compared with the year before it."""
    current = _latest(period, frequency, covers)
    return current, current.shift(-len(current))


BASIS_FUNCTIONS: dict[str, Callable[[date, str, int | None], tuple[Window, Window]]] = {
    "ytd": _ytd,
    "rolling-12": _rolling_12,
    "rolling-3": _rolling_3,
    "previous": _previous,
    "sequential": _sequential,
}


def comparison(basis: str, period: date, frequency: str = "monthly",
               covers: int | None = None) -> tuple[Window, Window | None]:
    """``(current, previous)`` windows of ``basis`` (SPEC §6 ``compare``) at
    ``period`` (a month, the 1st) for a measure of ``frequency``, whose
    figures cover ``covers`` months each when set (``covers: 12``).

    ``benchmark`` compares the measure with another series over the same
    window: the current window is that of the measure's default basis (YTD
    for monthly measures, the latest figure otherwise) and previous is None.
    ``previous``/``sequential`` of an irregular measure depend on the figures
    held: ValueError here, use `comparison_of_spans`."""
    _check_frequency(frequency)
    if covers is not None and (not isinstance(covers, int) or covers < 1):
        raise ValueError(f"covers must be a whole number of months, not {covers!r}")
    if not isinstance(period, date) or period.day != 1:
        raise ValueError(f"a period is a month (a date on the 1st), not {period!r}")
    if basis == "benchmark":
        return comparison(DEFAULT_BASIS[frequency], period, frequency, covers)[0], None
    if basis not in BASIS_FUNCTIONS:
        raise ValueError(f"unknown comparison {basis!r}; one of {', '.join(BASES)}")
    return BASIS_FUNCTIONS[basis](period, frequency, covers)


def comparison_of_spans(basis: str, period: date, spans: Iterable[Window], frequency: str,
                        covers: int | None = None) -> tuple[Window | None, Window | None]:
    """``(current, previous)`` from the spans of the figures held (any order,
    any end): for ``previous`` and ``sequential``, current is the latest span
    ending by ``period`` (the latest figure actually filed, not the latest
    quarter end); previous is

    - ``previous``: the same span a year earlier (quarterly, annual, monthly,
      ``covers``: the span ending 12 months earlier), whether or not held
      (aggregation says when it is not); irregular: the held span just before
      the current one;
    - ``sequential``: the span of the same length just before it; irregular:
      the held span just before it.

    ``(None, None)`` when no span ends by the period; previous None when an
    irregular measure has no earlier figure. The other bases do not depend
    on the figures: as `comparison`."""
    if basis not in ("previous", "sequential"):
        return comparison(basis, period, frequency, covers)
    _check_frequency(frequency)
    held = sorted({Window(s.first, s.last) for s in spans if s.last <= period}, key=lambda s: (s.last, s.first))
    if not held:
        return None, None
    current = held[-1]
    if frequency == "irregular" and covers is None:
        before = [s for s in held if s.last < current.first]
        return current, (before[-1] if before else None)
    if basis == "previous":
        return current, current.shift(-12)
    return current, current.shift(-len(current))


def clip(window: Window, boundary: date) -> Window | None:
    """The part of ``window`` on or after ``boundary`` (a definition change's
    first month, an SPC rebase month); None when the window ends before it.
    A clipped window never spans the boundary."""
    if window.last < boundary:
        return None
    return Window(max(window.first, boundary), window.last)


def guard(current: Window, previous: Window | None,
          boundaries: Iterable[date]) -> tuple[Window, Window | None, str | None]:
    """A comparison kept off every boundary (SPEC §6: no comparison mixes
    two definitions or crosses a rebase). ``(current, previous, reason)``:
    unchanged with reason None when neither window spans a boundary and both
    lie on the same side of each; otherwise the comparison is refused, not
    clipped (a clipped window would compare unlike lengths): previous is
    None and the reason says why in words. The current window itself is
    left as it is, so its value can still be shown."""
    for boundary in sorted(set(boundaries)):
        when = periods.month_label(boundary)
        for window in (current, previous):
            if window is not None and window.spans(boundary):
                return current, None, f"No comparison across the change of {when}: {window.label()} spans it"
        if previous is not None and (previous.last < boundary) != (current.last < boundary):
            return current, None, f"No comparison across the change of {when}: {previous.label()} is before it"
    return current, previous, None
