"""The return file's optional `illustrative` column (issue 30): found by
name like `area`, `from`, `lower`, `upper`; true/false, yes/no, 1/0 or blank
(false), in any case; anything else is a problem naming its row and column,
and nothing is written. A figure filed as illustrative is stored so, through
a draft's lines or published at once; a file without the column says
nothing of the flag, so a revision it makes is a real figure and a figure
it leaves equal keeps the flag it had (docs/decisions.md, "The illustrative
column")."""

import io
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from indicators import models
from indicators.returns.file import ReturnFileError
from indicators.returns.workflow import publish_return
from tests.factories import EXAMPLE_PLAN
from tests.test_returnfile import HEADER, check, problems
from tests.test_returnfile_fast import both_ways

# --- the reader, without the database ---------------------------------------------------------------

@pytest.mark.parametrize("word,flag", [
    ("true", True), ("TRUE", True), ("True", True), ("yes", True), ("Yes", True), ("1", True), (" true ", True),
    ("false", False), ("FALSE", False), ("no", False), ("No", False), ("0", False), ("", False), ("  ", False),
])
def test_the_column_reads_true_false_yes_no_1_0_and_blank_in_any_case(word, flag):
    rows = check(f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,{word}\n")
    assert rows[0].illustrative is flag


def test_without_the_column_a_row_says_nothing_of_the_flag():
    rows = check(f"{HEADER}\nwest-mercia,vwi,2013-04,512,,,final,\n")
    assert rows[0].illustrative is None


def test_the_column_is_found_by_name_in_any_order_beside_the_others():
    rows = check("illustrative,note,status,denominator,numerator,value,month,indicator,force,area\n"
                 "yes,,final,,,512,2013-04,vwi,west-mercia,\n"
                 "no,,final,,,498,2013-05,vwi,west-mercia,\n")
    assert [(r.month, r.illustrative) for r in rows] == [(date(2013, 4, 1), True), (date(2013, 5, 1), False)]


def test_a_word_that_is_not_a_flag_names_its_row_and_column():
    assert problems(f"{HEADER},illustrative\n"
                    "west-mercia,vwi,2013-04,512,,,final,,true\n"
                    "west-mercia,vwi,2013-05,498,,,final,,maybe\n"
                    "west-mercia,vwi,2013-06,507,,,final,,y\n") == [
        "row 3, column illustrative: 'maybe' is not true or false; write true, false, yes, no, 1 or 0 "
        "(empty: false, a published figure)",
        "row 4, column illustrative: 'y' is not true or false; write true, false, yes, no, 1 or 0 "
        "(empty: false, a published figure)"]


def test_the_column_twice_is_refused_and_an_unknown_column_lists_it():
    assert problems(f"{HEADER},illustrative,illustrative\nwest-mercia,vwi,2013-04,512,,,final,,,\n") == [
        "file: column 'illustrative' appears more than once"]
    assert problems(f"{HEADER},demo\nwest-mercia,vwi,2013-04,512,,,final,,\n") == [
        "file: unexpected column 'demo'; the columns are force, indicator, month, value, numerator, denominator, "
        "status, note and, optionally, area, from, lower, upper, illustrative"]


def test_the_fast_path_and_the_per_row_path_read_the_flag_alike():
    good = (f"{HEADER},area,illustrative\n"
            "west-mercia,vwi,2013-04,512,,,final,,,true\n"
            "west-mercia,vwi,2013-05,498,,,final,,,\n"
            "west-mercia,vwi,2013-06,507,,,final,,hfd,No\n")
    default, per_row, answered = both_ways(good)
    assert answered and default == per_row
    assert [r.illustrative for r, *_ in default[0]] == [True, False, False]
    default, per_row, answered = both_ways(good.replace(",No\n", ",nope\n"))
    assert not answered and default == per_row == [
        "row 4, column illustrative: 'nope' is not true or false; write true, false, yes, no, 1 or 0 "
        "(empty: false, a published figure)"]


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_takes_true_false_cells_numbers_and_words():
    header = HEADER.split(",") + ["illustrative"]
    data = xlsx([header,
                 ["west-mercia", "vwi", "2013-04", 512, None, None, "final", None, True],
                 ["west-mercia", "vwi", "2013-05", 498, None, None, "final", None, False],
                 ["west-mercia", "vwi", "2013-06", 507, None, None, "final", None, 1],
                 ["west-mercia", "vwi", "2013-07", 507, None, None, "final", None, "Yes"],
                 ["west-mercia", "vwi", "2013-08", 507, None, None, "final", None, None]])
    assert [r.illustrative for r in check(data, name="r.xlsx")] == [True, False, True, True, False]
    bad = xlsx([header, ["west-mercia", "vwi", "2013-04", 512, None, None, "final", None, 2]])
    with pytest.raises(ReturnFileError) as excinfo:
        check(bad, name="r.xlsx")
    assert [str(p) for p in excinfo.value.problems] == [
        "row 2, column illustrative: '2' is not true or false; write true, false, yes, no, 1 or 0 "
        "(empty: false, a published figure)"]


# --- importing: the flag stored, revised, kept ------------------------------------------------------

@pytest.fixture
def plan(plan_file, db):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    return models.Force.objects.get(slug="west-mercia")


def run(write, text: str, *args) -> str:
    out = StringIO()
    call_command("import_return", str(write(text)), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def flags() -> dict:
    return dict(models.Observation.objects.filter(indicator__code="vwi", area__isnull=True)
                .values_list("month", "illustrative"))


def test_a_figure_filed_as_illustrative_is_stored_so_when_published_at_once(plan, write):
    run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,true\n"
               "west-mercia,vwi,2013-05,498,,,final,,\n", "--publish")
    assert flags() == {date(2013, 4, 1): True, date(2013, 5, 1): False}


def test_a_draft_keeps_the_flag_in_its_lines_and_publishing_writes_it(plan, write):
    run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,yes\n"
               "west-mercia,vwi,2013-05,498,,,final,,no\n")
    ret = models.Return.objects.get()
    assert dict(ret.lines.values_list("month", "illustrative")) == {date(2013, 4, 1): True, date(2013, 5, 1): False}
    publish_return(ret, user=None)
    assert flags() == {date(2013, 4, 1): True, date(2013, 5, 1): False}


def test_a_bad_flag_writes_nothing_and_the_command_names_row_and_column(plan, write):
    with pytest.raises(CommandError) as excinfo:
        run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,true\n"
                   "west-mercia,vwi,2013-05,498,,,final,,perhaps\n", "--publish")
    assert "row 3, column illustrative: 'perhaps' is not true or false" in str(excinfo.value)
    assert not models.Observation.objects.exists() and not models.Return.objects.exists()


def test_without_the_column_a_new_figure_is_real_as_before(plan, write):
    run(write, f"{HEADER}\nwest-mercia,vwi,2013-04,512,,,final,\n", "--publish")
    assert flags() == {date(2013, 4, 1): False}


def test_a_revision_follows_the_file(plan, write):
    """An illustrative figure revised by a file without the column is the
    analyst's real figure; one left equal keeps its flag (the file changes
    nothing); the column given, its word is part of the figure, and a change
    of it alone is a revision the history keeps."""
    run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,true\n"
               "west-mercia,vwi,2013-05,498,,,final,,true\n", "--publish")
    out = run(write, f"{HEADER}\nwest-mercia,vwi,2013-04,512,,,final,\nwest-mercia,vwi,2013-05,490,,,final,\n",
              "--publish")
    assert "west-mercia: 0 new, 1 changed, 1 unchanged" in out
    assert flags() == {date(2013, 4, 1): True, date(2013, 5, 1): False}
    may = models.Observation.objects.get(indicator__code="vwi", month=date(2013, 5, 1))
    assert [(h.value, h.illustrative) for h in may.history.order_by("history_date", "history_id")] == [
        (498, True), (490, False)]

    out = run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,false\n", "--publish")
    assert "west-mercia: 0 new, 1 changed, 0 unchanged" in out
    assert "vwi 2013-04: 512 illustrative → 512\n" in out          # what changed is the label
    assert flags()[date(2013, 4, 1)] is False
    out = run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,1\n", "--publish")
    assert "0 new, 1 changed" in out and flags()[date(2013, 4, 1)] is True
    april = models.Observation.objects.get(indicator__code="vwi", month=date(2013, 4, 1))
    assert [h.illustrative for h in april.history.order_by("history_date", "history_id")] == [True, False, True]


def test_the_page_marks_a_figure_filed_as_illustrative(plan, write, client):
    run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,true\n"
               "west-mercia,vwi,2013-05,498,,,final,A real one,false\n", "--publish")
    page = client.get("/west-mercia/indicators/vwi/?period=2013-05").content.decode()
    table = page[page.index('id="monthly-heading"'):]

    def row(month: str) -> str:
        start = table.index(f'<th scope="row">{month}</th>')
        return table[start:table.index("</tr>", start)]

    assert '<span class="tag tag-demo">Illustrative</span>' in row("April 2013")
    assert "Illustrative" not in row("May 2013") and "A real one" in row("May 2013")
    monthly = client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-05").json()["monthly"]
    assert [(m["month"], m["illustrative"]) for m in monthly] == [("2013-04", True), ("2013-05", False)]


def test_the_analysts_template_has_no_illustrative_column(plan, client):
    from tests.factories import make_user

    client.force_login(make_user("wm-analyst", role="analyst", forces=[plan]))
    response = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1")
    assert response.status_code == 200
    header = response.content.decode().splitlines()[0]
    assert header == "force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper"


def test_the_publishing_confirmation_shows_the_label_going(plan, write):
    from indicators.returns.confirmation import figure_checks
    from indicators.returns.file import check_rows, read_table
    from indicators.returns.workflow import catalogue_for

    run(write, f"{HEADER},illustrative\nwest-mercia,vwi,2013-04,512,,,final,,true\n", "--publish")
    header, body = read_table(f"{HEADER}\nwest-mercia,vwi,2013-04,490,,,final,\n".encode(), "r.csv")
    [check] = figure_checks(check_rows(header, body, catalogue_for(None), today=date.today()))
    assert (check.old, check.new, check.changes) == ("512 illustrative", "490", True)
