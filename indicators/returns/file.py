"""Read and check a return file (SPEC §4): CSV with a header row, or the first
sheet of an XLSX, in the columns

    force,indicator,month,value,numerator,denominator,status,note

The whole file is checked before anything is written; every problem is
reported as ``row N, column C: message`` (the header is row 1, as a
spreadsheet shows it) or ``file: message``. Nothing here writes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from indicators import periods, vocabulary

COLUMNS = ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note"]
STATUSES = list(vocabulary.OBSERVATION_STATUSES)
MAX_BYTES = 20 * 1024 * 1024
MAX_MAGNITUDE = 1e15
MAX_PROBLEMS = 200
RATIO_TOLERANCE = 0.05
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_FORMULA_START = ("=", "+", "-", "@")
XLSX_MAGIC = b"PK\x03\x04"


class ReturnFileError(Exception):
    """Every problem found, in the order of the file."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    force_id: int
    unit: str
    aggregation: str
    msg: bool


@dataclass(frozen=True)
class Row:
    number: int                  # the file's row number (header = 1)
    force: str
    indicator: str
    indicator_id: int
    force_id: int
    month: date
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    note: str


@dataclass
class Catalogue:
    """What the checks need from the database."""
    forces: dict[str, int]                                # slug -> id
    indicators: dict[tuple[str, str], IndicatorInfo]      # (force slug, code) -> info
    editable: set[int] | None                             # force ids the user may edit; None = all
    peer_editable: set[int]                               # peers of editable forces (MSG indicators only)


def format_cell(number) -> str:
    """A figure as a return file writes it: full precision, no exponent for
    ordinary values, no ".0" on whole numbers, empty for none."""
    if number is None or number != number:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def too_large(size: int) -> str | None:
    if size > MAX_BYTES:
        return (f"file: {size / 1024 / 1024:.1f} MB is larger than the {MAX_BYTES // 1024 // 1024} MB limit; "
                "split it into smaller files")
    return None


def read_table(data: bytes, name: str = "") -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the data rows (row number, cells) of a CSV or XLSX file.
    Trailing blank rows are dropped; cells are str (CSV) or str/number (XLSX)."""
    problem = too_large(len(data))
    if problem:
        raise ReturnFileError([problem])
    if not data.strip():
        raise ReturnFileError(["file: the file is empty"])
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    while rows and all(_blank(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ReturnFileError(["file: the file is empty"])
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    body = [(i + 2, row) for i, row in enumerate(rows[1:])]
    return header, body


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ReturnFileError([f"file: not UTF-8 text (row {line} has a character that cannot be read); in Excel "
                               "use Save As › CSV UTF-8, or save the file as UTF-8"]) from None
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ReturnFileError([f"file: not a readable XLSX workbook ({type(exc).__name__})"]) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_xlsx_cell(cell) for cell in row])
        return rows
    finally:
        book.close()


def _xlsx_cell(cell):
    if isinstance(cell, datetime | date):
        return f"{cell.year:04d}-{cell.month:02d}"          # Excel turns 2013-04 into a date
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int | float):
        return cell
    return "" if cell is None else str(cell)


def check_rows(header: list[str], body: list[tuple[int, list]], catalogue: Catalogue, *,
               today: date, skipped: list[int] | None = None) -> list[Row]:
    """Every row checked; ReturnFileError listing all problems if any.

    A row that names a measure and month but gives no figure, status or note
    (a template row left empty) is not a figure: it is skipped, and its
    number added to ``skipped``."""
    problems: list[str] = []
    if len(header) == 1 and ";" in header[0]:
        raise ReturnFileError(["file: the columns are separated by semicolons; pccperf reads commas "
                               "(in Excel choose Save As › CSV UTF-8 (comma delimited))"])
    missing = [col for col in COLUMNS if col not in header]
    unexpected = [col for col in header if col not in COLUMNS]
    duplicated = sorted({col for col in header if header.count(col) > 1})
    problems += [f"file: missing column '{col}'" for col in missing]
    problems += [f"file: unexpected column '{col or '(blank)'}'; the columns are {', '.join(COLUMNS)}"
                 for col in unexpected]
    problems += [f"file: column '{col}' appears more than once" for col in duplicated]
    if problems:
        raise ReturnFileError(problems)
    if not body:
        raise ReturnFileError(["file: the file has a header but no rows"])

    position = {col: header.index(col) for col in COLUMNS}
    this_month = periods.first_of_month(today)
    seen: dict[tuple[str, str, date], int] = {}
    rows: list[Row] = []
    for number, cells in body:
        if len(problems) >= MAX_PROBLEMS:
            break
        if len(cells) != len(header):
            if all(_blank(c) for c in cells):
                problems.append(f"row {number}: the row is blank")
            else:
                problems.append(f"row {number}: has {len(cells)} fields; the header has {len(header)}")
            continue
        named = {col: cells[i] for col, i in position.items()}
        if all(_blank(named[col]) for col in ("value", "numerator", "denominator", "note")) and \
                _text(named["status"]).lower() in ("", "final"):
            if skipped is not None:
                skipped.append(number)
            continue
        row = _check_row(number, named, catalogue, this_month, problems)
        if row is None:
            continue
        key = (row.force, row.indicator, row.month)
        if key in seen:
            problems.append(f"row {number}: the same force, indicator and month as row {seen[key]}")
            continue
        seen[key] = number
        rows.append(row)
    if not rows and not problems:
        raise ReturnFileError(["file: no row gives a figure (every row's value, numerator, denominator and "
                               "note are empty)"])
    if problems:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"file: stopped after {MAX_PROBLEMS} problems; correct these and check again")
        raise ReturnFileError(problems)
    return rows


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _number(number: int, column: str, cell, problems: list[str]) -> tuple[bool, float | None]:
    """(ok, value): a plain decimal with a dot, or an XLSX number."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        value = float(cell)
    else:
        text = _text(cell)
        if not text:
            return True, None
        if text.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
            problems.append(f"row {number}, column {column}: {text!r} is not a number (NaN and infinity are not allowed)")
            return False, None
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            problems.append(f"row {number}, column {column}: {text!r} has a thousands separator; "
                            f"write it as {text.replace(',', '')}")
            return False, None
        if re.fullmatch(r"-?\d+,\d+", text):
            problems.append(f"row {number}, column {column}: {text!r} has a decimal comma; "
                            f"write it with a dot: {text.replace(',', '.')}")
            return False, None
        if not _NUMBER.match(text):
            problems.append(f"row {number}, column {column}: {text!r} is not a number; "
                            "write a plain decimal such as 512 or 55.2")
            return False, None
        value = float(text)
    if math.isnan(value) or math.isinf(value):
        problems.append(f"row {number}, column {column}: not a number (NaN and infinity are not allowed)")
        return False, None
    if abs(value) > MAX_MAGNITUDE:
        problems.append(f"row {number}, column {column}: {_text(cell)} is too large (more than 10^15)")
        return False, None
    return True, value


def _check_row(number: int, cells: dict, cat: Catalogue, this_month: date, problems: list[str]) -> Row | None:
    start = len(problems)
    force = _text(cells["force"])
    code = _text(cells["indicator"])
    info = None
    if not force:
        problems.append(f"row {number}, column force: is required")
    elif force not in cat.forces:
        problems.append(f"row {number}, column force: unknown force {force!r}")
    elif not code:
        problems.append(f"row {number}, column indicator: is required")
    elif (force, code) not in cat.indicators:
        problems.append(f"row {number}, column indicator: force {force!r} has no indicator {code!r}")
    else:
        info = cat.indicators[(force, code)]
        allowed = (cat.editable is None or info.force_id in cat.editable
                   or (info.msg and info.force_id in cat.peer_editable))
        if not allowed:
            problems.append(f"row {number}, column force: you may not edit figures for {force!r}")

    month = None
    raw_month = _text(cells["month"])
    if not raw_month:
        problems.append(f"row {number}, column month: is required, as YYYY-MM")
    else:
        try:
            month = periods.parse_month(raw_month)
        except ValueError as exc:
            problems.append(f"row {number}, column month: {exc}")
        else:
            if month > this_month:
                problems.append(f"row {number}, column month: {raw_month} is after the current month")

    status = _text(cells["status"]).lower() or "final"
    if status not in STATUSES:
        problems.append(f"row {number}, column status: must be final, provisional or unavailable "
                        f"(got {_text(cells['status'])!r})")
    note = "" if cells["note"] is None else str(cells["note"]).strip()
    if note.startswith(_FORMULA_START):
        problems.append(f"row {number}, column note: starts with {note[0]!r}, which a spreadsheet would run as "
                        "a formula; remove it or begin the note with a letter")

    values = {}
    for column in ("value", "numerator", "denominator"):
        ok, values[column] = _number(number, column, cells[column], problems)
    value, num, den = values["value"], values["numerator"], values["denominator"]

    if status == "unavailable":
        if not note:
            problems.append(f"row {number}, column note: a note is required when status is unavailable "
                            "(say why the figure is missing)")
        for column in ("value", "numerator", "denominator"):
            if values[column] is not None:
                problems.append(f"row {number}, column {column}: must be empty when status is unavailable")
    elif info is not None and len(problems) == start:
        _check_figures(number, info, value, num, den, problems)

    if len(problems) > start or info is None or month is None:
        return None
    if info.aggregation == "ratio" and value is None and num is not None and den:
        value = 100.0 * num / den
    return Row(number, force, code, info.id, info.force_id, month, value, num, den, status, note)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _check_figures(number, info: IndicatorInfo, value, num, den, problems) -> None:
    if (num is None) != (den is None):
        missing = "denominator" if den is None else "numerator"
        problems.append(f"row {number}, column {missing}: is required when the "
                        f"{'numerator' if den is None else 'denominator'} is given")
        return
    if num is not None:
        if den == 0:
            problems.append(f"row {number}, column denominator: must not be zero")
            return
        if den < 0 or num < 0:
            problems.append(f"row {number}, column {'numerator' if num < 0 else 'denominator'}: must not be negative")
            return
        if num > den:
            problems.append(f"row {number}, column numerator: {_fmt(num)} is more than the denominator {_fmt(den)}")
            return
        if info.aggregation == "ratio" and value is not None and abs(value - 100 * num / den) > RATIO_TOLERANCE:
            problems.append(f"row {number}, column value: {_fmt(value)} disagrees with 100 × numerator / denominator "
                            f"= {100 * num / den:.2f}")
            return
    if value is None and num is None:
        if info.aggregation == "ratio":
            problems.append(f"row {number}, column value: give the value, or the numerator and denominator")
        else:
            problems.append(f"row {number}, column value: is required (or set status to unavailable with a note)")
        return
    if value is None:
        return
    if info.unit == "count" and value < 0:
        problems.append(f"row {number}, column value: {_fmt(value)} is negative; a count cannot be")
    elif info.unit == "percent" and not 0 <= value <= 100:
        problems.append(f"row {number}, column value: {_fmt(value)} is not a percentage between 0 and 100")
