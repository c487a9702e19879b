"""Issue 12: no import ever loses a row, no input ever crashes (SPEC §4,
Return file). Each test here failed before the reader was made strict: an
XLSX read whole whatever dimension it declares, a CSV read strictly, formula,
error and percentage cells, a hidden first sheet, files that would expand
past the limits, huge fields, NUL bytes, Unicode digits, ratio and count
rules, UTF-16, and a capped list of problems. The command line and the admin
upload give the same messages, exit non-zero / answer 200, and change nothing."""

import io
import math
import re
import time
import tracemalloc
import zipfile
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators import models, periods
from indicators.returns.file import (
    NOT_UTF16,
    SHOWN_PROBLEMS,
    ReturnFileError,
    check_rows,
    read_table,
)
from tests.factories import EXAMPLE_PLAN, make_user
from tests.test_returnfile import CATALOGUE, HEADER, TODAY

EXAMPLE_ROWS = [
    ["west-mercia", "vwi", "2013-04", 512, None, None, "final", None],
    ["west-mercia", "vwi", "2013-05", 498, None, None, "final", None],
    ["west-mercia", "vwi", "2013-06", 507, None, None, "provisional", "Awaiting quality assurance"],
    ["west-mercia", "vwi-solved", "2013-04", None, 281, 512, "final", None],
    ["west-mercia", "vwi-solved", "2013-05", 55.2, 275, 498, "final", None],
    ["west-mercia", "vwi-solved", "2013-06", None, None, None, "unavailable", "Outcome data delayed"],
    ["avon-and-somerset", "vwi", "2013-04", 701, None, None, "final", None],
]


def check(data: bytes, name="r.csv"):
    header, body = read_table(data, name)
    return check_rows(header, body, CATALOGUE, today=TODAY)


def problems(data: bytes, name="r.csv") -> list[str]:
    with pytest.raises(ReturnFileError) as excinfo:
        check(data, name)
    return [str(p) for p in excinfo.value.problems]


def xlsx(rows=EXAMPLE_ROWS, *, edit=None, before=None) -> bytes:
    """An XLSX of HEADER and ``rows``; ``before(book, sheet)`` may change it
    before saving, ``edit`` maps a member's name to a function of its text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    if before:
        before(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return rewrite(buffer.getvalue(), edit or {})


def rewrite(data: bytes, edit: dict) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in edit:
                content = edit[info.filename](content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def set_dimension(ref):
    return {SHEET: lambda text: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)}


# --- item 5: an XLSX is read whole whatever dimension it declares -----------------------

def test_an_xlsx_declaring_a_smaller_dimension_than_it_holds_is_read_whole():
    data = xlsx(edit=set_dimension("A1:H2"))
    assert b'<dimension ref="A1:H2"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    rows = check(data, "r.xlsx")
    assert [(r.number, r.indicator, r.month) for r in rows] == [
        (2, "vwi", date(2013, 4, 1)), (3, "vwi", date(2013, 5, 1)), (4, "vwi", date(2013, 6, 1)),
        (5, "vwi-solved", date(2013, 4, 1)), (6, "vwi-solved", date(2013, 5, 1)),
        (7, "vwi-solved", date(2013, 6, 1)), (8, "vwi", date(2013, 4, 1))]


def test_an_xlsx_keeps_its_row_numbers_across_empty_rows():
    def gap(book, sheet):
        sheet.insert_rows(3, amount=2)       # rows 3 and 4 left empty, as a user would
    rows = check(xlsx(EXAMPLE_ROWS[:2], before=gap), "r.xlsx")
    assert [r.number for r in rows] == [2, 5]


def test_xlsx_rows_shorter_than_the_header_are_padded_and_blank_cells_after_it_ignored():
    def extra(book, sheet):
        sheet["K2"] = None
        sheet["K3"].number_format = "0.0"     # a formatted but empty cell beyond the header
    rows = check(xlsx([["west-mercia", "vwi", "2013-04", 512], ["west-mercia", "vwi", "2013-05", 498]],
                      before=extra), "r.xlsx")
    assert [r.value for r in rows] == [512, 498]
    assert problems(xlsx([["west-mercia", "vwi", "2013-04", 512, None, None, None, None, "x"]]), "r.xlsx") == [
        "row 2: has 9 fields; the header has 8"]


# --- item 6: a CSV is read strictly --------------------------------------------------

EXAMPLE_CSV = (HEADER + "\n"
               "west-mercia,vwi,2013-04,512,,,final,\n"
               "west-mercia,vwi,2013-05,498,,,final,\n"
               'west-mercia,vwi,2013-06,507,,,provisional,"Awaiting quality assurance\n'
               "west-mercia,vwi-solved,2013-04,,281,512,final,\n"
               "west-mercia,vwi-solved,2013-05,55.2,275,498,final,\n"
               "avon-and-somerset,vwi,2013-04,701,,,final,\n")


def test_an_unclosed_quote_is_an_error_not_a_note_that_swallows_the_rows_after_it():
    assert problems(EXAMPLE_CSV.encode()) == [
        "row 4, column note: the quote opened here is never closed; the rows after it would be lost"]


def test_a_quote_closed_rows_later_is_an_error_naming_where_it_opened():
    text = EXAMPLE_CSV.replace("avon-and-somerset,vwi,2013-04,701,,,final,",
                               'avon-and-somerset,vwi,2013-04,701,,,final,done"')
    assert problems(text.encode()) == [
        "row 4, column note: the quote opened here is closed only 3 line(s) later, so the rows between would be "
        'read as part of this field; close the quote on this row (a quote inside a field is written twice: "")']


def test_text_after_a_closing_quote_is_an_error():
    text = HEADER + '\nwest-mercia,vwi,2013-04,512,,,final,"Late" said the team\n'
    assert problems(text.encode()) == [
        'row 2, column note: text follows the closing quote; put the whole field in quotes and write a quote '
        'inside it twice ("")']


def test_a_note_with_line_breaks_and_doubled_quotes_is_still_a_note():
    text = HEADER + '\nwest-mercia,vwi,2013-04,512,,,final,"Line one\nline two, with a comma\n""quoted"""\n' \
                    "west-mercia,vwi,2013-05,498,,,final,\n"
    rows = check(text.encode())
    assert rows[0].note == 'Line one\nline two, with a comma\n"quoted"' and [r.number for r in rows] == [2, 3]


# --- item 7: formulas, hidden sheets, percentage cells ----------------------------------

def test_a_formula_with_no_saved_value_is_an_error_not_a_dropped_note():
    rows = [["west-mercia", "vwi", "2013-04", 512, None, None, "final", '=CONCATENATE("Late ","data")']]
    assert problems(xlsx(rows), "r.xlsx") == [
        "row 2, column note: the formula '=CONCATENATE(\"Late \",\"data\")' has no saved value (the program that "
        "wrote the file did not calculate it); open the file in Excel and save it, or type the figure"]


def test_a_formula_with_a_saved_value_gives_that_value():
    def cache(text):                               # as Excel saves it: the formula and its last result
        return text.replace("<f>B1</f><v /></c>", "<f>B1</f><v>498</v></c>").replace(
            "<f>B1</f><v></v></c>", "<f>B1</f><v>498</v></c>")
    data = xlsx([["west-mercia", "vwi", "2013-04", "=B1", None, None, "final", None]], edit={SHEET: cache})
    assert b"<v>498</v>" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert [r.value for r in check(data, "r.xlsx")] == [498]


def test_an_error_cell_is_an_error():
    def error(text):
        return text.replace('<c r="D2" t="n"><v>512</v></c>', '<c r="D2" t="e"><v>#DIV/0!</v></c>')
    data = xlsx([["west-mercia", "vwi", "2013-04", 512, None, None, "final", None]], edit={SHEET: error})
    assert problems(data, "r.xlsx") == [
        "row 2, column value: the cell shows the error '#DIV/0!'; correct it or leave the cell empty"]


def test_a_hidden_first_sheet_is_refused():
    def hide(book, sheet):
        book.create_sheet("Visible").append(HEADER.split(","))
        sheet.title = "Old figures"
        sheet.sheet_state = "hidden"
    assert problems(xlsx(before=hide), "r.xlsx") == [
        "file: the first sheet, 'Old figures', is hidden; pccperf reads the first sheet: unhide it, or move the "
        "return's sheet to the front"]


def test_a_percentage_cell_is_read_as_the_spreadsheet_shows_it():
    def percent(book, sheet):
        sheet["D3"].number_format = "0.0%"
        sheet["D4"].number_format = "0%"
    rows = [["west-mercia", "confidence", "2013-04", 69.1, None, None, "final", None],
            ["west-mercia", "confidence", "2013-05", 0.552, None, None, "final", None],
            ["west-mercia", "confidence", "2013-06", 1, None, None, "final", None]]
    assert [r.value for r in check(xlsx(rows, before=percent), "r.xlsx")] == [69.1, 55.2, 100.0]


def test_a_percent_sign_in_a_csv_is_explained():
    assert problems((HEADER + "\nwest-mercia,confidence,2013-04,55.2%,,,,\n").encode()) == [
        "row 2, column value: '55.2%' has a % sign; write the percentage as a plain number: 55.2"]


# --- item 8: files that would expand past the limits are refused quickly ----------------

def test_a_small_xlsx_declaring_a_huge_sheet_is_refused_quickly_in_bounded_memory():
    data = xlsx(edit=set_dimension("A1:XFD1048576"))
    assert len(data) < 10_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        found = problems(data, "r.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == ["file: the sheet declares A1:XFD1048576 (17,179,869,184 cells); at most 1,000,000 cells are "
                     "accepted (delete the empty rows and columns after the figures, or copy the figures into a "
                     "new workbook)"]
    assert time.perf_counter() - started < 5 and peak < 50 * 1024 * 1024


def test_a_sheet_holding_more_cells_than_it_declares_is_refused_when_it_passes_the_limit():
    far = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(9, 80))
    data = xlsx(edit={SHEET: lambda text: text.replace("</sheetData>", far + "</sheetData>")})
    assert problems(data, "r.xlsx") == [
        "file: the sheet holds more than 1,000,000 cells; at most 1,000,000 are accepted (split the figures over "
        "several files)"]


def test_a_workbook_that_would_expand_past_200_mb_is_refused_before_it_is_read():
    base = zipfile.ZipFile(io.BytesIO(xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            target.writestr(info.filename, base.read(info.filename))
        with target.open("xl/media/padding.bin", "w", force_zip64=True) as handle:
            chunk = bytes(16 * 1024 * 1024)
            for _ in range(13):
                handle.write(chunk)
    assert len(out.getvalue()) < 1024 * 1024
    started = time.perf_counter()
    assert problems(out.getvalue(), "r.xlsx") == [
        "file: the workbook would expand to 208 MB; at most 200 MB is accepted (split it, or save it as CSV UTF-8)"]
    assert time.perf_counter() - started < 2


# --- item 9: huge fields ---------------------------------------------------------------

def test_a_csv_field_over_128_kib_is_a_message_not_a_traceback():
    text = HEADER + "\nwest-mercia,vwi,2013-04,512,,,final,\nwest-mercia,vwi,2013-05,498,,,final," + "x" * 200_000 + "\n"
    assert problems(text.encode()) == [
        "row 3, column note: the field is 200,000 characters long; a field may hold at most 32,767 "
        "(a spreadsheet cell's limit)"]
    quoted = HEADER + '\nwest-mercia,vwi,2013-04,"' + "y" * 140_000 + '",,,final,\n'
    assert problems(quoted.encode()) == [
        "row 2, column value: the field is 140,000 characters long; a field may hold at most 32,767 "
        "(a spreadsheet cell's limit)"]


def test_a_long_note_under_the_csv_limit_is_refused_by_its_length():
    text = HEADER + "\nwest-mercia,vwi,2013-04,512,,,final," + "n" * 40_000 + "\n"
    assert problems(text.encode()) == [
        "row 2, column note: 40,000 characters long; a note may be at most 32,767 characters"]


def test_a_long_bad_value_is_quoted_short():
    text = HEADER + "\nwest-mercia,vwi,2013-04," + "9" * 20 + "z" * 30_000 + ",,,final,\n"
    [problem] = problems(text.encode())
    assert problem == ("row 2, column value: '99999999999999999999zzzzzzzzzzzzzzzzzzzz…' is not a number; "
                       "write a plain decimal such as 512 or 55.2")


# --- item 10: NUL bytes and other characters that cannot be stored ------------------------

def test_a_nul_byte_in_a_note_is_refused():
    text = HEADER + "\nwest-mercia,vwi,2013-04,512,,,final,Late\x00 data\n"
    assert problems(text.encode()) == [
        "row 2, column note: contains the control character U+0000, which is invisible and cannot be stored; remove it"]


def test_a_control_character_in_an_xlsx_note_is_refused():
    data = xlsx([["west-mercia", "vwi", "2013-04", 512, None, None, "final", "Late\x7f"]])
    assert problems(data, "r.xlsx") == [
        "row 2, column note: contains the control character U+007F, which is invisible and cannot be stored; "
        "remove it"]
    # XML cannot hold U+0001 at all: such a sheet is not a readable workbook
    bad = xlsx([["west-mercia", "vwi", "2013-04", 512, None, None, "final", "Late"]],
               edit={SHEET: lambda text: text.replace("<t>Late</t>", "<t>Late&#1;</t>")})
    assert problems(bad, "r.xlsx") == ["file: not a readable XLSX workbook (ParseError)"]


# --- wrong acceptances ---------------------------------------------------------------

@pytest.mark.parametrize("line,expected", [
    ("west-mercia,vwi,2013-04,١٢٣,,,final,",
     "row 2, column value: '١٢٣' is not a number (digits must be 0-9); write a plain decimal such as 512 or 55.2"),
    ("west-mercia,vwi,2013-04,５１２,,,final,",
     "row 2, column value: '５１２' is not a number (digits must be 0-9); write a plain decimal such as 512 or 55.2"),
    ("west-mercia,vwi,２０１３-04,512,,,final,",
     "row 2, column month: '２０１３-04' is not a month; write it as YYYY-MM, e.g. 2014-06"),
    ("west-mercia,vwi,٢٠١٣-٠٤,512,,,final,",
     "row 2, column month: '٢٠١٣-٠٤' is not a month; write it as YYYY-MM, e.g. 2014-06"),
    ("west-mercia,vwi-solved,2013-04,55.2,,,final,",
     "row 2, column numerator: a ratio figure needs its numerator and denominator (the value alone cannot be "
     "added up over months)"),
    ("west-mercia,vwi,2013-04,512,281,512,final,",
     "row 2, column numerator: only ratio and weighted-mean indicators take a numerator and denominator (and a rank its denominator); leave it empty (this "
     "indicator is a count, added up by sum)"),
    ("west-mercia,confidence,2013-04,55,,100,final,",
     "row 2, column denominator: only ratio and weighted-mean indicators take a numerator and denominator (and a rank its denominator); leave it empty (this "
     "indicator is a percent, added up by latest)"),
    ("west-mercia,vwi,2013-04,512.5,,,final,", "row 2, column value: 512.5 is not a whole number; a count is"),
])
def test_wrong_acceptances_are_refused(line, expected):
    assert problems((HEADER + "\n" + line + "\n").encode()) == [expected]


def test_unicode_digits_are_not_a_month_anywhere():
    for text in ("٢٠١٣-٠٦", "２０１３-06", "2013-0６"):
        with pytest.raises(ValueError):
            periods.parse_month(text)
    with pytest.raises(ValueError):
        periods.parse_financial_year("２０１４/15")
    with pytest.raises(ValueError):
        periods.parse_quarter("2014/15 Q١")
    assert periods.parse_month(" 2013-06 ") == date(2013, 6, 1)


def test_minus_zero_is_stored_as_zero():
    [row] = check((HEADER + "\nwest-mercia,vwi,2013-04,-0,,,final,\n").encode())
    assert row.value == 0 and math.copysign(1, row.value) == 1


def test_a_ratio_with_a_value_and_its_parts_is_accepted():
    [row] = check((HEADER + "\nwest-mercia,vwi-solved,2013-05,55.2,275,498,final,\n").encode())
    assert (row.value, row.numerator, row.denominator) == (55.2, 275, 498)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_is_named_not_sixteen_column_errors(encoding):
    data = (HEADER + "\nwest-mercia,vwi,2013-04,512,,,final,\n").encode(encoding)
    assert problems(data) == [NOT_UTF16]
    assert NOT_UTF16 == 'file: this file is not UTF-8 (it looks like UTF-16); save it as "CSV UTF-8"'


def test_twenty_thousand_extra_columns_list_a_hundred_problems_then_a_count():
    header = HEADER + "".join(f",extra{i}" for i in range(20_000))
    started = time.perf_counter()
    found = problems((header + "\n" + "west-mercia,vwi,2013-04,512,,,final," + "," * 19_999 + "\n").encode())
    assert time.perf_counter() - started < 2
    assert len(found) == SHOWN_PROBLEMS + 1 == 101
    assert found[0] == ("file: unexpected column 'extra0'; the columns are force, indicator, month, value, "
                        "numerator, denominator, status, note and, optionally, area, from, lower, upper, illustrative")
    assert found[-1] == "file: … and 19,900 more problems; correct those above and check again"


def test_many_bad_rows_are_all_counted_and_the_first_hundred_listed():
    lines = [f"west-mercia,vwi,2013-04,bad{i},,,final," for i in range(1000)]
    with pytest.raises(ReturnFileError) as excinfo:
        check((HEADER + "\n" + "\n".join(lines) + "\n").encode())
    assert excinfo.value.total == 1000 and len(excinfo.value.problems) == 101
    assert str(excinfo.value.problems[99]) == ("row 101, column value: 'bad99' is not a number; write a plain decimal "
                                          "such as 512 or 55.2")
    assert str(excinfo.value.problems[-1]) == "file: … and 900 more problems; correct those above and check again"


# --- the command line and the admin: a message, non-zero, nothing changed ---------------

BAD_FILES = {
    "nul.csv": (HEADER + "\nwest-mercia,vwi,2013-04,512,,,final,Late\x00\n").encode(),
    "long.csv": (HEADER + "\nwest-mercia,vwi,2013-04,512,,,final," + "x" * 200_000 + "\n").encode(),
    "quote.csv": EXAMPLE_CSV.encode(),
    "utf16.csv": (HEADER + "\nwest-mercia,vwi,2013-04,512,,,final,\n").encode("utf-16-le"),
}


@pytest.fixture
def plan(db, plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    return models.Force.objects.get(slug="west-mercia")


def snapshot():
    return (sorted(models.Observation.objects.values_list("indicator__code", "month", "value", "note")),
            models.Return.objects.count(), models.ReturnLine.objects.count())


def bad_files():
    files = dict(BAD_FILES)
    files["huge.xlsx"] = xlsx(edit=set_dimension("A1:XFD1048576"))
    files["short.xlsx"] = xlsx([["west-mercia", "vwi", "2013-04", 512, None, None, "final", "=A1"]])
    return files


EXPECTED = {
    "nul.csv": "row 2, column note: contains the control character U+0000",
    "long.csv": "row 2, column note: the field is 200,000 characters long",
    "quote.csv": "row 4, column note: the quote opened here is never closed",
    "utf16.csv": "file: this file is not UTF-8 (it looks like UTF-16)",
    "huge.xlsx": "file: the sheet declares A1:XFD1048576 (17,179,869,184 cells)",
    "short.xlsx": "row 2, column note: the formula '=A1' has no saved value",
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_command_gives_the_message_and_changes_nothing(plan, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bad_files()[name])
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_return", str(path), "--publish", stdout=StringIO())
    assert EXPECTED[name] in str(excinfo.value) and "nothing was written" in str(excinfo.value)
    assert snapshot() == before


def test_the_command_counts_every_problem_when_it_lists_a_hundred(plan, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + "".join(f",extra{i}" for i in range(500)) + "\n")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_return", str(path), stdout=StringIO())
    assert "wide.csv: 500 problems; nothing was written" in str(excinfo.value)
    assert "file: … and 400 more problems" in str(excinfo.value)


def test_the_command_refuses_a_folder_with_a_message(plan, tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_return", str(tmp_path), stdout=StringIO())


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_admin_upload_gives_the_message_not_a_500(plan, client, name):
    client.force_login(make_user("ana", role="analyst", forces=[plan]))
    upload = io.BytesIO(bad_files()[name])
    upload.name = name
    before = snapshot()
    response = client.post("/admin/indicators/return/import/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was written" in html
    from html import unescape
    assert EXPECTED[name] in unescape(html)
    assert snapshot() == before


@pytest.mark.parametrize("period", ["٢٠١٣-٠٦", "２０１３-06", "2013-0６"])
def test_pages_and_api_answer_400_to_unicode_digits_in_the_period(plan, client, period):
    assert client.get("/west-mercia/", {"period": period}).status_code == 400
    assert client.get("/api/forces/west-mercia/indicators/vwi/", {"period": period}).status_code == 400
    assert client.get("/api/forces/west-mercia/indicators/vwi/", {"period": "2013-06"}).status_code == 200
