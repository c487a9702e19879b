"""Warnings for figures about to be filed (SPEC §4 "Warnings"): the file
import, the admin preview, the quarterly grid and the review page all call
``find_warnings``; the arithmetic is ``engine.outliers``.

A figure is compared with the previous month and the same month last year:
taken from the figures being filed when they hold that month (a quarter's
May is compared with the April typed beside it), else from the published
figures. A figure over a span (SPEC §6) is compared with like spans only: a
quarter with the previous quarter and the same quarter last year, a year
with the year before (reference_months), never a quarter with a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from indicators import periods
from indicators.engine.outliers import Reference, describe, outlier
from indicators.models import Observation
from indicators.returns.file import Problem


@dataclass(frozen=True)
class FigureWarning:
    indicator_id: int
    month: date
    row: int | None             # the file's row, when there is one
    value: float
    references: tuple[Reference, ...]
    message: str                # "2,850 is more than 3× the previous month (…) and …"
    column: str = "value"       # the value's column: a wide sheet names its cell, "K (August 2013 value)"

    @property
    def problem(self) -> Problem:
        """As the SPEC prints it: ``row N, column value: warning: …``."""
        return Problem(self.row, self.column, f"warning: {self.message}")

    def __str__(self) -> str:
        return str(self.problem) if self.row is not None else f"warning: {self.message}"


def previous_month(month: date) -> date:
    return periods.add_months(month, -1)


def last_year(month: date) -> date:
    return periods.add_months(month, -12)


def span_length(figure) -> int:
    """How many months a figure covers: from its ``first_month`` (SPEC §6) to
    its month; 1 when it has none."""
    first = getattr(figure, "first_month", None)
    return periods.months_between(first, figure.month) + 1 if first else 1


def reference_months(month: date, length: int = 1) -> list[tuple[str, date]]:
    """The figures a figure of ``length`` months ending at ``month`` is
    compared with, like with like (SPEC §6): a month with the previous month
    and the same month last year; a quarter with the previous quarter and the
    same quarter last year; a year with the year before; any other span with
    the same span a year earlier. Never a quarter with a month: a reference
    counts only when its own span is as long (see _references)."""
    if length == 1:
        return [("the previous month", previous_month(month)), ("the same month last year", last_year(month))]
    if length == 3:
        return [("the previous quarter", periods.add_months(month, -3)),
                ("the same quarter last year", last_year(month))]
    if length == 12:
        return [("the previous year", last_year(month))]
    return [("the same span a year earlier", last_year(month))]


def reference_figures(keys: set[tuple[int, date]], area_id: int | None = None,
                      lengths: dict[int, int] | None = None) -> dict[tuple[int, date], float | None]:
    """Published values of the reference months (reference_months) of each
    (indicator id, month) in ``keys``, for figures of ``lengths[indicator
    id]`` months (default 1): the whole force's figures, or with ``area_id``
    that local area's own (one query)."""
    lengths = lengths or {}
    found = _references({(i, area_id, m, lengths.get(i, 1)) for i, m in keys})
    return {(i, m): v for (i, _, m, _), v in found.items()}


def _references(keys: set[tuple[int, int | None, date, int]]) -> dict[tuple[int, int | None, date, int], float]:
    """As reference_figures, for (indicator id, local area id or None, month,
    span length): a local area's figure is compared with that area's own, and
    a figure only with figures covering as many months (one query)."""
    wanted = {(i, a, m, n) for i, a, month, n in keys for _, m in reference_months(month, n)}
    if not wanted:
        return {}
    ids = {i for i, _, _, _ in wanted}
    months = {m for _, _, m, _ in wanted}
    rows = Observation.objects.filter(indicator_id__in=ids, month__in=months, value__isnull=False) \
        .values_list("indicator_id", "area_id", "month", "first_month", "value")
    out = {}
    for i, a, m, first, v in rows:
        n = periods.months_between(first, m) + 1 if first else 1
        if (i, a, m, n) in wanted:
            out[(i, a, m, n)] = v
    return out


def _show(month, value) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if month is None else f"{month:%b %Y}: {text}"


def find_warnings(figures) -> list[FigureWarning]:
    """Warnings for ``figures``: any objects with ``indicator_id``, ``month``,
    ``value`` and ``status`` (file Rows, ReturnLines, grid rows) and, if they
    have one, a file ``number`` or ``row``. Unavailable figures and empty
    values are not compared. In the order given."""
    figures = [f for f in figures if f.value is not None and f.status != "unavailable"]
    own = {(f.indicator_id, getattr(f, "area_id", None), f.month, span_length(f)): f.value for f in figures}
    published = _references(set(own))
    out = []
    for f in figures:
        refs = []
        length = span_length(f)
        for label, month in reference_months(f.month, length):
            key = (f.indicator_id, getattr(f, "area_id", None), month, length)
            value = own.get(key, published.get(key))
            if value is not None:
                refs.append(Reference(label, month, value))
        direction = outlier(f.value, refs)
        if direction:
            row = getattr(f, "number", None) or getattr(f, "row", None)
            out.append(FigureWarning(f.indicator_id, f.month, row if isinstance(row, int) else None,
                                     f.value, tuple(refs), describe(f.value, direction, refs, _show),
                                     getattr(f, "value_cell", "value")))
    return out
