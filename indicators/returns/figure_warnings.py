"""Warnings for figures about to be filed (SPEC §4 "Warnings"): the file
import, the admin preview, the quarterly grid and the review page all call
``find_warnings``; the arithmetic is ``engine.outliers``.

A figure is compared with the previous month and the same month last year:
taken from the figures being filed when they hold that month (a quarter's
May is compared with the April typed beside it), else from the published
figures."""

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


def reference_figures(keys: set[tuple[int, date]], area_id: int | None = None) -> dict[tuple[int, date], float | None]:
    """Published values of the previous month and the same month last year
    of each (indicator id, month) in ``keys``: the whole force's figures, or
    with ``area_id`` that local area's own (one query)."""
    found = _references({(i, area_id, m) for i, m in keys})
    return {(i, m): v for (i, _, m), v in found.items()}


def _references(keys: set[tuple[int, int | None, date]]) -> dict[tuple[int, int | None, date], float]:
    """As reference_figures, for (indicator id, local area id or None, month):
    a local area's figure is compared with that area's own (one query)."""
    wanted = {(i, a, m) for i, a, month in keys for m in (previous_month(month), last_year(month))}
    if not wanted:
        return {}
    ids = {i for i, _, _ in wanted}
    months = {m for _, _, m in wanted}
    rows = Observation.objects.filter(indicator_id__in=ids, month__in=months, value__isnull=False) \
        .values_list("indicator_id", "area_id", "month", "value")
    return {(i, a, m): v for i, a, m, v in rows if (i, a, m) in wanted}


def _show(month, value) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if month is None else f"{month:%b %Y}: {text}"


def find_warnings(figures) -> list[FigureWarning]:
    """Warnings for ``figures``: any objects with ``indicator_id``, ``month``,
    ``value`` and ``status`` (file Rows, ReturnLines, grid rows) and, if they
    have one, a file ``number`` or ``row``. Unavailable figures and empty
    values are not compared. In the order given."""
    figures = [f for f in figures if f.value is not None and f.status != "unavailable"]
    own = {(f.indicator_id, getattr(f, "area_id", None), f.month): f.value for f in figures}
    published = _references(set(own))
    out = []
    for f in figures:
        refs = []
        for label, month in (("the previous month", previous_month(f.month)),
                             ("the same month last year", last_year(f.month))):
            key = (f.indicator_id, getattr(f, "area_id", None), month)
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
