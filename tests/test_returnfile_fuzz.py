"""A property over generated input (issue 12, SPEC §4): whatever the bytes,
reading and checking a return file either accepts it, giving rows a database
can store, or raises the reader's own ReturnFileError whose every message is
``row N, column C: …``, ``row N: …`` or ``file: …`` (at most 100 listed, then a
count), and an import of a refused file changes nothing. Inputs are mutations
of the shared example: random bytes, truncations, broken quotes, huge fields,
odd Unicode, UTF-16, random cells in an XLSX, broken zips. A longer run of the
same idea, coverage-guided, is bench/fuzz_returnfile.py."""

import io
import math
import re
import zipfile
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import models
from indicators.returns.file import MAX_MAGNITUDE, SHOWN_PROBLEMS, ReturnFileError, check_rows, read_table
from tests.factories import EXAMPLE_PLAN
from tests.test_returnfile import CATALOGUE, HEADER, TODAY

MESSAGE = re.compile(r"(row [0-9]+(, column [a-z0-9A-Z]{1,12})?|file): .+", re.S)
EXAMPLE = f"""{HEADER}
west-mercia,vwi,2013-04,512,,,final,
west-mercia,vwi,2013-05,498,,,final,
west-mercia,vwi,2013-06,507,,,provisional,"Awaiting quality assurance, ""QA"" pending"
west-mercia,vwi-solved,2013-04,,281,512,final,
west-mercia,vwi-solved,2013-05,55.2,275,498,final,
west-mercia,vwi-solved,2013-06,,,,unavailable,Outcome data delayed by system migration
west-mercia,confidence,2013-05,69.1,,,final,
avon-and-somerset,vwi,2013-04,701,,,final,
""".encode()
TOKENS = [b'"', b",", b"\n", b"\r\n", b"\r", b"\x00", b"\xef\xbb\xbf", "١٢٣".encode(), "２０１３-04".encode(),
          b"-0", b"1e308", b"NaN", b"inf", b"=SUM(A1)", b"\xff", b"\xed\xa0\x80", b'""', b'"x"y',
          b"x" * 140_000, b"," * 300, b"\t", b";", "\u2028".encode(), "e\u0301".encode(), b"%", b"5.5"]


def outcome(data: bytes, name: str):
    """The rows, or the problems; anything else propagates and fails the property."""
    try:
        header, body = read_table(data, name)
        return check_rows(header, body, CATALOGUE, today=TODAY), None
    except ReturnFileError as exc:
        return None, [str(p) for p in exc.problems]


def assert_well_behaved(data: bytes, name: str):
    rows, problems = outcome(data, name)
    if problems is not None:
        assert 1 <= len(problems) <= SHOWN_PROBLEMS + 1
        for problem in problems:
            assert MESSAGE.fullmatch(problem), problem
            problem.encode("utf-8")                      # shown on a page, printed on a terminal
            assert len(problem) < 1200
        return problems
    for row in rows:
        assert "\x00" not in row.note and not any(0xD800 <= ord(c) <= 0xDFFF for c in row.note)
        for x in (row.value, row.numerator, row.denominator):
            assert x is None or (math.isfinite(x) and abs(x) <= MAX_MAGNITUDE and not (x == 0 and math.copysign(1, x) < 0))
        assert row.status == "unavailable" or row.value is not None
        if row.indicator in ("vwi", "asb"):
            assert row.value is None or float(row.value).is_integer()
        if row.indicator != "vwi-solved":
            assert row.numerator is None and row.denominator is None
    return None


@st.composite
def mutated(draw, base: bytes):
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        # places as fractions of the length: an XLSX's length varies with its saved-at time
        pos = int(draw(st.floats(0, 1)) * len(data))
        kind = draw(st.sampled_from(["insert", "token", "delete", "truncate", "replace"]))
        if kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "token":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif kind == "truncate":
            del data[pos:]
        elif data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def csv_inputs(draw):
    choice = draw(st.sampled_from(["mutated", "text", "encoded"]))
    if choice == "mutated":
        return draw(mutated(EXAMPLE))
    if choice == "text":                              # odd Unicode in the cells
        lines = [HEADER] + [",".join(draw(st.lists(st.text(max_size=12), min_size=8, max_size=8)))
                            for _ in range(draw(st.integers(1, 4)))]
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    return EXAMPLE.decode().encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1"])))


CELL = st.one_of(st.none(), st.text(max_size=15).filter(lambda s: not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", s)),
                 st.integers(-10**16, 10**16), st.floats(allow_nan=False, allow_infinity=False),
                 st.dates(date(1900, 3, 1), date(2100, 1, 1)), st.sampled_from(["west-mercia", "vwi", "vwi-solved",
                                                                                 "2013-04", "final", "=A1", "-0"]))


@st.composite
def xlsx_inputs(draw):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in EXAMPLE.decode().strip().splitlines()[:draw(st.integers(1, 9))]:
        sheet.append(next(__import__("csv").reader([line])))
    for _ in range(draw(st.integers(0, 6))):         # random cells anywhere in the first rows and columns
        cell = sheet.cell(row=draw(st.integers(1, 12)), column=draw(st.integers(1, 11)))
        cell.value = draw(CELL)
        if draw(st.booleans()):
            cell.number_format = draw(st.sampled_from(["0.0%", "0%", "yyyy-mm", "0.00", '"x"%', "General"]))
    if draw(st.integers(0, 9)) == 0:
        sheet.sheet_state = "hidden"
        book.create_sheet("Other")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    damage = draw(st.sampled_from(["none", "none", "truncate", "bytes", "dimension"]))
    if damage == "truncate":
        data = data[:int(draw(st.floats(0, 1)) * len(data))]
    elif damage == "bytes":
        data = draw(mutated(data))
    elif damage == "dimension":
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        ref = draw(st.sampled_from(["A1:B2", "A1", "A1:XFD1048576", "B3:A1", "ZZZ9", "A0:A0", "A1:H1000000"]))
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                content = source.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
                target.writestr(info.filename, content)
        data = out.getvalue()
    return data


@settings(deadline=None, max_examples=150)
@given(csv_inputs())
def test_any_csv_bytes_give_rows_or_clear_messages(data):
    assert_well_behaved(data, "r.csv")


@settings(deadline=None, max_examples=40)
@given(xlsx_inputs())
def test_any_xlsx_gives_rows_or_clear_messages(data):
    assert_well_behaved(data, "r.xlsx")


def test_the_base_files_are_accepted():
    """So the properties above start from valid files, not from ones refused anyway."""
    assert len(outcome(EXAMPLE, "r.csv")[0]) == 8
    from openpyxl import Workbook

    book = Workbook()
    for line in EXAMPLE.decode().strip().splitlines():
        book.active.append(next(__import__("csv").reader([line])))
    book.active["C3"] = datetime(2013, 5, 1)           # a month Excel turned into a date
    buffer = io.BytesIO()
    book.save(buffer)
    rows, problems = outcome(buffer.getvalue(), "r.xlsx")
    assert problems is None and [r.month for r in rows][:2] == [date(2013, 4, 1), date(2013, 5, 1)] and len(rows) == 8


@pytest.mark.django_db
@settings(deadline=None, max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(csv_inputs(), mutated(EXAMPLE)))
def test_an_import_of_a_refused_file_changes_nothing(tmp_path, data):
    if not models.Force.objects.exists():
        path = tmp_path / "plan.yaml"
        path.write_text(EXAMPLE_PLAN)
        call_command("load_plan", str(path), stdout=StringIO())
    path = tmp_path / "return.csv"
    path.write_bytes(data)
    before = (list(models.Observation.objects.values_list("id", "value", "note")), models.Return.objects.count(),
              models.ReturnLine.objects.count())
    try:
        call_command("import_return", str(path), stdout=StringIO())
    except CommandError as exc:
        for line in str(exc).splitlines()[1:]:
            assert MESSAGE.fullmatch(line.strip()), line
        assert (list(models.Observation.objects.values_list("id", "value", "note")), models.Return.objects.count(),
                models.ReturnLine.objects.count()) == before
