"""Districts in the wide template (issue 28 item 6): after the force's
Quarter sheet, one sheet per local area named by the district, with the
measures the plan breaks down by area × the quarter's months; one upload
imports the force's and the districts' figures, the preview naming the
districts, not their ONS codes. With Essex's demo (14 districts, 4 measures
broken down by area; its quarter to file is 2014/15 Q2)."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from indicators import models
from indicators.returns.file import ReturnFileError, check_rows, read_table
from indicators.returns.workflow import catalogue_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db
QUARTER = "2014/15 Q2"
URL = "/admin/indicators/return/template/?force=essex&quarter=2014/15+Q2&format=wide"
IMPORT = "/admin/indicators/return/import/"
BASILDON = "E07000066"


@pytest.fixture
def essex(demo):
    return models.Force.objects.get(slug="essex")


@pytest.fixture
def analyst(essex, client):
    user = make_user("ana", role="analyst", forces=[essex])
    client.force_login(user)
    return user


def book_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def find_row(sheet, code: str) -> int:
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == code)


def column(sheet, name: str) -> int:
    return next(c.column for c in sheet[1] if c.value == name)


def upload(client, content: bytes, name="essex-quarter.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(IMPORT, {"file": file})


def test_the_wide_template_has_a_sheet_per_district_named_by_its_name(analyst, client):
    book = book_of(client.get(URL).content)
    areas = list(models.LocalArea.objects.filter(force__slug="essex").order_by("name").values_list("name", "code"))
    assert len(areas) == 14
    assert book.sheetnames == ["Quarter", *(name for name, _ in areas), "Read me"]
    basildon = book["Basildon"]
    header = [c.value for c in basildon[1]]
    force_header = [c.value for c in book["Quarter"][1]]
    assert header == [*force_header, "area"]          # the same columns (same letters), the area's code last
    assert header[5:10] == ["2014-07 value", "2014-07 numerator", "2014-07 denominator", "2014-07 status",
                            "2014-07 note"]
    codes = [basildon.cell(r, 2).value for r in range(2, basildon.max_row + 1)]
    assert sorted(codes) == ["all-crime", "asb", "domestic-burglary", "vehicle-crime"]
    assert {basildon.cell(r, len(header)).value for r in range(2, basildon.max_row + 1)} == {BASILDON}
    notes = " ".join(str(row[0].value) for row in book["Read me"].iter_rows())
    assert "named by its district" in notes
    assert "15,102" in notes and "type them as numbers" in notes      # the rules the reader applies (item 9)


def test_one_upload_imports_the_force_and_a_district_by_name(analyst, client):
    book = book_of(client.get(URL).content)
    force_sheet, basildon = book["Quarter"], book["Basildon"]
    july = column(force_sheet, "2014-07 value")
    august = column(force_sheet, "2014-08 value")
    force_sheet.cell(find_row(force_sheet, "all-crime"), july).value = 9876
    basildon.cell(find_row(basildon, "all-crime"), july).value = 412
    basildon.cell(find_row(basildon, "asb"), august).value = 133
    response = upload(client, saved(book))
    html = response.content.decode()
    assert "The file was not imported" not in html, html
    assert "essex all-crime Basildon 2014-07: 412" in html
    assert "essex asb Basildon 2014-08: 133" in html
    assert "essex all-crime 2014-07: 9,876" in html
    assert BASILDON not in html.split("New and changed figures")[1].split("</table>")[0]   # names, not codes
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(IMPORT, {"token": token, "confirm": "1"})
    ret = models.Return.objects.get(force__slug="essex", state="draft")
    assert response.status_code == 302 and response["Location"] == f"/admin/indicators/return/{ret.pk}/review/"
    lines = {(line.indicator.code, line.area.code if line.area else "", line.month): line.value
             for line in ret.lines.select_related("indicator", "area")}
    assert lines[("all-crime", "", date(2014, 7, 1))] == 9876
    assert lines[("all-crime", BASILDON, date(2014, 7, 1))] == 412
    assert lines[("asb", BASILDON, date(2014, 8, 1))] == 133
    assert ret.lines.get(indicator__code="asb", area__code=BASILDON).row == find_row(basildon, "asb")


def test_a_bad_district_cell_is_named_with_its_sheet(analyst, client):
    book = book_of(client.get(URL).content)
    sheet = book["Braintree"]
    row = find_row(sheet, "vehicle-crime")
    sheet.cell(row, column(sheet, "2014-09 value")).value = "4,512"
    html = upload(client, saved(book)).content.decode()
    assert "The file was not imported" in html
    assert (f"sheet &#x27;Braintree&#x27;, row {row}, column P (September 2014 value): &#x27;4,512&#x27; has a "
            "thousands separator") in html


def test_a_district_sheet_without_its_area_column_is_refused(essex):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Quarter"
    book.active.append(["force", "indicator", "2014-07 value", "2014-07 numerator", "2014-07 denominator",
                        "2014-07 status", "2014-07 note"])
    book.active.append(["essex", "all-crime", 9000])
    area = book.create_sheet("Basildon")
    area.append(["force", "indicator", "2014-07 value", "2014-07 numerator", "2014-07 denominator",
                 "2014-07 status", "2014-07 note"])
    area.append(["essex", "all-crime", 400])
    content = saved(book)
    with pytest.raises(ReturnFileError) as caught:
        read_table(content, "q.xlsx")
    assert str(caught.value) == ("sheet 'Basildon', missing column 'area' (the local area's code, as the template "
                                 "gives it)")
    area.cell(1, 8).value = "area"
    area.cell(2, 8).value = BASILDON
    header, body = read_table(saved(book), "q.xlsx")
    rows = check_rows(header, body, catalogue_for(None), today=date(2015, 1, 1))
    assert [(r.indicator, r.area, r.value) for r in rows] == [("all-crime", "", 9000), ("all-crime", BASILDON, 400)]
