"""Tiny frames for engine tests (no database)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators import periods
from indicators.engine import columns as c


def m(text: str) -> date:
    return periods.parse_month(text)


def indicators(*rows: dict) -> pd.DataFrame:
    defaults = {c.FORCE: "west-mercia", c.NAME: "x", c.UNIT: "count", c.DECIMALS: 0, c.AGGREGATION: "sum",
                c.POLARITY: "down", c.MSG: False, c.HEADLINE: False}
    records = [defaults | {c.ID: i + 1, c.CODE: f"i{i + 1}"} | row for i, row in enumerate(rows)]
    # SPEC §6 keys only when a row gives one: a frame without them holds 2013-style measures
    six = [name for name in c.CURRENT_PLAN_COLUMNS if any(name in row for row in rows)]
    return pd.DataFrame.from_records(records, columns=[*c.INDICATOR_COLUMNS, c.HEADLINE, *six])


def figures(indicator_id: int, *rows: tuple) -> pd.DataFrame:
    """Figures over spans (SPEC §6): each row ``(first, last, value[, numerator, denominator[, lower,
    upper]])`` with months as "YYYY-MM"."""
    records = []
    for row in rows:
        first, last, value, *rest = row
        num, den, lower, upper = (list(rest) + [None] * 4)[:4]
        records.append({c.INDICATOR_ID: indicator_id, c.MONTH: m(last), c.VALUE: value, c.NUMERATOR: num,
                        c.DENOMINATOR: den, c.STATUS: "final", c.NOTE: "", c.ILLUSTRATIVE: False,
                        c.FIRST_MONTH: None if first == last else m(first), c.LOWER: lower, c.UPPER: upper})
    return pd.DataFrame.from_records(records, columns=c.OBSERVATION_COLUMNS)


def observations(indicator_id: int, values: dict, **extra_by_month) -> pd.DataFrame:
    """``values``: {"2013-04": 512, ...}; a value may be a tuple (value, numerator,
    denominator) or the string "unavailable"."""
    rows = []
    for month, v in values.items():
        row = {c.INDICATOR_ID: indicator_id, c.MONTH: m(month), c.VALUE: None, c.NUMERATOR: None,
               c.DENOMINATOR: None, c.STATUS: "final", c.NOTE: ""}
        if v == "unavailable":
            row[c.STATUS], row[c.NOTE] = "unavailable", "System migration"
        elif isinstance(v, tuple):
            row[c.VALUE], row[c.NUMERATOR], row[c.DENOMINATOR] = v
        else:
            row[c.VALUE] = v
        rows.append(row)
    return pd.DataFrame.from_records(rows, columns=c.OBSERVATION_COLUMNS)


def series(indicator_id: int, first: str, values: list) -> pd.DataFrame:
    start = m(first)
    return observations(indicator_id, {periods.format_month(periods.add_months(start, i)): v
                                       for i, v in enumerate(values) if v is not None})


def concat(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def targets(*rows: tuple) -> pd.DataFrame:
    """(indicator_id, financial_year, kind, value[, tolerance])"""
    records = []
    for row in rows:
        ind, fy, kind, value, *rest = row
        records.append({c.INDICATOR_ID: ind, c.FINANCIAL_YEAR: fy, c.KIND: kind, c.TARGET_VALUE: value,
                        c.TOLERANCE: rest[0] if rest else 5.0, c.WORDING: "", c.DUE: None})
    return pd.DataFrame.from_records(records, columns=c.TARGET_COLUMNS)
