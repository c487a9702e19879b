"""Financial years, months and quarters as SPEC §2 defines them.

A month is a ``datetime.date`` on the first day of that month. The financial
year runs April–March and is written ``2014/15``; quarters are ``2014/15 Q1``
(Apr–Jun) to ``Q4`` (Jan–Mar). Pure Python: the engine imports this module,
so nothing here may import Django.
"""

from __future__ import annotations

import re
from datetime import date

# ASCII digits only: \d would also take ١٢٣ and full-width digits, which int() reads
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_FY_RE = re.compile(r"([0-9]{4})/([0-9]{2})")
_QUARTER_RE = re.compile(r"([0-9]{4}/[0-9]{2}) Q([1-4])")

MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


def parse_month(text: str) -> date:
    """``"2014-06"`` -> ``date(2014, 6, 1)``; ValueError naming the problem otherwise."""
    match = _MONTH_RE.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2014-06")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a month; the month part must be 01 to 12")
    if year < 1900:
        raise ValueError(f"{text!r} is too early; months start in 1900")
    return date(year, month, 1)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: date) -> str:
    """``date(2014, 6, 1)`` -> ``"June 2014"``, as reports print it."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def parse_past_month(text: str, today: date) -> date:
    """A period to report on: ``parse_month``, and not after ``today``'s
    month (ValueError "2031-01 is in the future")."""
    month = parse_month(text)
    if month > first_of_month(today):
        raise ValueError(f"{text} is in the future")
    return month


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + (month.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Number of months from ``start`` to ``end`` (0 when equal, negative when end is earlier)."""
    return (end.year - start.year) * 12 + (end.month - start.month)


def month_range(start: date, end: date) -> list[date]:
    """Every month from ``start`` to ``end`` inclusive (empty when end < start)."""
    return [add_months(start, i) for i in range(months_between(start, end) + 1)]


def fy_start_year(month: date) -> int:
    """The calendar year in which ``month``'s financial year starts (April)."""
    return month.year if month.month >= 4 else month.year - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year(month: date) -> str:
    """``date(2014, 2, 1)`` -> ``"2013/14"``."""
    return fy_label(fy_start_year(month))


def parse_financial_year(text: str) -> int:
    """``"2014/15"`` -> 2014; ValueError unless the second part follows the first."""
    match = _FY_RE.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a financial year; write it as YYYY/YY, e.g. 2014/15")
    start = int(match.group(1))
    if int(match.group(2)) != (start + 1) % 100:
        raise ValueError(f"{text!r} is not a financial year; {start} is followed by {fy_label(start)}")
    return start


def fy_start(start_year: int) -> date:
    return date(start_year, 4, 1)


def fy_months(start_year: int) -> list[date]:
    return month_range(fy_start(start_year), date(start_year + 1, 3, 1))


def quarter_number(month: date) -> int:
    """1 for Apr–Jun … 4 for Jan–Mar."""
    return (months_between(fy_start(fy_start_year(month)), month)) // 3 + 1


def quarter(month: date) -> str:
    """``date(2014, 6, 1)`` -> ``"2014/15 Q1"``."""
    return f"{financial_year(month)} Q{quarter_number(month)}"


def parse_quarter(text: str) -> tuple[int, int]:
    """``"2014/15 Q1"`` -> ``(2014, 1)``."""
    match = _QUARTER_RE.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a quarter; write it as YYYY/YY Qn, e.g. 2014/15 Q1")
    return parse_financial_year(match.group(1)), int(match.group(2))


def quarter_months(start_year: int, number: int) -> list[date]:
    if not 1 <= number <= 4:
        raise ValueError(f"quarter {number} does not exist; quarters are 1 to 4")
    first = add_months(fy_start(start_year), 3 * (number - 1))
    return month_range(first, add_months(first, 2))


def ytd_months(period: date) -> list[date]:
    """April of ``period``'s financial year to ``period``."""
    return month_range(fy_start(fy_start_year(period)), period)


def last_ytd_months(period: date) -> list[date]:
    """The YTD months one year earlier."""
    return [add_months(m, -12) for m in ytd_months(period)]


def rolling_12_months(period: date) -> list[date]:
    """The 12 months ending at ``period``."""
    return month_range(add_months(period, -11), period)


def full_last_year_months(period: date) -> list[date]:
    """The 12 months of the financial year before ``period``'s."""
    return fy_months(fy_start_year(period) - 1)
