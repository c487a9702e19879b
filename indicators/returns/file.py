"""Read and check a return file (SPEC §4): CSV with a header row, or the first
sheet of an XLSX, in the columns

    force,indicator,month,value,numerator,denominator,status,note[,area][,from][,lower][,upper][,illustrative]

The optional columns after the eighth are found by their header names, in
any order, and any may be left out (SPEC §6): ``area``, a local area code of
that force (empty = the whole force); ``from``, the first month (YYYY-MM) of
the span a non-monthly figure covers (its last month is ``month``);
``lower`` and ``upper``, a survey figure's published 95 % confidence interval;
``illustrative``, true for a figure generated for the demo, not a published
one (true/false, yes/no, 1/0, blank = false; issue 30: observations.csv
writes it, so an export round-trips with its labels). A file without it
says nothing about the flag (``Row.illustrative`` is None): a new or
revised figure is then a real one.
The whole file is checked before anything is written; every problem is
reported as ``row N, column C: message`` (the header is row 1, as a
spreadsheet shows it) or ``file: message``. Nothing here writes.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from indicators import periods, vocabulary

COLUMNS = ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note"]
AREA = "area"                           # the optional ninth column (SPEC §4)
FROM, LOWER, UPPER = "from", "lower", "upper"   # SPEC §6: optional, found by header name like `area`
ILLUSTRATIVE = "illustrative"           # issue 30: optional, found by name; written by observations.csv
OPTIONAL = [AREA, FROM, LOWER, UPPER, ILLUSTRATIVE]
COLUMNS_WITH_AREA = [*COLUMNS, AREA]
ALL_COLUMNS = [*COLUMNS, *OPTIONAL]            # every column a return may have
# The columns of an analyst's template: all but `illustrative`, which says a figure was generated
# for the demo; a template pre-filled with one would label the analyst's corrections illustrative.
TEMPLATE_COLUMNS = [*COLUMNS, AREA, FROM, LOWER, UPPER]
FLAG_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}
STATUSES = list(vocabulary.OBSERVATION_STATUSES)
MAX_BYTES = 20 * 1024 * 1024
MAX_EXPANDED = 200 * 1024 * 1024       # an XLSX's members, uncompressed
MAX_CELLS = 1_000_000                  # an XLSX sheet's cells, declared or held
MAX_SHEETS = 200                       # worksheets of a workbook (a wide template: the force and its districts)
MAX_NOTE = 32_767                      # characters: a spreadsheet cell's limit
MAX_MAGNITUDE = 1e15
SHOWN_PROBLEMS = 100                   # problems listed; the rest are counted
RATIO_TOLERANCE = 0.05
_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")           # ASCII digits only
_THOUSANDS = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]+")
_PERCENT_TEXT = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+) ?%")
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@")
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # a compound file: an old .xls, or an encrypted .xlsx
NOT_UTF16 = 'file: this file is not UTF-8 (it looks like UTF-16); save it as "CSV UTF-8"'


@dataclass(frozen=True)
class Problem:
    """One problem of a return file, as data: the grid puts it beside its
    cell, the commands and the admin print ``str(problem)``, the SPEC's
    ``row N, column C: message`` (``row N: …`` for a whole row, ``file: …``
    for the whole file; the header is row 1, as a spreadsheet shows it)."""
    row: int | None          # None: the whole file
    column: str | None       # None: the whole row (or file)
    message: str
    sheet: str | None = None  # a wide workbook's further sheet (a local area's); None: the first sheet

    def __str__(self) -> str:
        where = f"sheet {self.sheet!r}, " if self.sheet else ""
        if self.row is None:
            return f"{where or 'file: '}{self.message}"
        if self.column is None:
            return f"{where}row {self.row}: {self.message}"
        return f"{where}row {self.row}, column {self.column}: {self.message}"


class ReturnFileError(Exception):
    """Every problem found, in the order of the file. At most SHOWN_PROBLEMS
    are listed, then one line counting the rest; ``total`` counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.total = max(total or 0, len(problems))
        if self.total > SHOWN_PROBLEMS:
            problems = problems[:SHOWN_PROBLEMS] + [Problem(
                None, None, f"… and {self.total - SHOWN_PROBLEMS:,} more problems; correct those above and check again")]
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    force_id: int
    unit: str
    aggregation: str
    msg: bool
    frequency: str = "monthly"   # SPEC §6: monthly | quarterly | annual | irregular
    covers: int | None = None    # each figure covers this many months; spans may then overlap
    scale: float | None = None   # a score measure's top of scale


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
    area: str = ""               # the local area's code; "" = the whole force
    area_id: int | None = None
    value_cell: str = "value"    # how a problem names the value's cell: a wide sheet's "K (August 2013 value)"
    first_month: date | None = None   # the span's first month when it covers more than `month` (SPEC §6)
    lower: float | None = None        # a survey figure's 95 % interval
    upper: float | None = None
    illustrative: bool | None = None  # the `illustrative` column; None: the file has no such column

    @property
    def first(self) -> date:
        """The first month of the span the figure covers."""
        return self.first_month or self.month


@dataclass
class Catalogue:
    """What the checks need from the database."""
    forces: dict[str, int]                                # slug -> id
    indicators: dict[tuple[str, str], IndicatorInfo]      # (force slug, code) -> info
    editable: set[int] | None                             # force ids the user may edit; None = all
    peer_editable: set[int]                               # granted planless peers (MSG indicators only)
    areas: dict[tuple[str, str], int] = field(default_factory=dict)   # (force slug, area code) -> local area id
    # force id -> why the user may not write its figures (permissions.write_refusal); None: a plain refusal
    why_not: Callable[[int], str] | None = None
    # SPEC §6: the spans of the figures held for measures whose spans may not overlap (non-monthly, no
    # `covers`): (indicator id, area id) -> [(first month, last month)]
    held_spans: dict[tuple[int, int | None], list[tuple[date, date]]] = field(default_factory=dict)


# A note of these alone shows nothing, so it is no note (issue 24 item 3):
# format characters (U+200B-U+200D zero widths, U+2060 word joiner, U+FEFF,
# bidi marks), spaces of any width (NBSP, U+3000), line and paragraph
# separators, controls, combining marks with nothing to sit on (U+034F,
# variation selectors) and the letters that are drawn blank (Hangul fillers,
# the blank braille pattern).
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn"}
_BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0\u2800")


def invisible(text: str) -> bool:
    """Does ``text`` show nothing at all (empty included)?"""
    return all(ch.isspace() or ch in _BLANK_LETTERS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
               for ch in text)


def _codepoints(text: str, limit: int = 3) -> str:
    """"U+200B U+FEFF": the characters of ``text``, each once, the first few."""
    seen = list(dict.fromkeys(text))
    return " ".join(f"U+{ord(ch):04X}" for ch in seen[:limit]) + (" …" if len(seen) > limit else "")


def format_cell(number) -> str:
    """A figure as a return file writes it, a plain decimal that reads back to
    the same float: full precision, never an exponent (0.00001, not 1e-05,
    which the reader refuses), no ".0" on whole numbers, empty for none."""
    if number is None or number != number:
        return ""
    number = float(number)
    if number.is_integer():
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def too_large(size: int) -> Problem | None:
    if size > MAX_BYTES:
        return (Problem(None, None,
                    f"{size / 1024 / 1024:.1f} MB is larger than the {MAX_BYTES // 1024 // 1024} MB limit; "
                "split it into smaller files"))
    return None


def read_table(data: bytes, name: str = "") -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the data rows (row number, cells) of a CSV or XLSX file.
    Trailing blank rows are dropped; cells are str (CSV) or str/number (XLSX).
    Raises ReturnFileError, and nothing else, whatever the bytes."""
    problem = too_large(len(data))
    if problem:
        raise ReturnFileError([problem])
    if not data.strip():
        raise ReturnFileError([Problem(None, None, "the file is empty")])
    if data.startswith(OLE2_MAGIC):     # read as text, it looked like UTF-16
        raise ReturnFileError([_old_excel(data)])
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    while rows and all(_blank(cell) for cell in rows[-1][1]):
        rows.pop()
    if not rows:
        raise ReturnFileError([Problem(None, None, "the file is empty")])
    header = [_text(cell).lower() for cell in rows[0][1]]
    from indicators.returns import wide

    if wide.is_wide(header):            # the wide quarterly template: its rows as long rows
        more = _read_xlsx(data, further=True) if data.startswith(XLSX_MAGIC) else []
        return wide.to_long(header, rows[1:], sheets=[
            (title, [_text(cell).lower() for cell in sheet[0][1]], sheet[1:])
            for title, sheet in more if sheet and wide.is_wide([_text(cell).lower() for cell in sheet[0][1]])])
    return header, rows[1:]


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _show(text: str, limit: int = 40) -> str:
    """Text as a message quotes it: repr (so control characters show), cut short."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _column(header: list, index: int, letters: bool = False) -> str:
    """A column as a message names it: its name if it is one of COLUMNS, else
    its number (CSV) or letter (XLSX)."""
    name = _text(header[index]).lower() if index < len(header) else ""
    if name in ALL_COLUMNS:
        return name
    if letters:
        from openpyxl.utils import get_column_letter
        return get_column_letter(index + 1) if index < 18278 else str(index + 1)
    return str(index + 1)


# --- CSV -----------------------------------------------------------------------

def _looks_utf16(data: bytes) -> bool:
    """UTF-16 (or UTF-32) text: a byte-order mark, or zero bytes at every
    other place, as ASCII letters have in UTF-16. (Such text is valid UTF-8.)"""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:4096]
    return b"\x00" in head and max(head[0::2].count(0), head[1::2].count(0)) * 4 >= len(head)


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    """Read strictly: a quote that is never closed, text after a closing
    quote, or a quoted field that runs over whole rows is an error naming the
    row and column where it starts, not a field that swallows the rest."""
    if _looks_utf16(data):
        raise ReturnFileError([NOT_UTF16])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ReturnFileError([Problem(None, None,
                                   f"not UTF-8 text (row {line} has a character that cannot be read); in Excel "
                               "use Save As › CSV UTF-8, or save the file as UTF-8")]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list]] = []
    several: list[tuple[int, list, int]] = []     # records over several lines: (row, cells, lines)
    line = 0                                  # physical lines read so far
    try:
        for cells in reader:
            number = len(rows) + 1
            if reader.line_num - line > 1 and rows:
                several.append((number, cells, reader.line_num - line))
            line = reader.line_num
            rows.append((number, cells))
    except csv.Error as exc:
        header = rows[0][1] if rows else []
        raise ReturnFileError(_swallowed(several, rows)
                              + [_csv_problem(text, line, len(rows) + 1, header, str(exc))]) from None
    problems = _swallowed(several, rows)
    if problems:
        raise ReturnFileError(problems)
    return rows


def _swallowed(several: list[tuple[int, list, int]], rows: list[tuple[int, list]]) -> list[Problem]:
    """A quoted field over several lines is a note with line breaks, unless a
    line inside it is a whole row: then a quote was left open and closed
    rows later, and the rows between would be read as part of the field.
    A line is a row if it has as many fields as the header and names, in
    the force column, a force that a row of the file names, or holds a
    YYYY-MM month in the month column; a note's line with commas
    ("burglary, robbery, theft, …") is not. Without those columns, any line
    with the header's fields is."""
    if not several:
        return []
    header = rows[0][1]
    names = [h.strip().lower() for h in header]
    force_at = names.index("force") if "force" in names else None
    month_at = names.index("month") if "month" in names else None
    forces = {cells[force_at].strip().lower() for _, cells in rows[1:]
              if force_at is not None and force_at < len(cells)}
    width = max(len(header), 2)

    def row_like(part: str) -> bool:
        fields = [f.strip().strip('"').strip() for f in part.split(",")]
        if len(fields) < width:
            return False
        if force_at is None and month_at is None:
            return True
        return ((force_at is not None and fields[force_at].lower() in forces)
                or (month_at is not None and _MONTH_SHAPE.fullmatch(fields[month_at]) is not None))

    problems = []
    for number, cells, lines in several:
        for index, cell in enumerate(cells):
            if ("\n" in cell or "\r" in cell) and any(row_like(part) for part in cell.splitlines()[1:]):
                problems.append(Problem(number, _column(header, index), f"the quote opened here is closed only "
                                f"{lines - 1} line(s) later, so the rows between would be read as part of this "
                                'field; close the quote on this row (a quote inside a field is written twice: "")'))
    return problems


_MONTH_SHAPE = re.compile(r"[0-9]{4}-[0-9]{1,2}")


def _csv_problem(text: str, line: int, number: int, header: list, error: str) -> Problem:
    """The csv module's error as ``row N, column C: ...``: the record that
    failed starts after ``line`` physical lines; find its bad field."""
    pos = 0
    for count, match in enumerate(re.finditer(r"\r\n|\r|\n", text), 1):
        if count == line:
            pos = match.end()
            break
    found = _scan_record(text, pos)
    if found is None:
        return Problem(number, None, f"cannot be read as CSV ({error})")
    index, kind, length = found
    where = _column(header, index)
    if kind == "unclosed":
        return Problem(number, where, "the quote opened here is never closed; the rows after it would be lost")
    if kind == "long":
        return (Problem(number, where,
                    f"the field is {length:,} characters long; a field may hold at most {MAX_NOTE:,} "
                "(a spreadsheet cell's limit)"))
    return (Problem(number, where, "text follows the closing quote; put the whole field in quotes and write a quote "
            'inside it twice ("")'))


def _scan_record(text: str, pos: int) -> tuple[int, str, int] | None:
    """(field index, "unclosed" | "after" | "long", length) of the first
    malformed field of the record starting at ``pos``; None if none is."""
    limit = csv.field_size_limit()
    field, end = 0, len(text)
    separator = re.compile(r"[,\r\n]")
    while True:
        if pos < end and text[pos] == '"':
            close = pos + 1
            while True:
                close = text.find('"', close)
                if close < 0:
                    return field, "unclosed", end - pos
                if text.startswith('"', close + 1):
                    close += 2
                    continue
                break
            if close - pos - 1 > limit:
                return field, "long", close - pos - 1
            after = close + 1
            if after < end and text[after] not in ",\r\n":
                return field, "after", 0
        else:
            match = separator.search(text, pos)
            after = match.start() if match else end
            if after - pos > limit:
                return field, "long", after - pos
        if after >= end or text[after] != ",":
            return None
        pos, field = after + 1, field + 1


# --- XLSX ----------------------------------------------------------------------

# Every part of a workbook that is parsed is bounded first (issue 24 item 2;
# docs/decisions.md, "Bounded workbooks"): its size, its XML elements and what
# it holds (cell styles, shared strings, rows, empty ones too) are counted on
# the decompressed bytes, which is cheap (bytes.count over 1 MB chunks,
# stopping at the first limit passed), before openpyxl builds anything; and
# the sheet is then parsed keeping one row in memory. A real quarterly return
# has a few thousand rows and tens of styles; each limit is far above that
# and far below what makes a worker slow.
MAX_ROWS = 200_000                     # rows of the first sheet, empty ones too
MAX_ROW_CELLS = 16_384                 # cells of one row: Excel's own limit (column XFD)
MAX_SHEET_ELEMENTS = 4_000_000         # XML elements of the first sheet (a cell is 2-3)
MAX_STYLES = 10_000                    # <xf> cell styles (Excel's own limit is about 65,000)
MAX_STYLE_ENTRIES = 100_000            # every element of styles.xml: fonts, fills, borders, formats
MAX_STYLES_BYTES = 5 * 1024 * 1024
MAX_SHARED_STRINGS = 200_000           # distinct texts of the workbook
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
MAX_PART_BYTES = 5 * 1024 * 1024       # the package's list, the workbook part, relationships
MAX_PART_ELEMENTS = 100_000
MAX_RATIO = 100                        # uncompressed / compressed, for a member over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024
_SAVE_AGAIN = "save it again from Excel, or as CSV UTF-8"
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _old_excel(data: bytes) -> Problem:
    """An OLE2 compound file: a legacy .xls, or an .xlsx that a password
    encrypted (Excel stores those in the same container)."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return Problem(None, None, "the workbook is protected by a password (it is encrypted); remove the password "
                       "in Excel (File › Info › Protect Workbook) and save it as .xlsx, or as CSV UTF-8")
    return Problem(None, None, "this is an old Excel workbook (.xls), which pccperf does not read; in Excel use "
                   "Save As › Excel Workbook (.xlsx), or CSV UTF-8")


def _unescape(text: str) -> str:
    """OOXML's escape of a character XML cannot hold, _xHHHH_ (_x003D_ is
    "="), undone as Excel does, so a note is checked as Excel shows it;
    _x005F_ is "_", which is how Excel writes a literal "_x003D_"."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


@dataclass
class _Scan:
    """What one bounded pass over a part's bytes found."""
    size: int = 0
    elements: int = 0
    tags: int = 0
    doctype: bool = False


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, tag: bytes | None, *, max_bytes: int,
          max_elements: int, max_tags: int | None = None) -> _Scan:
    """Count the part's elements and its ``tag`` elements (with or without a
    namespace prefix) on its decompressed bytes, stopping as soon as a count
    or the size passes its limit. Every element starts with "<" not followed
    by "/", "!" or "?" ("<" cannot appear unescaped elsewhere, except in
    comments and CDATA, which only count high), so this is an upper bound
    whatever the XML's layout."""
    tokens = [b"<", b"</", b"<!", b"<?", b"<!DOCTYPE"]
    if tag:
        tokens += [b"<" + tag, b":" + tag]
    counts = [0] * len(tokens)
    found = _Scan()
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            found.size += len(chunk)
            for i, token in enumerate(tokens):
                seam = tail[-(len(token) - 1):] + chunk[:len(token) - 1] if len(token) > 1 and tail else b""
                counts[i] += chunk.count(token) + seam.count(token)
            tail = chunk[-16:]
            found.elements = counts[0] - counts[1] - counts[2] - counts[3]
            found.doctype = counts[4] > 0
            found.tags = sum(counts[5:])
            if (found.size > max_bytes or found.elements > max_elements or found.doctype
                    or (max_tags is not None and found.tags > max_tags)):
                break
    return found


def _bound_part(archive: zipfile.ZipFile, name: str, *, what: str, max_bytes: int = MAX_PART_BYTES,
                max_elements: int = MAX_PART_ELEMENTS, tag: bytes | None = None, max_tags: int | None = None,
                too_many: str = "", too_many_elements: str = "") -> None:
    """Refuse the part ``name`` (if the workbook has it) past its limits, before it is parsed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return                              # openpyxl says so in its own way
    found = _scan(archive, info, tag, max_bytes=max_bytes, max_elements=max_elements, max_tags=max_tags)
    if found.doctype:
        raise ReturnFileError([Problem(None, None, f"{what} declares a DOCTYPE, which Excel never writes; "
                                       f"{_SAVE_AGAIN}")])
    if max_tags is not None and found.tags > max_tags:
        raise ReturnFileError([Problem(None, None, too_many)])
    if found.elements > max_elements:
        raise ReturnFileError([Problem(None, None, too_many_elements or (
            f"{what} holds more than {max_elements:,} XML elements; a workbook Excel writes holds far fewer: "
            f"{_SAVE_AGAIN}"))])
    if found.size > max_bytes:
        raise ReturnFileError([Problem(None, None, f"{what} is larger than {max_bytes // 1024 // 1024} MB "
                                       f"uncompressed; {_SAVE_AGAIN}")])


def _bound_ratios(archive: zipfile.ZipFile) -> None:
    """No member may expand more than MAX_RATIO times (once it is over
    RATIO_FLOOR: small parts such as an empty sheet's compress far better,
    and cost nothing). Deflate gives a real sheet or distinct strings 10 to
    13 times; the bombs of issue 24 were 343 and 412."""
    for info in archive.infolist():
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ReturnFileError([Problem(None, None, (
                f"the workbook's part {_show(info.filename, 60)} expands {ratio:,.0f} times "
                f"({info.compress_size / 1024:,.0f} KB to {info.file_size / 1024 / 1024:,.1f} MB); at most "
                f"{MAX_RATIO} times is accepted: {_SAVE_AGAIN}"))])


def _read_xlsx(data: bytes, further: bool = False) -> list:
    """The first sheet, read whole whatever size it declares, within
    MAX_EXPANDED and the bounds above, checked before anything is parsed.
    With ``further``: the workbook's other visible worksheets instead, as
    (title, rows) (a wide template's local-area sheets; returns/wide.py)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        expanded = sum(member.file_size for member in archive.infolist())
    except Exception as exc:  # a damaged zip raises many kinds
        raise ReturnFileError([Problem(None, None, f"not a readable XLSX workbook ({type(exc).__name__})")]) from None
    if expanded > MAX_EXPANDED:
        raise ReturnFileError([Problem(None, None,
                                   f"the workbook would expand to {expanded / 1024 / 1024:,.0f} MB; at most "
                               f"{MAX_EXPANDED // 1024 // 1024} MB is accepted (split it, or save it as CSV UTF-8)")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # openpyxl warns of styles and extensions it does not read
        try:
            return _read_further_sheets(archive) if further else _read_first_sheet(archive)
        except ReturnFileError:
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ReturnFileError([Problem(None, None,
                                       f"not a readable XLSX workbook ({type(exc).__name__})")]) from None


@dataclass
class _FirstSheet:
    title: str
    state: str
    path: str


def _bounded_workbook(archive: zipfile.ZipFile):
    """openpyxl's reader, reading only what a return needs (the package's
    list, the workbook part, styles, shared strings, and where the first
    worksheet is), each part bounded before it is parsed. Returns the
    workbook (styles, epoch), the shared strings and the first worksheet (or
    None)."""
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    reader = ExcelReader(archive.fp, read_only=True, data_only=True, keep_links=False)
    archive = reader.archive
    _bound_part(archive, ARC_CONTENT_TYPES, what="the workbook's list of parts ([Content_Types].xml)")
    reader.read_manifest()
    workbook_part = _find_workbook_part(reader.package).PartName[1:]
    for name in (workbook_part, get_rels_path(workbook_part)):
        _bound_part(archive, name, what=f"the workbook's part {_show(name, 60)}")
    reader.read_workbook()
    sheets = [_FirstSheet(sheet.name, sheet.state or "visible", rel.target)
              for sheet, rel in reader.parser.find_sheets()
              if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    if len(sheets) > MAX_SHEETS:
        raise ReturnFileError([Problem(None, None, f"the workbook has {len(sheets):,} worksheets; at most "
                                                   f"{MAX_SHEETS} are accepted")])
    # the parts that are big in a bomb: bounded before any of them is parsed
    _bound_part(archive, ARC_STYLE, what="the workbook's styles.xml", max_bytes=MAX_STYLES_BYTES,
                max_elements=MAX_STYLE_ENTRIES, tag=b"xf", max_tags=MAX_STYLES,
                too_many=f"the workbook's styles.xml has more than {MAX_STYLES:,} cell styles; save it again "
                "from Excel with fewer styles, or as CSV UTF-8",
                too_many_elements=f"the workbook's styles.xml has more than {MAX_STYLE_ENTRIES:,} entries (fonts, "
                "fills, borders, number formats); save it again from Excel with fewer styles, or as CSV UTF-8")
    strings = reader.package.find(SHARED_STRINGS)
    strings_part = strings.PartName[1:] if strings is not None else None
    if strings_part:
        _bound_part(archive, strings_part, what="the workbook's shared strings", tag=b"si",
                    max_bytes=MAX_SHARED_STRINGS_BYTES, max_elements=4 * MAX_SHARED_STRINGS,
                    max_tags=MAX_SHARED_STRINGS, too_many=_too_many_strings(f"more than {MAX_SHARED_STRINGS:,}"))
    for sheet in sheets:
        _bound_part(archive, sheet.path, what="the sheet", tag=b"row", max_bytes=MAX_EXPANDED,
                    max_elements=MAX_SHEET_ELEMENTS, max_tags=MAX_ROWS,
                    too_many=f"the sheet has more than {MAX_ROWS:,} rows (empty rows count: Excel keeps a row "
                    f"once it has been formatted); at most {MAX_ROWS:,} are accepted: delete the empty rows after "
                    "the figures, or copy the figures into a new workbook",
                    too_many_elements=f"the sheet holds more than {MAX_SHEET_ELEMENTS:,} XML elements; split the "
                    "figures over several files, or save them as CSV UTF-8")
    _bound_ratios(archive)
    # now parse: each part is known to be small enough
    apply_stylesheet(archive, reader.wb)
    shared = _shared_strings(archive, strings_part) if strings_part else []
    return reader.wb, shared, sheets


def _too_many_strings(count: str) -> str:
    return (f"the workbook holds {count} shared strings (different texts); at most {MAX_SHARED_STRINGS:,} are "
            "accepted: copy the return's figures into a new workbook, or save them as CSV UTF-8")


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    """The shared strings as Excel shows them (plain text and rich-text runs,
    not the phonetic guides; OOXML escapes undone), streamed: the list is
    all that is kept. The count the part declares is believed when it is
    too many, and checked as the strings are read."""
    from xml.etree.ElementTree import iterparse

    si, text, run = (f"{_MAIN_NS}{t}" for t in ("si", "t", "r"))
    strings: list[str] = []
    root = None
    with archive.open(name) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if root is None:
                root = element
                declared = element.get("uniqueCount") or element.get("count") or ""
                if declared.isdigit() and int(declared) > MAX_SHARED_STRINGS:
                    raise ReturnFileError([Problem(None, None, _too_many_strings(f"{int(declared):,}"))])
                continue
            if event != "end" or element.tag != si:
                continue
            parts = [element.findtext(text) or ""]
            parts += [r.findtext(text) or "" for r in element.iterfind(run)]
            strings.append(_unescape("".join(parts)))
            if len(strings) > MAX_SHARED_STRINGS:
                raise ReturnFileError([Problem(None, None, _too_many_strings(f"more than {MAX_SHARED_STRINGS:,}"))])
            root.clear()                    # the strings read so far: only the list keeps them
    return strings


def _read_first_sheet(archive: zipfile.ZipFile) -> list[tuple[int, list]]:
    book, shared, sheets = _bounded_workbook(archive)
    first = sheets[0] if sheets else None
    if first is None:
        raise ReturnFileError([Problem(None, None, "the workbook has no worksheet")])
    if first.state != "visible":
        raise ReturnFileError([Problem(None, None,
                                   f"the first sheet, {_show(first.title)}, is hidden; pccperf reads the first "
                               "sheet: unhide it, or move the return's sheet to the front")])

    with archive.open(first.path) as source:
        return _sheet_rows(book, shared, source, _declared)


def _declared(ref: str) -> None:
    """The dimension a sheet declares, seen before its rows: refuse a huge one at once."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    c0, r0, c1, r1 = range_boundaries(ref.upper())
    if None in (c0, r0, c1, r1):
        return
    cells = max(c1 - c0 + 1, 1) * max(r1 - r0 + 1, 1)
    if cells > MAX_CELLS:
        raise ReturnFileError([
            Problem(None, None, f"the sheet declares {get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1} "
            f"({cells:,} cells); at most {MAX_CELLS:,} cells are accepted (delete the empty rows and "
            "columns after the figures, or copy the figures into a new workbook)")])


def _read_further_sheets(archive: zipfile.ZipFile) -> list[tuple[str, list[tuple[int, list]]]]:
    """The visible worksheets after the first, as (title, rows), each read
    and bounded as the first is (a wide template's local-area sheets)."""
    book, shared, sheets = _bounded_workbook(archive)
    out = []
    for sheet in sheets[1:]:
        if sheet.state != "visible":
            continue
        try:
            with archive.open(sheet.path) as source:
                rows = _sheet_rows(book, shared, source, _declared)
        except ReturnFileError as exc:      # name the sheet in each problem
            raise ReturnFileError([dataclasses.replace(p, sheet=sheet.title) for p in exc.problems],
                                  exc.total) from None
        while rows and all(_blank(cell) for cell in rows[-1][1]):
            rows.pop()
        out.append((sheet.title, rows))
    return out


class _EmptyFormula(str):
    """A formula cell whose saved result is empty text (``=IF(A2="","",A2)``):
    blank to every check, but a row made empty only by such cells is
    reported, not skipped (check_rows)."""

    formula: str


def _sheet_rows(book, shared: list[str], source, declared) -> list[tuple[int, list]]:
    """Every row the sheet holds (not only those its dimension declares),
    with its own row number; formula cells with no saved value, error cells,
    a row number met twice (or going back), a cell met twice and merged
    cells are problems; a number formatted as a percentage is read as shown
    (0.552 formatted 0.0% is 55.2). Parsed keeping one row in memory."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser

    row_tag, cell_tag, dimension_tag, merge_tag = (f"{_MAIN_NS}{t}" for t in ("row", "c", "dimension",
                                                                              "mergeCell"))
    merges: list[str] = []

    class Parser(WorkSheetParser):
        def parse(self):
            """(row number, cells) as openpyxl's parse gives them, but each
            element is dropped from its parent once read, so memory holds
            one row, not the sheet; and no row holds more than MAX_ROW_CELLS."""
            from xml.etree.ElementTree import iterparse

            stack, in_row, width = [], False, 0
            for event, element in iterparse(self.source, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    stack.append(element)
                    if tag == cell_tag and in_row:
                        width += 1
                        if width > MAX_ROW_CELLS:
                            raise ReturnFileError([Problem(None, None, f"a row of the sheet holds more than "
                                                   f"{MAX_ROW_CELLS:,} cells, Excel's limit; {_SAVE_AGAIN}")])
                    elif tag == row_tag:
                        in_row, width = True, 0
                    continue
                stack.pop()
                if tag == row_tag:
                    in_row = False
                    yield self.parse_row(element)
                elif in_row:
                    continue                # a row's cells stay until the row is read
                elif tag == dimension_tag and element.get("ref"):
                    declared(element.get("ref"))
                elif tag == merge_tag and element.get("ref"):
                    merges.append(element.get("ref"))
                if stack:
                    del stack[-1][-1]       # the element just read is its parent's last child

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            kind = element.get("t")
            if kind in ("inlineStr", "str") and isinstance(cell["value"], str):
                cell["value"] = _unescape(cell["value"])          # shared strings are unescaped already
            if cell["value"] is None and element.find(_FORMULA_TAG) is not None:
                formula = "=" + (element.findtext(_FORMULA_TAG) or "")
                if kind == "str" and element.find(_VALUE_TAG) is not None:     # saved, as empty text
                    cell["value"] = _EmptyFormula()
                    cell["value"].formula = formula
                else:                       # no <v>, or an empty one that is not text: never calculated
                    cell["data_type"] = "formula"
                    cell["value"] = formula
            return cell

    percent = _percent_styles(book)
    rows: list[tuple[int, list]] = []
    problems: list[Problem] = []
    header: list = []
    cells = 0
    last = 0
    seen: set[int] = set()
    parser = Parser(source, shared, data_only=True, epoch=book.epoch,
                    date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
    for number, parsed in parser.parse():
        if number < 1:
            problems.append(Problem(None, None, f"the sheet holds a row numbered {number} (the file is damaged); "
                                    f"{_SAVE_AGAIN}"))
            continue
        if number <= last:                  # two <row r="2">, or a row going back: a damaged file
            problems.append(Problem(number, None, (
                f"the sheet holds row {number} twice" if number in seen else
                f"the sheet holds row {number} after row {last}") + f" (the file is damaged); {_SAVE_AGAIN}"))
            continue
        last = number
        seen.add(number)
        width = max((c["column"] for c in parsed), default=0)
        cells += width
        if cells > MAX_CELLS:
            raise ReturnFileError([Problem(None, None,
                                       f"the sheet holds more than {MAX_CELLS:,} cells; at most {MAX_CELLS:,} "
                                   "are accepted (split the figures over several files)")])
        values: list = [None] * width
        filled: set[int] = set()
        for c in parsed:
            if c["column"] < 1:
                continue
            value = c["value"]
            if c["column"] in filled:
                where = _column(header, c["column"] - 1, letters=True)
                problems.append(Problem(number, where, f"the sheet holds this cell twice (the file is damaged); "
                                        f"{_SAVE_AGAIN}"))
                continue
            filled.add(c["column"])
            if c["data_type"] in ("formula", "e"):
                where = _column(header, c['column'] - 1, letters=True)
                problems.append(
                    Problem(number, where,
                        f"the formula {_show(str(value))} has no saved value (the program that wrote the file "
                    "did not calculate it); open the file in Excel and save it, or type the figure")
                    if c["data_type"] == "formula" else
                    Problem(number, where,
                        f"the cell shows the error {_show(str(value))}; correct it or leave the cell empty"))
                value = None
            elif c["style_id"] in percent and isinstance(value, int | float) and not isinstance(value, bool):
                value = float(Decimal(repr(float(value))) * 100)
            values[c["column"] - 1] = _xlsx_cell(value)
        if not rows:
            while values and _blank(values[-1]):
                values.pop()
            header = values
        elif len(values) > len(header):          # blank cells after the last column are nothing
            last_filled = max((i for i, v in enumerate(values) if not _blank(v)), default=-1)
            del values[max(last_filled + 1, len(header)):]
        values += [None] * (len(header) - len(values))
        rows.append((number, values))
    for ref in merges:                           # a merged cell reads as empty in all rows but its first
        c0, r0, c1, r1 = range_boundaries(ref.upper())
        if c0 is None or r0 is None or c0 > max(len(header), 1):
            continue
        problems.append(Problem(r0, _column(header, c0 - 1, letters=True),
                                f"the cells {ref.upper()} are merged, so all but the first read as empty; "
                                "unmerge them and fill in each cell"))
    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        raise ReturnFileError(problems)
    return rows


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_FORMULA_TAG = f"{_MAIN_NS}f"
_VALUE_TAG = f"{_MAIN_NS}v"


def _percent_styles(book) -> set[int]:
    """Style ids whose number format shows a percentage."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    found = set()
    for style_id, style in enumerate(book._cell_styles):
        fmt_id = style.numFmtId
        if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
            fmt = BUILTIN_FORMATS.get(fmt_id, "General")
        else:
            extra = book._number_formats
            fmt = extra[fmt_id - BUILTIN_FORMATS_MAX_SIZE] if fmt_id - BUILTIN_FORMATS_MAX_SIZE < len(extra) else ""
        shown = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt)        # quoted text, escapes, [colours] show no %
        if "%" in shown:
            found.add(style_id)
    return found


def _xlsx_cell(cell):
    if isinstance(cell, _EmptyFormula):
        return cell
    if isinstance(cell, datetime | date):
        return f"{cell.year:04d}-{cell.month:02d}"          # Excel turns 2013-04 into a date
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int | float):
        return cell
    return None if cell is None else str(cell)


# How often check_rows reports progress: rare enough to cost nothing (a
# call per 5,000 rows), often enough that a job's page moves every second.
PROGRESS_EVERY = 5000


def check_rows(header: list[str], body: list[tuple[int, list]], catalogue: Catalogue, *,
               today: date, skipped: list[int] | None = None, progress=None) -> list[Row]:
    """Every row checked; ReturnFileError listing all problems if any.

    A row that names a measure and month but gives no figure, status or note
    (a template row left empty) is not a figure: it is skipped, and its
    number added to ``skipped``.

    ``progress(done, problems)``, if given, is called every PROGRESS_EVERY
    rows: a big file is checked by a job (indicators/returns/jobs.py) whose
    page shows the rows checked and problems found so far. (Should the fast
    path give up, the count starts again from the first row.)"""
    problems: list[Problem] = []
    if len(header) == 1 and ";" in header[0]:
        raise ReturnFileError([Problem(None, None, "the columns are separated by semicolons; pccperf reads commas "
                               "(in Excel choose Save As › CSV UTF-8 (comma delimited))")])
    counts = Counter(header)
    problems += [Problem(None, None, f"missing column '{col}'") for col in COLUMNS if col not in counts]
    problems += [Problem(None, None, f"unexpected column {_show(col) if col else repr('(blank)')}; the columns are "
                 f"{', '.join(COLUMNS)} and, optionally, {', '.join(OPTIONAL)}") for col in header if col not in ALL_COLUMNS]
    problems += [Problem(None, None, f"column '{col}' appears more than once") for col in ALL_COLUMNS
                 if counts[col] > 1]
    if problems:
        raise ReturnFileError(problems)
    if not body:
        raise ReturnFileError([Problem(None, None, "the file has a header but no rows")])

    position = {col: header.index(col) for col in ALL_COLUMNS if col in counts}
    this_month = periods.first_of_month(today)
    fast = _fast_rows(len(header), position, body, catalogue, this_month, progress)
    if fast is not None:
        rows, blank = fast
        if skipped is not None:
            skipped += blank
        return rows
    seen: dict[tuple[str, str, str, date], int] = {}
    rows: list[Row] = []
    dropped = 0                  # problems counted but not kept (only SHOWN_PROBLEMS are listed)
    for done, (number, cells) in enumerate(body):
        if progress is not None and not done % PROGRESS_EVERY:
            progress(done, len(problems) + dropped)
        if len(problems) > 2 * SHOWN_PROBLEMS:
            dropped += len(problems) - SHOWN_PROBLEMS
            del problems[SHOWN_PROBLEMS:]
        if len(cells) != len(header):
            if all(_blank(c) for c in cells):
                problems.append(Problem(number, None, "the row is blank"))
            else:
                problems.append(Problem(number, None, f"has {len(cells)} fields; the header has {len(header)}"))
            continue
        named = {col: cells[i] for col, i in position.items()}
        for col in (AREA, FROM, LOWER, UPPER):      # `illustrative` left out: absent is not blank (None, not False)
            named.setdefault(col, None)
        if _blank(named["value"]) and _blank(named["numerator"]) and _blank(named["denominator"]) and \
                _blank(named["note"]) and _text(named["status"]).lower() in ("", "final"):
            hidden = [(col, named[col]) for col in ("value", "numerator", "denominator", "status", "note")
                      if isinstance(named[col], _EmptyFormula)]
            if hidden:                     # looks empty only because a formula gave "": say so, not skip it
                problems += [Problem(number, col, f"the formula {_show(cell.formula)} gives an empty result, so "
                                     "this row would be skipped as empty; type the figure, or clear the cell")
                             for col, cell in hidden]
                continue
            if skipped is not None:
                skipped.append(number)
            continue
        row = _check_row(number, named, catalogue, this_month, problems)
        if row is None:
            continue
        key = (row.force, row.indicator, row.area, row.month)
        if key in seen:
            what = "force, indicator, area and month" if row.area else "force, indicator and month"
            problems.append(Problem(number, None, f"the same {what} as row {seen[key]}"))
            continue
        seen[key] = number
        rows.append(row)
    problems += _overlaps(rows, catalogue)
    relocate = getattr(body, "relocate", None)
    if relocate is not None:               # a wide sheet (returns/wide.py) names its own cells
        problems, rows = relocate(problems, rows, skipped)
    if not rows and not problems:
        raise ReturnFileError([Problem(None, None,
                                   "no row gives a figure (every row's value, numerator, denominator and "
                               "note are empty)")])
    if problems:
        raise ReturnFileError(problems, total=len(problems) + dropped)
    return rows



# A file of plain decimals, all well: the common case of a large return or
# open-data file, checked column by column (C-level str.strip, float and one
# regular expression over a whole column) and by one lookup per distinct
# force and measure, area and month, instead of cell by cell. It returns
# exactly the Rows the per-row path would, or None at the first thing it does
# not accept as certainly fine (a problem, a cell that is not text, a wide
# sheet, a duplicate, ...): then the per-row path runs from the start and
# words every problem as before. tests/test_returnfile_fast.py holds the two
# paths equal.
_PLAIN_NUMBERS = re.compile(r"(?:-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\n)*")


def _fast_numbers(texts: list[str]) -> list[float | None] | None:
    filled = [t for t in texts if t]
    if not filled:
        return [None] * len(texts)
    if not _PLAIN_NUMBERS.fullmatch("\n".join(filled) + "\n"):
        return None
    try:
        numbers = iter([v + 0.0 for v in map(float, filled)])    # -0.0 + 0.0 is 0.0, as _finite
    except ValueError:                    # a line break inside a cell passes the expression, not float()
        return None
    out = [next(numbers) if t else None for t in texts]
    if max(map(abs, (v for v in out if v is not None))) > MAX_MAGNITUDE:     # inf too
        return None
    return out


def _fast_rows(width: int, position: dict[str, int], body, cat: Catalogue,
               this_month: date, progress=None) -> tuple[list[Row], list[int]] | None:
    """(rows, skipped row numbers), or None: see above."""
    if getattr(body, "relocate", None) is not None or not body:
        return None
    if any(len(cells) != width for _, cells in body):
        return None
    columns = list(zip(*(cells for _, cells in body)))
    if any(set(map(type, column)) != {str} for column in columns):
        return None
    strip = str.strip
    force_c, code_c, month_c, status_c, note_c = (list(map(strip, columns[position[c]]))
                                                  for c in ("force", "indicator", "month", "status", "note"))
    area_c = list(map(strip, columns[position[AREA]])) if AREA in position else [""] * len(body)
    if any(any(map(strip, columns[position[col]])) for col in (FROM, LOWER, UPPER) if col in position):
        return None                     # spans and intervals: the per-row path checks them (SPEC §6)
    flags: list = [None] * len(body)    # no `illustrative` column: the file says nothing of the flag
    if ILLUSTRATIVE in position:
        flags = [FLAG_WORDS.get(strip(text).lower()) for text in columns[position[ILLUSTRATIVE]]]
        if None in flags:
            return None                 # a word that is not a flag: the per-row path words the problem
    figures = []
    for column in ("value", "numerator", "denominator"):
        texts = list(map(strip, columns[position[column]]))
        numbers = _fast_numbers(texts)
        if numbers is None:
            return None
        figures.append(numbers)
    value_c, num_c, den_c = figures

    infos: dict[tuple[str, str], IndicatorInfo | None] = {}
    months: dict[str, date | None] = {}
    areas: dict[tuple[str, str], int | None] = {}
    seen: set = set()
    rows: list[Row] = []
    skipped: list[int] = []
    scratch: list[Problem] = []
    for done, ((number, _), force, code, raw_month, status, note, area, value, num, den, flag) in enumerate(zip(
            body, force_c, code_c, month_c, status_c, note_c, area_c, value_c, num_c, den_c, flags)):
        if progress is not None and not done % PROGRESS_EVERY:
            progress(done, 0)
        status = status.lower()
        if value is None and num is None and den is None and not note and status in ("", "final"):
            skipped.append(number)
            continue
        status = status or "final"
        key = (force, code)
        info = infos.get(key, False)
        if info is False:
            info = cat.indicators.get(key) if force in cat.forces else None
            if info is not None and not (cat.editable is None or info.force_id in cat.editable
                                         or (info.msg and info.force_id in cat.peer_editable)):
                info = None
            infos[key] = info
        if info is None or info.frequency != "monthly":
            return None
        area_id = None
        if area:
            area_key = (force, area)
            area_id = areas.get(area_key, False)
            if area_id is False:
                area_id = areas[area_key] = cat.areas.get(area_key)
            if area_id is None:
                return None
        month = months.get(raw_month, False)
        if month is False:
            month = None
            if raw_month and len(raw_month) <= 20:
                parsed, error = _month(raw_month)
                if not error and parsed <= this_month:
                    month = parsed
            months[raw_month] = month
        if month is None or status not in STATUSES:
            return None
        if note and (note.startswith(_FORMULA_START) or len(note) > MAX_NOTE or _UNSTORABLE.search(note)
                     or invisible(note)):
            return None
        if status == "unavailable":
            if not note or value is not None or num is not None or den is not None:
                return None
        else:
            _check_figures(number, info, value, num, den, scratch)
            if scratch:
                return None
        seen_key = (force, code, area, month)
        if seen_key in seen:
            return None
        seen.add(seen_key)
        value = _derived(info, value, num, den)
        rows.append(Row(number, force, code, info.id, info.force_id, month, value, num, den, status, note, area,
                        area_id, illustrative=flag))
    if not rows:
        return None
    return rows, skipped


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _number(number: int, column: str, cell, problems: list[Problem]) -> tuple[bool, float | None]:
    """(ok, value): a plain decimal with a dot and ASCII digits, or an XLSX
    number. -0 is 0."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        value = float(cell)
    else:
        text = _text(cell)
        if not text:
            return True, None
        if _NUMBER.fullmatch(text):                  # the usual case first: a plain decimal
            return _finite(number, column, float(text), problems)
        if text.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
            problems.append(Problem(number, column, f"{text!r} is not a number (NaN and infinity are not allowed)"))
            return False, None
        if _THOUSANDS.fullmatch(text):
            problems.append(Problem(number, column,
                                f"{text!r} has a thousands separator; write it as {text.replace(',', '')}"))
            return False, None
        if _DECIMAL_COMMA.fullmatch(text):
            problems.append(Problem(number, column,
                                f"{text!r} has a decimal comma; write it with a dot: {text.replace(',', '.')}"))
            return False, None
        if _PERCENT_TEXT.fullmatch(text):
            problems.append(Problem(number, column, f"{text!r} has a % sign; write the percentage as a plain number: "
                            f"{text.rstrip('% ')}"))
            return False, None
        hint = " (digits must be 0-9)" if any(ch.isdigit() and not ch.isascii() for ch in text) else ""
        problems.append(Problem(number, column,
                            f"{_show(text)} is not a number{hint}; write a plain decimal such as 512 or 55.2"))
        return False, None
    return _finite(number, column, value, problems)


def _finite(number: int, column: str, value: float, problems: list[Problem]) -> tuple[bool, float | None]:
    if math.isnan(value) or math.isinf(value):
        problems.append(Problem(number, column, "not a number (NaN and infinity are not allowed)"))
        return False, None
    if abs(value) > MAX_MAGNITUDE:
        problems.append(Problem(number, column, f"{_fmt(value)} is too large (more than 10^15)"))
        return False, None
    return True, value + 0.0          # -0.0 + 0.0 is 0.0


@lru_cache(maxsize=4096)
def _month(raw: str) -> tuple[date | None, str | None]:
    """(month, None), or (None, the problem): parsed once per distinct text,
    as a file repeats a few hundred months over its rows."""
    try:
        return periods.parse_month(raw), None
    except ValueError as exc:
        return None, str(exc)


def _check_row(number: int, cells: dict, cat: Catalogue, this_month: date, problems: list[Problem]) -> Row | None:
    start = len(problems)
    force = _text(cells["force"])
    code = _text(cells["indicator"])
    info = None
    if not force:
        problems.append(Problem(number, "force", "is required"))
    elif force not in cat.forces:
        problems.append(Problem(number, "force", f"unknown force {_show(force)}"))
    elif not code:
        problems.append(Problem(number, "indicator", "is required"))
    elif (force, code) not in cat.indicators:
        problems.append(Problem(number, "indicator", f"force {force!r} has no indicator {_show(code)}"))
    else:
        info = cat.indicators[(force, code)]
        allowed = (cat.editable is None or info.force_id in cat.editable
                   or (info.msg and info.force_id in cat.peer_editable))
        if not allowed:
            problems.append(Problem(number, "force", _refusal(cat, force, code, info)))

    area, area_id = _text(cells[AREA]), None
    if area and force in cat.forces:
        area_id = cat.areas.get((force, area))
        if area_id is None:
            others = sorted(f for f, code in cat.areas if code == area and f != force)
            known = sorted(code for f, code in cat.areas if f == force)
            if others:
                problems.append(Problem(number, AREA, f"{_show(area)} is a local area of {', '.join(others)}, "
                                f"not of {force!r}; a figure is for an area of its own force"))
            else:
                problems.append(Problem(number, AREA, f"force {force!r} has no local area {_show(area)}"
                                + (f" (its areas: {', '.join(known[:20])}{' …' if len(known) > 20 else ''})"
                                   if known else "; leave it empty for the whole force")))

    month = None
    raw_month = _text(cells["month"])
    if not raw_month:
        problems.append(Problem(number, "month", "is required, as YYYY-MM"))
    elif len(raw_month) > 20:
        problems.append(Problem(number, "month", f"{_show(raw_month)} is not a month; write it as YYYY-MM"))
    else:
        month, error = _month(raw_month)
        if error:
            problems.append(Problem(number, "month", error))
        else:
            if month > this_month:
                problems.append(Problem(number, "month", f"{raw_month} is after the current month"))

    status = _text(cells["status"]).lower() or "final"
    if status not in STATUSES:
        problems.append(Problem(number, "status", f"must be final, provisional or unavailable "
                        f"(got {_show(_text(cells['status']))})"))
    note = "" if cells["note"] is None else str(cells["note"]).strip()
    shown_nothing = ""
    if note and invisible(note) and not _UNSTORABLE.search(note):
        # only zero-width or other invisible characters: no note, as a reader of the page sees it
        shown_nothing = f" (the note holds only the invisible {_codepoints(note)}, which is no note)"
        note = ""
    if note.startswith(_FORMULA_START):
        problems.append(Problem(number, "note", f"starts with {note[0]!r}, which a spreadsheet would run as "
                        "a formula; remove it or begin the note with a letter"))
    if len(note) > MAX_NOTE:
        problems.append(Problem(number, "note", f"{len(note):,} characters long; a note may be at most "
                        f"{MAX_NOTE:,} characters"))
    else:
        bad = _UNSTORABLE.search(note)
        if bad:
            problems.append(Problem(number, "note", f"contains the control character U+{ord(bad.group()):04X}, "
                            "which is invisible and cannot be stored; remove it"))

    illustrative = None
    if ILLUSTRATIVE in cells:
        illustrative = _flag(cells[ILLUSTRATIVE])
        if illustrative is None:
            problems.append(Problem(number, ILLUSTRATIVE, f"{_show(_text(cells[ILLUSTRATIVE]))} is not true or false; "
                            "write true, false, yes, no, 1 or 0 (empty: false, a published figure)"))

    first = None
    raw_from = _text(cells[FROM])
    if raw_from:
        if len(raw_from) > 20:
            problems.append(Problem(number, FROM, f"{_show(raw_from)} is not a month; write it as YYYY-MM"))
        else:
            first, error = _month(raw_from)
            if error:
                problems.append(Problem(number, FROM, error))
    first_month = None
    if info is not None and month is not None and (first is not None or not raw_from):
        first_month = _span(number, code, info, month, first, problems)

    values = {}
    for column in ("value", "numerator", "denominator", LOWER, UPPER):
        ok, values[column] = _number(number, column, cells[column], problems)
    value, num, den = values["value"], values["numerator"], values["denominator"]
    lower, upper = values[LOWER], values[UPPER]

    if status == "unavailable":
        if not note:
            problems.append(Problem(number, "note", "a note is required when status is unavailable "
                            "(say why the figure is missing)" + shown_nothing))
        for column in ("value", "numerator", "denominator", LOWER, UPPER):
            if values[column] is not None:
                problems.append(Problem(number, column, "must be empty when status is unavailable"))
    elif info is not None and len(problems) == start:
        _check_figures(number, info, value, num, den, problems)
        if len(problems) == start:
            _check_interval(number, _derived(info, value, num, den), lower, upper, problems)

    if len(problems) > start or info is None or month is None:
        return None
    value = _derived(info, value, num, den)
    return Row(number, force, code, info.id, info.force_id, month, value, num, den, status, note, area, area_id,
               first_month=first_month, lower=lower, upper=upper, illustrative=illustrative)


def _flag(cell) -> bool | None:
    """An ``illustrative`` cell: true/yes/1 or false/no/0/empty, any case (an
    XLSX TRUE or FALSE too); None when it is none of them."""
    return FLAG_WORDS.get(_text(cell).lower())


def _derived(info: IndicatorInfo, value, num, den):
    """The value of a figure given by its parts: 100 × n / d for a ratio,
    n / d for a weighted mean (SPEC §6); else the value as given."""
    if value is None and num is not None and den:
        if info.aggregation == "ratio":
            return 100.0 * num / den
        if info.aggregation == "weighted-mean":
            return num / den
    return value


_FREQUENCY_WORDS = {"quarterly": "a quarterly", "annual": "an annual", "irregular": "an irregular",
                    "monthly": "a monthly"}


def _span(number: int, code: str, info: IndicatorInfo, month: date, first: date | None,
          problems: list[Problem]) -> date | None:
    """The first month of the row's span when it covers more than its month
    (SPEC §6 Frequency), else None; a problem naming the column if the span
    cannot be made."""
    from indicators.engine.windows import Span

    try:
        span = Span.of(month, info.frequency, first, info.covers)
    except ValueError as exc:
        column = MONTH if first is None and info.frequency == "quarterly" else FROM
        problems.append(Problem(number, column, f"{code!r} is {_FREQUENCY_WORDS.get(info.frequency, info.frequency)} "
                                f"measure: {exc}" + (
                                    "; give `from` for a span that is not a calendar quarter"
                                    if column == MONTH else "")))
        return None
    return span.first if len(span) > 1 else None


MONTH = "month"


def _check_interval(number: int, value, lower, upper, problems: list[Problem]) -> None:
    """``lower`` and ``upper``: both or neither, around the value."""
    if lower is None and upper is None:
        return
    if lower is None or upper is None:
        given, missing = (LOWER, UPPER) if upper is None else (UPPER, LOWER)
        problems.append(Problem(number, missing, f"is required when {given} is given (a 95 % interval has both ends)"))
        return
    if value is None:
        return
    if lower > value:
        problems.append(Problem(number, LOWER, f"{_fmt(lower)} is more than the value {_fmt(value)}"))
    if upper < value:
        problems.append(Problem(number, UPPER, f"{_fmt(upper)} is less than the value {_fmt(value)}"))


def _overlaps(rows: list[Row], cat: Catalogue) -> list[Problem]:
    """SPEC §6: the spans of one measure's figures never overlap (unless it
    sets ``covers``), neither within the file nor with the figures held; a
    held figure the file files again (same month) is replaced, not overlapped.
    Each problem names both rows, or the row and the held span."""
    from indicators.engine.windows import Span, span_label

    infos = {(info.id): info for info in cat.indicators.values()}

    def column(row: Row) -> str:
        """`from` when the file gave the span's first month, else `month` (the span is the month's quarter or year)."""
        info = infos[row.indicator_id]
        try:
            implied = Span.of(row.month, info.frequency, None, info.covers).first
        except ValueError:
            return FROM
        return MONTH if implied == row.first else FROM

    by_series: dict[tuple[int, int | None], list[Row]] = {}
    for row in rows:
        info = infos.get(row.indicator_id)
        if info is None or info.covers or (info.frequency == "monthly" and row.first_month is None):
            continue
        by_series.setdefault((row.indicator_id, row.area_id), []).append(row)
    problems = []
    for key, series in by_series.items():
        series.sort(key=lambda r: (r.first, r.month))
        for earlier, later in zip(series, series[1:]):
            if later.first <= earlier.month:
                problems.append(Problem(later.number, column(later), (
                    f"its span {span_label(later.first, later.month)} overlaps row {earlier.number}'s "
                    f"{span_label(earlier.first, earlier.month)}; the figures of {later.indicator!r} never "
                    "overlap (each month is in one figure)")))
        months = {r.month for r in series}
        for first, last in cat.held_spans.get(key, ()):
            if last in months:
                continue                    # filed again: this file's figure replaces it
            for row in series:
                if row.first <= last and first <= row.month:
                    problems.append(Problem(row.number, column(row), (
                        f"its span {span_label(row.first, row.month)} overlaps the figure held for "
                        f"{span_label(first, last)} ({first:%Y-%m} to {last:%Y-%m}); the figures of "
                        f"{row.indicator!r} never overlap (each month is in one figure)")))
    problems.sort(key=lambda p: p.row or 0)
    return problems


def _refusal(cat: Catalogue, force: str, code: str, info: IndicatorInfo) -> str:
    """Why a row's figure may not be written: the catalogue's reason for its
    force, or, for a peer the user files for, that only its MSG measures are."""
    if info.force_id in cat.peer_editable:
        return f"{force!r} is a peer your force files for, and only its MSG measures; {code!r} is not one"
    if cat.why_not is not None:
        return cat.why_not(info.force_id)
    return f"you may not edit figures for {force!r}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _check_figures(number, info: IndicatorInfo, value, num, den, problems) -> None:
    if info.unit == "rank":
        _check_rank(number, value, num, den, problems)
        return
    fraction = info.aggregation in ("ratio", "weighted-mean")
    if not fraction:
        if num is not None or den is not None:
            column = "numerator" if num is not None else "denominator"
            problems.append(Problem(number, column, f"only ratio and weighted-mean indicators take a numerator and "
                            f"denominator (and a rank its denominator); leave it empty (this indicator is a "
                            f"{info.unit}, added up by {info.aggregation})"))
            return
        if value is None:
            problems.append(Problem(number, "value", "is required (or set status to unavailable with a note)"))
            return
    else:
        what = "a ratio" if info.aggregation == "ratio" else "a weighted-mean"
        if num is None and den is None:
            alone = " (the value alone cannot be added up over months)" if value is not None else ""
            problems.append(Problem(number, "numerator", f"{what} figure needs its numerator and denominator" + alone))
            return
        if num is None or den is None:
            given, missing = ("numerator", "denominator") if den is None else ("denominator", "numerator")
            problems.append(Problem(number, missing, f"is required when the {given} is given"))
            return
        if den == 0:
            problems.append(Problem(number, "denominator", "must not be zero"))
            return
        if den < 0 or num < 0:
            problems.append(Problem(number, 'numerator' if num < 0 else 'denominator', "must not be negative"))
            return
        if info.aggregation == "ratio":
            if num > den:
                problems.append(Problem(number, "numerator", f"{_fmt(num)} is more than the denominator {_fmt(den)}"))
                return
            if value is not None and abs(value - 100 * num / den) > RATIO_TOLERANCE:
                problems.append(Problem(number, "value", f"{_fmt(value)} disagrees with 100 × numerator / denominator "
                                f"= {100 * num / den:.2f}"))
                return
            value = 100 * num / den
        else:
            if value is not None and abs(value - num / den) > RATIO_TOLERANCE:
                problems.append(Problem(number, "value", f"{_fmt(value)} disagrees with numerator / denominator "
                                f"= {num / den:.2f} (a weighted mean is not × 100)"))
                return
            value = num / den
    if info.unit == "count" and value < 0:
        problems.append(Problem(number, "value", f"{_fmt(value)} is negative; a count cannot be"))
    elif info.unit == "count" and not fraction and not value.is_integer():
        problems.append(Problem(number, "value", f"{_fmt(value)} is not a whole number; a count is"))
    elif info.unit == "percent" and not 0 <= value <= 100:
        problems.append(Problem(number, "value", f"{_fmt(value)} is not a percentage between 0 and 100"))
    elif info.unit == "duration" and value < 0:
        problems.append(Problem(number, "value", f"{_fmt(value)} is negative; a duration is a number of seconds, "
                        "0 or more"))
    elif info.unit == "score" and (value < 0 or (info.scale is not None and value > info.scale)):
        top = f" and {_fmt(info.scale)}, the measure's scale" if info.scale is not None else " or more"
        problems.append(Problem(number, "value", f"{_fmt(value)} is not a score between 0{top}"))
    elif value < 0 and info.unit not in vocabulary.SIGNED_UNITS:
        problems.append(Problem(number, "value", f"{_fmt(value)} is negative; only number and £ measures may be "
                        f"(this one is a {info.unit})"))


def _check_rank(number, value, num, den, problems) -> None:
    """A rank (SPEC §6 Units): the position as the value, a whole number from
    1; the N ranked as the denominator, no smaller than the position; no
    numerator."""
    if num is not None:
        problems.append(Problem(number, "numerator", "a rank has no numerator; leave it empty (the value is the "
                        "position, the denominator how many were ranked)"))
        return
    if value is None:
        problems.append(Problem(number, "value", "is required: the position (1 = best)"))
        return
    if value < 1 or not value.is_integer():
        problems.append(Problem(number, "value", f"{_fmt(value)} is not a position; a rank is a whole number, 1 or "
                        "more"))
        return
    if den is None:
        problems.append(Problem(number, "denominator", "is required for a rank: how many were ranked (the N of "
                        "'2nd of 43')"))
        return
    if not den.is_integer() or den < value:
        problems.append(Problem(number, "denominator", f"{_fmt(den)} is not how many were ranked: a whole number, "
                        f"no less than the position {_fmt(value)}"))
