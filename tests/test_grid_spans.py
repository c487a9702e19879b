"""SPEC §6 in the grid, the templates, quarter status and figure warnings:
a quarterly measure has one cell per quarter (its end month), an annual one
in March, an irregular one is filed by file only; the months between are not
missing; warnings compare like spans (a quarter with quarters, never with a
month)."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from indicators import models
from indicators.returns.figure_warnings import find_warnings, reference_months
from indicators.returns.file import Row
from indicators.returns.grid import entry_months
from tests.factories import EXAMPLE_PLAN, make_user

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper"
Q1 = [date(2013, 4, 1), date(2013, 5, 1), date(2013, 6, 1)]
Q4 = [date(2014, 1, 1), date(2014, 2, 1), date(2014, 3, 1)]


@pytest.fixture
def plan(plan_file):
    """The example plan with vwi-solved quarterly and alcohol-strategy irregular."""
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    models.Indicator.objects.filter(code="vwi-solved").update(frequency="quarterly")
    models.Indicator.objects.filter(code="alcohol-strategy").update(frequency="irregular")
    return models.Force.objects.get(slug="west-mercia")


@pytest.fixture
def analyst(plan, client):
    client.force_login(make_user("ana", role="analyst", forces=[plan]))


def ind(code):
    return models.Indicator.objects.get(force__slug="west-mercia", code=code)


def publish(tmp_path, text):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "\n" + text)
    call_command("import_return", str(path), "--publish", "--accept-warnings", stdout=io.StringIO())


def test_entry_months_by_frequency():
    assert entry_months("monthly", Q1) == Q1
    assert entry_months("quarterly", Q1) == [date(2013, 6, 1)]
    assert entry_months("annual", Q1) == [] and entry_months("annual", Q4) == [date(2014, 3, 1)]
    assert entry_months("irregular", Q4) == []


def test_reference_months_are_like_spans():
    june = date(2024, 6, 1)
    assert reference_months(june, 1) == [("the previous month", date(2024, 5, 1)),
                                         ("the same month last year", date(2023, 6, 1))]
    assert reference_months(june, 3) == [("the previous quarter", date(2024, 3, 1)),
                                         ("the same quarter last year", date(2023, 6, 1))]
    assert reference_months(date(2024, 3, 1), 12) == [("the previous year", date(2023, 3, 1))]


def test_the_grid_has_one_cell_per_quarter_for_a_quarterly_measure_and_lists_file_only_ones(analyst, client):
    html = client.get("/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1").content.decode()
    solved = ind("vwi-solved").id
    assert f'id="numerator-{solved}-2013-06"' in html
    assert f'id="numerator-{solved}-2013-04"' not in html and f'id="numerator-{solved}-2013-05"' not in html
    assert html.count("quarterly: one figure for the quarter, in June 2013") == 2
    assert f'id="value-{ind("vwi").id}-2013-04"' in html
    strategy = ind("alcohol-strategy")
    assert f'id="value-{strategy.id}-' not in html
    assert re.search(r"Filed by return file only, not in this grid .*" + re.escape(f"{strategy.name} "
                                                                                    "(alcohol-strategy)"), html)


def test_a_quarterly_cell_saves_a_figure_over_the_quarter(analyst, client):
    solved = ind("vwi-solved").id
    url = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1"
    page = client.get(url).content.decode()
    shown = re.search(r'name="shown" value="([^"]*)"', page).group(1).replace("&quot;", '"')
    response = client.post(url, {"action": "draft", "shown": shown, f"numerator-{solved}-2013-06": "830",
                                 f"denominator-{solved}-2013-06": "1500"})
    assert response.status_code == 302
    line = models.ReturnLine.objects.get()
    assert (line.month, line.first_month, line.numerator, line.denominator) == (
        date(2013, 6, 1), date(2013, 4, 1), 830, 1500)
    assert line.value == pytest.approx(100 * 830 / 1500)


def status_row(html: str, name: str) -> str:
    """The quarter status table's row of the measure ``name``."""
    return next(tr for tr in html.split("<tr")[1:] if f"{name}</th>" in tr)


def test_quarter_status_never_calls_the_months_between_missing(analyst, client, tmp_path):
    publish(tmp_path, "west-mercia,vwi-solved,2013-06,,830,1500,final,,,,,\n")
    html = client.get("/admin/indicators/return/status/?force=west-mercia&quarter=2013/14+Q1").content.decode()
    row = status_row(html, ind("vwi-solved").name)
    assert row.count("No figure due (quarterly: one figure for the quarter, in June 2013)") == 2
    assert "Missing" not in row and "Final: 55" in row
    # the monthly measure with nothing filed is missing in each month; the irregular one never is
    assert status_row(html, "Violent crime with injury").count("Missing") == 3
    assert "Missing" not in status_row(html, ind("alcohol-strategy").name)
    assert "1 final, 0 provisional, 0 unavailable, 3 missing" in html


def test_a_quarter_is_warned_against_quarters_never_against_a_month(plan, tmp_path):
    solved = ind("vwi-solved")
    # the same quarter last year held: 20 %; the month before the quarter's end held as a monthly figure, 90 %
    models.Observation.objects.create(indicator=solved, month=date(2012, 6, 1), first_month=date(2012, 4, 1),
                                      value=20.0, numerator=200, denominator=1000)
    models.Observation.objects.create(indicator=solved, month=date(2013, 5, 1), value=90.0, numerator=90,
                                      denominator=100)
    figure = Row(2, "west-mercia", "vwi-solved", solved.id, solved.force_id, date(2013, 6, 1), 90.0, 900, 1000,
                 "final", "", first_month=date(2013, 4, 1))
    warnings = find_warnings([figure])
    # 90 is more than 3x the same quarter last year (20); the monthly May figure (90) is no reference
    assert len(warnings) == 1
    assert [(r.label, r.month, r.value) for r in warnings[0].references] == [
        ("the same quarter last year", date(2012, 6, 1), 20.0)]
    # as a monthly figure the same June is compared with May (90) and June 2012 (a quarter: not compared)
    monthly = Row(2, "west-mercia", "vwi-solved", solved.id, solved.force_id, date(2013, 6, 1), 90.0, 900, 1000,
                  "final", "")
    assert find_warnings([monthly]) == []


def test_the_long_template_has_the_new_columns_and_a_row_per_figure_due(analyst, client, tmp_path):
    text = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER.split(",")
    by_code = {}
    for row in rows[1:]:
        by_code.setdefault(row[1], []).append(row)
    assert [r[2] for r in by_code["vwi"]] == ["2013-04", "2013-05", "2013-06"]
    assert [r[2] for r in by_code["vwi-solved"]] == ["2013-06"]
    # an irregular measure with no figure this quarter: one row at the quarter's end, `from` to fill
    assert by_code["alcohol-strategy"] == [["west-mercia", "alcohol-strategy", "2013-06", *[""] * 9]]


def test_the_long_template_is_prefilled_with_from_lower_upper(analyst, client, tmp_path):
    publish(tmp_path, "west-mercia,alcohol-strategy,2013-05,3,,,final,Wave 1,,2013-03,2,4\n")
    text = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1").content.decode()
    rows = [r for r in csv.reader(io.StringIO(text)) if r[1] == "alcohol-strategy"]
    assert rows == [["west-mercia", "alcohol-strategy", "2013-05", "3", "", "", "final", "Wave 1", "", "2013-03",
                     "2", "4"]]


def test_the_wide_template_shades_the_months_a_quarterly_measure_has_no_figure_in(analyst, client):
    response = client.get("/admin/indicators/return/template/?format=wide&force=west-mercia&quarter=2013/14+Q1")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    # the months' five columns keep their places; from, lower, upper of each month follow them all
    assert header[5:10] == ["2013-04 value", "2013-04 numerator", "2013-04 denominator", "2013-04 status",
                            "2013-04 note"]
    assert header[20:] == ["2013-04 from", "2013-04 lower", "2013-04 upper", "2013-05 from", "2013-05 lower",
                           "2013-05 upper", "2013-06 from", "2013-06 lower", "2013-06 upper"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "vwi-solved")
    shaded = [header[c.column - 1] for c in row[5:] if c.fill.fgColor.rgb.endswith("DDDDDD")]
    assert [h for h in shaded if h.startswith("2013-06")] == ["2013-06 value"]     # ratio: value worked out
    assert len([h for h in shaded if h.startswith(("2013-04", "2013-05"))]) == 16   # every cell of Apr and May


def test_a_wide_sheet_with_from_lower_upper_reads_back(analyst, client):
    from indicators.returns.file import check_rows, read_table
    from indicators.returns.workflow import catalogue_for

    response = client.get("/admin/indicators/return/template/?format=wide&force=west-mercia&quarter=2013/14+Q1")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "alcohol-strategy")
    for name, value in (("2013-05 value", 3), ("2013-05 from", "2013-03"), ("2013-05 lower", 2),
                        ("2013-05 upper", 4)):
        row[header.index(name)].value = value
    buffer = io.BytesIO()
    book.save(buffer)
    head, body = read_table(buffer.getvalue(), "q.xlsx")
    rows = check_rows(head, body, catalogue_for(None), today=date(2014, 1, 1))
    assert [(r.indicator, r.month, r.first_month, r.value, r.lower, r.upper) for r in rows] == [
        ("alcohol-strategy", date(2013, 5, 1), date(2013, 3, 1), 3, 2, 4)]
