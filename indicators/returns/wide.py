"""The wide quarterly template (issue 15 item 4): one row per measure, the
quarter's three months across, as an analyst keeps a quarter in a
spreadsheet. It is written pre-filled with the figures held, and read back
by turning each row into the long return rows that ``file.check_rows``
checks, so the same rules apply and every problem names the wide sheet's own
cell (``row 7, column H (May 2013 value): …``).

The layout (docs/decisions.md, "The wide quarterly template"), row 1 the
header, then one row per measure of the plan in force:

    force | indicator | measure | unit | headline |
    then for each month YYYY-MM of the quarter:
    YYYY-MM value | YYYY-MM numerator | YYYY-MM denominator | YYYY-MM status | YYYY-MM note

and, written by pccperf since SPEC §6 after every month's five columns (so
the months' columns keep their letters; optional when read back, so older
sheets still read), for each month:

    YYYY-MM from | YYYY-MM lower | YYYY-MM upper

the return file's ``from`` (the first month of a span), ``lower`` and
``upper`` (a survey figure's interval) for that month's figure. A quarterly
measure takes its figure in the quarter's last month and an annual one in
March: its other months' cells are shaded and left empty (a figure typed
there is refused, as in a file, with the cell named). An irregular measure
may take a figure in any month, with its ``from``.

``measure``, ``unit`` and ``headline`` are for the reader and not read
back. A ratio measure is given by its numerator and denominator (its value
is worked out, so its value cell is left empty and shaded); other measures
leave numerator and denominator empty (shaded). Status has a drop-down list
(final, provisional, unavailable); empty means final.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections import Counter
from datetime import date

from indicators import periods
from indicators.returns.file import COLUMNS, Problem, ReturnFileError, format_cell

PARTS = ("value", "numerator", "denominator", "status", "note")
OPTIONAL_PARTS = ("from", "lower", "upper")           # SPEC §6: may be left out of a sheet
INFO = ("force", "indicator", "measure", "unit", "headline")
AREA = "area"                    # a local area's sheet: the area's code on each row (SPEC §4's area column)
_MONTH_COLUMN = re.compile(r"(\d{4}-\d{2}) (value|numerator|denominator|status|note|from|lower|upper)")
STATUS_LIST = '"final,provisional,unavailable"'


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _show(value) -> str:
    text = str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return repr(text if len(text) <= 40 else text[:40] + "…")


def is_wide(header: list[str]) -> bool:
    """Is this header (lower-cased) the wide template's?"""
    return "month" not in header and "indicator" in header and any(
        _MONTH_COLUMN.fullmatch(str(h or "").strip()) for h in header)


class WideBody(list):
    """Long rows made from a wide sheet (and its local-area sheets), with
    what ``check_rows`` needs to name the wide sheets' cells: ``relocate``
    maps its problems, rows and skipped rows back."""

    def __init__(self, rows, cells: dict, origin: dict, problems: list[Problem], sheets: dict | None = None):
        super().__init__(rows)
        self.cells = cells              # (long number, column) -> (wide row, "H (May 2013 value)")
        self.origin = origin            # long number -> wide row
        self.problems = problems        # found while reshaping (e.g. a measure on two rows)
        self.sheets = sheets or {}      # long number -> the local-area sheet's title (none: the first sheet)

    def relocate(self, problems: list[Problem], rows: list, skipped: list | None):
        out = list(self.problems)
        for p in problems:
            if p.row is None or p.row not in self.origin:
                out.append(p)
                continue
            where = self.cells.get((p.row, p.column))
            sheet = self.sheets.get(p.row)
            out.append(Problem(where[0], where[1], p.message, sheet) if where else
                       Problem(self.origin[p.row], p.column, p.message, sheet))
        if skipped is not None:
            def key(n):
                return self.sheets.get(n), self.origin[n]

            per_row = Counter(key(n) for n in skipped if n in self.origin)
            months = Counter(key(n) for n in self.origin)
            skipped[:] = sorted(r for (_, r), n in per_row.items() if n == months[(_, r)])
        return out, [dataclasses.replace(r, number=self.origin.get(r.number, r.number),
                                         value_cell=self._value_cell(r))
                     for r in rows]

    def _value_cell(self, row) -> str:
        cell = self.cells.get((row.number, "value"), (None, row.value_cell))[1]
        sheet = self.sheets.get(row.number)
        return f"{cell} of sheet {sheet!r}" if sheet else cell


def _parse_header(header: list[str], problems: list[Problem], sheet: str | None = None):
    """Where a wide sheet's columns are: (info columns, months' columns, the
    named columns). A local-area sheet (``sheet``) must have ``area``."""
    position: dict[str, int] = {}
    months: dict[str, dict[str, int]] = {}
    for index, raw in enumerate(header):
        name = str(raw or "").strip()
        match = _MONTH_COLUMN.fullmatch(name)
        if match:
            parts = months.setdefault(match.group(1), {})
            if match.group(2) in parts:
                problems.append(Problem(None, None, f"column {_letter(index)}: '{name}' appears more than once",
                                        sheet))
            parts[match.group(2)] = index
        elif name in INFO or name == AREA:
            if name in position:
                problems.append(Problem(None, None, f"column {_letter(index)}: '{name}' appears more than once",
                                        sheet))
            position[name] = index
        elif name:
            problems.append(Problem(None, None, f"column {_letter(index)}: unexpected column {name!r}; the wide "
                                    "template's columns are force, indicator, measure, unit, headline, area (a "
                                    "local area's code, on its own sheet) and, for "
                                    "each month, 'YYYY-MM value', numerator, denominator, status and note, and optionally from, "
                                    "lower and upper", sheet))
    for needed in ("force", "indicator") + ((AREA,) if sheet else ()):
        if needed not in position:
            problems.append(Problem(None, None, f"missing column '{needed}'" + (
                " (the local area's code, as the template gives it)" if needed == AREA else ""), sheet))
    for month, parts in sorted(months.items()):
        try:
            periods.parse_month(month)
        except ValueError as exc:
            problems.append(Problem(None, None, f"column '{month} value': {exc}", sheet))
        for part in PARTS:
            if part not in parts:
                problems.append(Problem(None, None, f"missing column '{month} {part}'", sheet))
    return position, months, {i for i, raw in enumerate(header) if str(raw or "").strip()}


def to_long(header: list[str], body: list[tuple[int, list]],
            sheets: list[tuple[str, list[str], list[tuple[int, list]]]] = ()) -> tuple[list[str], WideBody]:
    """The wide sheet, and any local-area sheets (title, header, body) after
    it, as the long return file's header and rows."""
    problems: list[Problem] = []
    parsed = [(None, header, _parse_header(header, problems), body)]
    parsed += [(title, h, _parse_header(h, problems, title), b) for title, h, b in sheets]
    if problems:
        raise ReturnFileError(problems)
    rows, cells, origin, titles, seen = [], {}, {}, {}, {}
    number = 1
    for title, head, (position, months, named), lines in parsed:
        for wide_row, values in lines:
            def cell(index, values=values):
                return values[index] if index < len(values) else None

            # a value under no heading (past the last column, or under a blank one) would be dropped: refuse it
            stray = [i for i in range(len(values)) if i not in named and str(values[i] or "").strip()]
            for index in stray:
                where = "after the header's last column" if index >= len(head) else "under a blank heading"
                problems.append(Problem(wide_row, _letter(index), f"{_show(values[index])} is {where}, so it "
                                        f"would not be read; the row has {len(values)} fields and the header "
                                        f"{len(head)}: remove the value, or move it under its heading", title))

            code = str(cell(position["indicator"]) or "").strip()
            force = str(cell(position["force"]) or "").strip()
            area = str(cell(position[AREA]) or "").strip() if AREA in position else ""
            if code and (force, code, area) in seen:
                where, other = seen[(force, code, area)]
                on = f" of sheet {where!r}" if where != title else ""
                problems.append(Problem(wide_row, _letter(position["indicator"]),
                                        f"the measure {code!r} is also on row {other}{on}; give each measure "
                                        "one row" + (" per local area" if area else ""), title))
                continue
            if code:
                seen[(force, code, area)] = (title, wide_row)
            for month, parts in sorted(months.items()):
                number += 1
                label = periods.month_label(periods.parse_month(month)) if month else month
                rows.append((number, [force, code, month, *(cell(parts[p]) for p in PARTS), area,
                                      *(cell(parts[p]) if p in parts else None for p in OPTIONAL_PARTS)]))
                origin[number] = wide_row
                if title:
                    titles[number] = title
                cells[(number, "force")] = (wide_row, _letter(position["force"]))
                cells[(number, "indicator")] = (wide_row, _letter(position["indicator"]))
                if AREA in position:
                    cells[(number, AREA)] = (wide_row, _letter(position[AREA]))
                cells[(number, "month")] = (wide_row, f"{_letter(parts['value'])} ({label} value)")
                for part in (*PARTS, *OPTIONAL_PARTS):
                    if part in parts:
                        cells[(number, part)] = (wide_row, f"{_letter(parts[part])} ({label} {part})")
    return [*COLUMNS, AREA, *OPTIONAL_PARTS], WideBody(rows, cells, origin, problems, titles)


def workbook(force, months: list[date], indicators, values: dict, headline: dict[int, bool],
             areas: list | None = None) -> bytes:
    """The wide template for ``force`` and the quarter's ``months``, one row
    per indicator (in the plan's order) pre-filled with ``values`` (by
    (indicator id, month): value, numerator, denominator, status, note);
    then one sheet per local area, named by the district's name, for the
    measures the plan breaks down by area (``areas``: (name, code,
    indicators, values) each; None: the force's, from the database)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Quarter"
    _fill(sheet, force, months, indicators, values, headline)
    if areas is None:
        areas = area_sheets(force, months, indicators)
    titles = {"quarter", "read me"}
    for name, code, measures, area_values in areas:
        title = _sheet_title(name, titles)
        _fill(book.create_sheet(title), force, months, measures, area_values, headline, area=code)
    notes = book.create_sheet("Read me")
    for line in (
            [f"Quarterly return for {force.name}, {periods.quarter(months[0])}"],
            ["Fill in the Quarter sheet (it must stay the first sheet) and upload it in the admin: "
             "Returns › Import a file. Every cell is checked before anything is saved."],
            ["The Quarter sheet is the whole force's figures. Each sheet after it, named by its district, holds "
             "that local area's figures for the measures the plan breaks down by area, in the same columns; its "
             "last column, area, is the district's code: leave it as it is. Other sheets (such as this one) are "
             "not read."],
            ["One row per measure; for each month a value, a status (final, provisional or unavailable; "
             "empty means final) and a note."],
            ["Ratio measures (percentages worked out from two counts): give the numerator and denominator; "
             "the value is worked out (its cell is shaded). Other measures: leave numerator and denominator "
             "empty (shaded)."],
            ["Figures: type them as numbers. How Excel shows a number does not matter (15102 shown as 15,102, "
             "or 0.552 formatted as a percentage, read as 55.2). A figure held as text must be a plain decimal "
             "with a dot: '15102' or '55.2' is read; text '15,102' (a thousands separator), '55,2' (a decimal "
             "comma) or '55.2 %' (a per cent sign) is refused with its cell named (pasting into the admin's "
             "grid takes those too; a file does not). Unavailable needs a note saying why."],
            ["A quarterly measure has one figure per quarter, in the quarter's last month; an annual one in March; "
             "their other months are shaded. 'from' (YYYY-MM) is the first month of a figure's span: needed for "
             "irregular measures (survey waves), else left empty. 'lower' and 'upper': a survey figure's 95% "
             "confidence interval, both or neither. A rank: the position as the value, how many were ranked as "
             "the denominator."],
            ["The measure, unit and headline (*) columns are for reading only."]):
        notes.append(line)
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet, force, months: list[date], indicators, values: dict, headline: dict[int, bool],
          area: str = "") -> None:
    """One quarter sheet: the header, a row per indicator pre-filled with
    ``values``, shading, the status list, widths. With ``area`` (a local
    area's code), the ``area`` column last, on every row."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from indicators.returns.grid import entry_months

    header = (list(INFO) + [f"{periods.format_month(m)} {part}" for m in months for part in PARTS]
              + [f"{periods.format_month(m)} {part}" for m in months for part in OPTIONAL_PARTS]
              + ([AREA] if area else []))
    sheet.append(header)
    shaded = PatternFill("solid", fgColor="DDDDDD")
    width, extra = len(PARTS), len(OPTIONAL_PARTS)
    tail = len(INFO) + len(months) * width          # where the months' from, lower, upper start (0-based)
    for ind in indicators:
        ratio = ind.aggregation in ("ratio", "weighted-mean")
        frequency = getattr(ind, "frequency", None) or "monthly"
        open_months = months if frequency == "irregular" else entry_months(frequency, months)
        row = [force.slug, ind.code, ind.name, ind.get_unit_display(), "*" if headline.get(ind.id) else ""]
        spans = []
        for month in months:
            v = values.get((ind.id, month)) or {}
            number = {k: _number(v.get(k)) for k in ("value", "numerator", "denominator", "lower", "upper")}
            if ratio and number["numerator"] is not None:
                number["value"] = None               # worked out from its parts
            first = v.get("first_month")
            first = periods.format_month(first) if first is not None and first == first else None   # NaT: none
            row += [number["value"], number["numerator"], number["denominator"], v.get("status") or None,
                    v.get("note") or None]
            spans += [first, number["lower"], number["upper"]]
        sheet.append(row + spans + ([area] if area else []))
        r = sheet.max_row
        if area:
            sheet.cell(r, len(header)).fill = shaded         # the area's code: read back, not to be changed
        for k, month in enumerate(months):
            first = len(INFO) + 1 + k * width
            closed = month not in open_months        # no figure this month (a quarterly or annual measure)
            if closed:
                offsets = range(width)
            elif ratio:
                offsets = (0,)
            elif ind.unit == "rank":
                offsets = (1,)                       # a rank's N is its denominator
            else:
                offsets = (1, 2)
            for offset in offsets:
                sheet.cell(r, first + offset).fill = shaded
            sheet.cell(r, first + 4).number_format = "@"
            start = tail + 1 + k * extra
            sheet.cell(r, start).number_format = "@"          # keep 2024-04 as text, not a date
            for offset in range(extra) if closed else ():
                sheet.cell(r, start + offset).fill = shaded
    last = sheet.max_row
    status = DataValidation(type="list", formula1=STATUS_LIST, allow_blank=True, showErrorMessage=True,
                            errorTitle="Status", error="Choose final, provisional or unavailable (empty is final).",
                            promptTitle="Status", prompt="final, provisional or unavailable (empty: final)",
                            showInputMessage=True)
    sheet.add_data_validation(status)
    for k in range(len(months)):
        column = _letter(len(INFO) + k * width + 3)
        status.add(f"{column}2:{column}{max(last, 2)}")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "F2"
    widths = {"A": 14, "B": 22, "C": 48, "D": 9, "E": 9}
    for column, size in widths.items():
        sheet.column_dimensions[column].width = size
    for k in range(len(months)):
        for offset, size in enumerate((11, 11, 12, 12, 28)):
            sheet.column_dimensions[_letter(len(INFO) + k * width + offset)].width = size
        for offset in range(extra):
            sheet.column_dimensions[_letter(tail + k * extra + offset)].width = 10
    if area:
        sheet.column_dimensions[_letter(len(header) - 1)].width = 12


def _sheet_title(name: str, taken: set[str]) -> str:
    """A district's name as an Excel sheet's title: at most 31 characters,
    none of : \\ / ? * [ ], unique whatever the case."""
    title = re.sub(r"[:\\/?*\[\]]", "-", name).strip("' ")[:31] or "Area"
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def area_sheets(force, months: list[date], indicators) -> list[tuple[str, str, list, dict]]:
    """The local-area sheets of a force's wide template: for each local area
    (by name), the measures the plan breaks down by area (those with a local
    figure; returns/admin ``area_template_rows`` gives the long template's)
    and the area's figures held, published or in a draft. Three queries."""
    from indicators import selectors

    measures, areas, frame = selectors.area_template_inputs(force=force, indicators=indicators, months=months)
    if not measures:
        return []
    held: dict[int, dict] = {}
    for r in frame.to_dict("records"):
        held.setdefault(r["area_id"], {})[(r["indicator_id"], r["month"])] = r
    return [(name, code, measures, held.get(area_id, {}))
            for area_id, code, name in zip(areas["area_id"], areas["area_code"], areas["area_name"])]


def _number(value):
    """A held figure as the sheet stores it: a number, or None."""
    text = format_cell(value)
    if not text:
        return None
    number = float(text)
    return int(number) if number.is_integer() else number
