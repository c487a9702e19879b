"""Checking a return file (SPEC §4), without the database: every class of bad
input has its exact message; awkward but valid input is accepted."""

from datetime import date

import pytest

from indicators.returns.file import (
    MAX_BYTES,
    Catalogue,
    IndicatorInfo,
    Problem,
    ReturnFileError,
    check_rows,
    read_table,
    too_large,
)

HEADER = "force,indicator,month,value,numerator,denominator,status,note"
TODAY = date(2014, 7, 15)
CATALOGUE = Catalogue(
    forces={"west-mercia": 1, "avon-and-somerset": 2, "essex": 3},
    indicators={
        ("west-mercia", "vwi"): IndicatorInfo(10, 1, "count", "sum", True),
        ("west-mercia", "vwi-solved"): IndicatorInfo(11, 1, "percent", "ratio", False),
        ("west-mercia", "confidence"): IndicatorInfo(12, 1, "percent", "latest", False),
        ("avon-and-somerset", "vwi"): IndicatorInfo(20, 2, "count", "sum", True),
        ("essex", "asb"): IndicatorInfo(30, 3, "count", "sum", False),
    },
    editable={1}, peer_editable={2},
)


def check(text: str | bytes, name="r.csv", catalogue=CATALOGUE):
    data = text.encode() if isinstance(text, str) else text
    header, body = read_table(data, name)
    return check_rows(header, body, catalogue, today=TODAY)


def problems(text, **kwargs):
    with pytest.raises(ReturnFileError) as excinfo:
        check(text, **kwargs)
    return [str(p) for p in excinfo.value.problems]


def test_the_shared_example_is_valid():
    rows = check(f"""{HEADER}
west-mercia,vwi,2013-04,512,,,final,
west-mercia,vwi,2013-05,498,,,final,
west-mercia,vwi,2013-06,507,,,provisional,Awaiting quality assurance
west-mercia,vwi-solved,2013-04,,281,512,final,
west-mercia,vwi-solved,2013-05,55.2,275,498,final,
west-mercia,vwi-solved,2013-06,,,,unavailable,Outcome data delayed by system migration
avon-and-somerset,vwi,2013-04,701,,,final,
""")
    assert len(rows) == 7
    assert rows[3].value == pytest.approx(100 * 281 / 512)            # ratio value from its parts
    assert rows[2].status == "provisional" and rows[5].status == "unavailable" and rows[5].value is None
    assert rows[0].number == 2 and rows[6].indicator_id == 20


@pytest.mark.parametrize("label,text", [
    ("utf-8 byte-order mark", "\ufeff" + HEADER + "\nwest-mercia,vwi,2013-04,512,,,,\n"),
    ("CRLF line endings", HEADER + "\r\nwest-mercia,vwi,2013-04,512,,,,\r\n"),
    ("trailing blank lines", HEADER + "\nwest-mercia,vwi,2013-04,512,,,,\n\n\n,,,,,,,\n"),
    ("columns in another order", "note,status,denominator,numerator,value,month,indicator,force\n,,,,512,2013-04,vwi,west-mercia\n"),
    ("upper-case header and spaces", " Force ,INDICATOR,Month,Value,Numerator,Denominator,Status,Note\nwest-mercia,vwi,2013-04, 512 ,,,,\n"),
])
def test_awkward_but_valid_input_is_accepted(label, text):
    rows = check(text)
    assert [(r.force, r.indicator, r.month, r.value, r.status) for r in rows] == [
        ("west-mercia", "vwi", date(2013, 4, 1), 512.0, "final")]


BAD = [
    ("empty file", "", ["file: the file is empty"]),
    ("only blank lines", "\n\n", ["file: the file is empty"]),
    ("header only", HEADER + "\n", ["file: the file has a header but no rows"]),
    ("missing column", "force,indicator,month,value,numerator,denominator,status\nwest-mercia,vwi,2013-04,5,,,\n",
     ["file: missing column 'note'"]),
    ("extra column", HEADER + ",district\nwest-mercia,vwi,2013-04,5,,,,,x\n",
     ["file: unexpected column 'district'; the columns are force, indicator, month, value, numerator, denominator, status, note and, optionally, area, from, lower, upper, illustrative"]),
    ("wrong columns", "Force ID,Measure,Date,Figure\nwest-mercia,vwi,2013-04,5\n",
     ["file: missing column 'force'", "file: missing column 'indicator'", "file: missing column 'month'",
      "file: missing column 'value'", "file: missing column 'numerator'", "file: missing column 'denominator'",
      "file: missing column 'status'", "file: missing column 'note'",
      "file: unexpected column 'force id'; the columns are force, indicator, month, value, numerator, denominator, status, note and, optionally, area, from, lower, upper, illustrative",
      "file: unexpected column 'measure'; the columns are force, indicator, month, value, numerator, denominator, status, note and, optionally, area, from, lower, upper, illustrative",
      "file: unexpected column 'date'; the columns are force, indicator, month, value, numerator, denominator, status, note and, optionally, area, from, lower, upper, illustrative",
      "file: unexpected column 'figure'; the columns are force, indicator, month, value, numerator, denominator, status, note and, optionally, area, from, lower, upper, illustrative"]),
    ("semicolons", "force;indicator;month;value;numerator;denominator;status;note\nwest-mercia;vwi;2013-04;5;;;;\n",
     ["file: the columns are separated by semicolons; pccperf reads commas (in Excel choose Save As › CSV UTF-8 (comma delimited))"]),
    ("too many fields", HEADER + "\nwest-mercia,vwi,2013-04,5,,,,,\n", ["row 2: has 9 fields; the header has 8"]),
    ("too few fields", HEADER + "\nwest-mercia,vwi,2013-04\n", ["row 2: has 3 fields; the header has 8"]),
    ("unknown force", HEADER + "\nkent,vwi,2013-04,5,,,,\n", ["row 2, column force: unknown force 'kent'"]),
    ("force the user may not edit", HEADER + "\nessex,asb,2013-04,5,,,,\n",
     ["row 2, column force: you may not edit figures for 'essex'"]),
    ("unknown indicator", HEADER + "\nwest-mercia,burglary,2013-04,5,,,,\n",
     ["row 2, column indicator: force 'west-mercia' has no indicator 'burglary'"]),
    ("bad month", HEADER + "\nwest-mercia,vwi,April 2013,5,,,,\n",
     ["row 2, column month: 'April 2013' is not a month; write it as YYYY-MM, e.g. 2014-06"]),
    ("month 13", HEADER + "\nwest-mercia,vwi,2013-13,5,,,,\n",
     ["row 2, column month: '2013-13' is not a month; the month part must be 01 to 12"]),
    ("future month", HEADER + "\nwest-mercia,vwi,2014-08,5,,,,\n", ["row 2, column month: 2014-08 is after the current month"]),
    ("bad status", HEADER + "\nwest-mercia,vwi,2013-04,5,,,estimated,\n",
     ["row 2, column status: must be final, provisional or unavailable (got 'estimated')"]),
    ("text in a number", HEADER + "\nwest-mercia,vwi,2013-04,n/a,,,,\n",
     ["row 2, column value: 'n/a' is not a number; write a plain decimal such as 512 or 55.2"]),
    ("thousands comma", HEADER + '\nwest-mercia,vwi,2013-04,"1,234",,,,\n',
     ["row 2, column value: '1,234' has a thousands separator; write it as 1234"]),
    ("decimal comma", HEADER + '\nwest-mercia,confidence,2013-04,"69,1",,,,\n',
     ["row 2, column value: '69,1' has a decimal comma; write it with a dot: 69.1"]),
    ("NaN", HEADER + "\nwest-mercia,vwi,2013-04,NaN,,,,\n",
     ["row 2, column value: 'NaN' is not a number (NaN and infinity are not allowed)"]),
    ("infinity", HEADER + "\nwest-mercia,vwi,2013-04,inf,,,,\n",
     ["row 2, column value: 'inf' is not a number (NaN and infinity are not allowed)"]),
    ("too large", HEADER + "\nwest-mercia,vwi,2013-04,10000000000000000,,,,\n",
     ["row 2, column value: 10000000000000000 is too large (more than 10^15)"]),
    ("negative count", HEADER + "\nwest-mercia,vwi,2013-04,-5,,,,\n",
     ["row 2, column value: -5 is negative; a count cannot be"]),
    ("percentage of 101", HEADER + "\nwest-mercia,confidence,2013-04,101,,,,\n",
     ["row 2, column value: 101 is not a percentage between 0 and 100"]),
    ("numerator over denominator", HEADER + "\nwest-mercia,vwi-solved,2013-04,,6,5,,\n",
     ["row 2, column numerator: 6 is more than the denominator 5"]),
    ("zero denominator", HEADER + "\nwest-mercia,vwi-solved,2013-04,,0,0,,\n",
     ["row 2, column denominator: must not be zero"]),
    ("value disagrees", HEADER + "\nwest-mercia,vwi-solved,2013-04,60,281,512,,\n",
     ["row 2, column value: 60 disagrees with 100 × numerator / denominator = 54.88"]),
    ("numerator without denominator", HEADER + "\nwest-mercia,vwi-solved,2013-04,,281,,,\n",
     ["row 2, column denominator: is required when the numerator is given"]),
    ("no value but a note", HEADER + "\nwest-mercia,vwi,2013-04,,,,final,Late\n",
     ["row 2, column value: is required (or set status to unavailable with a note)"]),
    ("no figure in any row", HEADER + "\nwest-mercia,vwi,2013-04,,,,,\n",
     ["file: no row gives a figure (every row's value, numerator, denominator and note are empty)"]),
    ("provisional without a value", HEADER + "\nwest-mercia,vwi,2013-04,,,,provisional,\n",
     ["row 2, column value: is required (or set status to unavailable with a note)"]),
    ("unavailable without note", HEADER + "\nwest-mercia,vwi,2013-04,,,,unavailable,\n",
     ["row 2, column note: a note is required when status is unavailable (say why the figure is missing)"]),
    ("unavailable with a value", HEADER + "\nwest-mercia,vwi,2013-04,5,,,unavailable,Late\n",
     ["row 2, column value: must be empty when status is unavailable"]),
    ("formula in a note", HEADER + '\nwest-mercia,vwi,2013-04,5,,,,"=HYPERLINK(""http://x"",""y"")"\n',
     ["row 2, column note: starts with '=', which a spreadsheet would run as a formula; remove it or begin the note with a letter"]),
    ("at-sign formula", HEADER + "\nwest-mercia,vwi,2013-04,5,,,,@SUM(A1)\n",
     ["row 2, column note: starts with '@', which a spreadsheet would run as a formula; remove it or begin the note with a letter"]),
    ("duplicate rows", HEADER + "\nwest-mercia,vwi,2013-04,5,,,,\nwest-mercia,vwi,2013-04,6,,,,\n",
     ["row 3: the same force, indicator and month as row 2"]),
    ("latin-1", (HEADER + "\nwest-mercia,vwi,2013-04,5,,,,Caf\xe9\n").encode("latin-1"),
     ["file: not UTF-8 text (row 2 has a character that cannot be read); in Excel use Save As › CSV UTF-8, "
      "or save the file as UTF-8"]),
]


@pytest.mark.parametrize("label,text,expected", BAD, ids=[b[0] for b in BAD])
def test_each_bad_input_has_its_exact_message(label, text, expected):
    assert problems(text) == expected


def test_every_problem_of_the_file_is_listed_with_row_and_column():
    text = HEADER + "\nwest-mercia,vwi,2013-04,abc,,,,\nwest-mercia,vwi,2013-05,5,,,,\nkent,vwi,2013-04,5,,,,\n"
    assert problems(text) == ["row 2, column value: 'abc' is not a number; write a plain decimal such as 512 or 55.2",
                              "row 4, column force: unknown force 'kent'"]


def test_template_rows_left_empty_are_skipped_not_errors():
    skipped = []
    header, body = read_table((HEADER + "\nwest-mercia,vwi,2013-04,5,,,,\nwest-mercia,vwi,2013-05,,,,,\n"
                               "west-mercia,vwi,2013-06,,,,final,\n").encode())
    rows = check_rows(header, body, CATALOGUE, today=TODAY, skipped=skipped)
    assert len(rows) == 1 and skipped == [3, 4]


def test_peers_msg_figures_may_be_loaded_by_the_forces_analysts():
    rows = check(HEADER + "\navon-and-somerset,vwi,2013-04,701,,,,\n")
    assert rows[0].force_id == 2


def test_an_operator_may_edit_every_force():
    operator = Catalogue(CATALOGUE.forces, CATALOGUE.indicators, editable=None, peer_editable=set())
    assert len(check(HEADER + "\nessex,asb,2013-04,5,,,,\n", catalogue=operator)) == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    assert str(too_large(100 * 1024 * 1024)) == "file: 100.0 MB is larger than the 20 MB limit; split it into smaller files"
    assert too_large(MAX_BYTES) is None


def test_xlsx_first_sheet_with_numbers_and_a_date_month():
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["west-mercia", "vwi", date(2013, 4, 1), 512, None, None, None, None])
    sheet.append(["west-mercia", "vwi-solved", "2013-05", None, 275, 498, "final", "ok"])
    book.create_sheet("Ignored").append(["anything"])
    buffer = BytesIO()
    book.save(buffer)
    rows = check(buffer.getvalue(), name="return.xlsx")
    assert [(r.indicator, r.month, r.value) for r in rows] == [
        ("vwi", date(2013, 4, 1), 512.0), ("vwi-solved", date(2013, 5, 1), pytest.approx(100 * 275 / 498))]


def test_a_damaged_xlsx_is_a_clear_error():
    assert problems(b"PK\x03\x04 not really a workbook", name="r.xlsx") == [
        "file: not a readable XLSX workbook (BadZipFile)"]


def test_problems_are_data_whose_text_is_the_spec_format():
    """The grid places a problem by its row and column; people read its text."""
    with pytest.raises(ReturnFileError) as excinfo:
        check(HEADER + "\nwest-mercia,vwi,2013-04,lots,,,final,\nwest-mercia,vwi\n")
    first, second = excinfo.value.problems
    assert (first.row, first.column) == (2, "value") and first.message.startswith("'lots' is not a number")
    assert str(first).startswith("row 2, column value: 'lots' is not a number")
    assert (second.row, second.column, str(second)) == (
        3, None, "row 3: has 2 fields; the header has 8")
    assert str(Problem(None, None, "the file is empty")) == "file: the file is empty"
