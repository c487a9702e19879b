"""The wide quarterly template (issue 15 item 4): measures as rows, the
quarter's months across with a status (a drop-down list) and a note each,
pre-filled with the held figures; it imports through the same checker, its
problems name the wide sheet's cells, and uploading it unchanged changes
nothing."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from indicators import models, versioning
from indicators.returns.file import ReturnFileError, check_rows, read_table
from indicators.returns.workflow import catalogue_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/admin/indicators/return/template/wide/?force=west-mercia&quarter=2013/14+Q1"


@pytest.fixture
def analyst(west_mercia, client):
    user = make_user("ana", role="analyst", forces=[west_mercia])
    client.force_login(user)
    return user


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def saved(sheet) -> bytes:
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    return buffer.getvalue()


def find_row(sheet, code: str) -> int:
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == code)


def upload(client, content: bytes, name="west-mercia-quarter.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post("/admin/indicators/return/import/", {"file": file}).content.decode()


def test_the_wide_template_has_measures_as_rows_and_months_across(analyst, client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="west-mercia-quarter-2013-14-Q1.xlsx"'
    sheet = sheet_of(response.content)
    assert sheet.title == "Quarter"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["force", "indicator", "measure", "unit", "headline"]
    assert header[5:10] == ["2013-04 value", "2013-04 numerator", "2013-04 denominator", "2013-04 status",
                            "2013-04 note"]
    assert header[19] == "2013-06 note" and len(header) == 29
    # SPEC §6: each month's from, lower and upper after the months' five columns
    assert header[20:23] == ["2013-04 from", "2013-04 lower", "2013-04 upper"] and header[-1] == "2013-06 upper"
    assert sheet.max_row - 1 == 49                 # the plan's 49 measures
    asb = find_row(sheet, "asb")
    assert sheet.cell(asb, 3).value == "Reduction in the volume of ASB incidents as measured by the police"
    assert sheet.cell(asb, 4).value == "Count" and sheet.cell(asb, 5).value == "*"
    assert sheet.cell(asb, 16).value == 4767 and sheet.cell(asb, 19).value == "final"    # June value, status
    # a ratio measure: numerator and denominator, the value worked out (empty)
    ratio = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 7).value is not None)
    assert sheet.cell(ratio, 6).value is None and sheet.cell(ratio, 8).value is not None
    # status cells have the list
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"final,provisional,unavailable"'
    assert {str(r) for r in validation.sqref.ranges} == {f"{c}2:{c}50" for c in ("I", "N", "S")}


def test_download_and_upload_unchanged_changes_nothing(analyst, client):
    content = client.get(URL).content
    html = upload(client, content)
    assert "west-mercia: 0 new, 0 changed, 69 unchanged" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    returns, version = models.Return.objects.count(), versioning.current()
    page = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1"},
                       follow=True).content.decode()
    assert "nothing changed: all 69 figures equal the published ones; no return was made" in page
    assert models.Return.objects.count() == returns and versioning.current() == version


def test_one_changed_cell_is_said_as_one_figure_saved(analyst, client):
    """The draft holds the one changed figure; the message said "69 figures
    saved as a draft" (the file's rows) and, put first, the file's name was
    capitalised by the admin: both found in a user trial."""
    sheet = sheet_of(client.get(URL).content)
    sheet.cell(find_row(sheet, "asb"), 16).value = 4770
    html = upload(client, saved(sheet))
    token = html.split('name="token" value="')[1].split('"')[0]
    page = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1"}, follow=True)
    draft = models.Return.objects.get(state="draft")
    assert draft.lines.count() == 1
    assert (f"1 figure from west-mercia-quarter.xlsx saved as a draft in return #{draft.pk}; 68 equal to the "
            "published figures left out. west-mercia: 0 new, 1 changed, 68 unchanged") in page.content.decode()


def test_the_command_reads_the_wide_template_too(analyst, client, tmp_path):
    path = tmp_path / "quarter.xlsx"
    path.write_bytes(client.get(URL).content)
    out = io.StringIO()
    call_command("import_return", str(path), "--publish", stdout=out)
    assert "nothing changed: all 69 figures equal the published ones" in out.getvalue()
    sheet = sheet_of(path.read_bytes())
    sheet.cell(find_row(sheet, "asb"), 16).value = 4770
    sheet.cell(find_row(sheet, "asb"), 20).value = "Recounted"
    path.write_bytes(saved(sheet))
    out = io.StringIO()
    call_command("import_return", str(path), stdout=out)
    assert "west-mercia: 0 new, 1 changed, 68 unchanged" in out.getvalue()
    line = models.Return.objects.get(state="draft").lines.get()
    assert (line.indicator.code, line.month, line.value, line.note) == ("asb", date(2013, 6, 1), 4770, "Recounted")
    assert line.row == find_row(sheet, "asb")      # the wide sheet's row


def test_a_bad_cell_is_named_by_the_wide_sheets_row_and_column(analyst, client, tmp_path):
    sheet = sheet_of(client.get(URL).content)
    asb = find_row(sheet, "asb")
    sheet.cell(asb, 11).value = "4,512"          # K: May 2013 value
    sheet.cell(asb, 14).value = "maybe"          # N: May 2013 status
    html = upload(client, saved(sheet))
    assert "The file was not imported" in html
    assert f"row {asb}, column K (May 2013 value): &#x27;4,512&#x27; has a thousands separator; write it as 4512" in html
    assert f"row {asb}, column N (May 2013 status): must be final, provisional or unavailable" in html
    path = tmp_path / "bad.xlsx"
    path.write_bytes(saved(sheet))
    with pytest.raises(CommandError) as caught:
        call_command("import_return", str(path), stdout=io.StringIO())
    assert f"row {asb}, column K (May 2013 value): '4,512' has a thousands separator" in str(caught.value)
    assert not models.Return.objects.filter(state="draft").exists()


def test_a_warning_is_named_by_the_wide_sheets_cell(analyst, client, tmp_path):
    """A tenfold figure in a wide sheet: "row 27, column value" would not
    say which of the quarter's three months is meant; the warning names the
    cell as the errors do (found in a user trial)."""
    sheet = sheet_of(client.get(URL).content)
    asb = find_row(sheet, "asb")
    sheet.cell(asb, 11).value = 47670            # K: May 2013 value, ten times April and June
    html = upload(client, saved(sheet))
    assert "1 warning" in html
    assert f"row {asb}, column K (May 2013 value): warning: 47,670 is more than 3× the previous month" in html
    assert "column value: warning" not in html
    path = tmp_path / "tenfold.xlsx"
    path.write_bytes(saved(sheet))
    out = io.StringIO()
    call_command("import_return", str(path), stdout=out)
    assert f"row {asb}, column K (May 2013 value): warning: 47,670" in out.getvalue()


def test_unavailable_without_a_note_and_a_measure_twice(west_mercia, analyst, client):
    sheet = sheet_of(client.get(URL).content)
    asb = find_row(sheet, "asb")
    sheet.cell(asb, 16).value = None
    sheet.cell(asb, 19).value = "unavailable"
    sheet.cell(asb, 20).value = None
    sheet.append(["west-mercia", "asb"])
    data = saved(sheet)
    header, body = read_table(data, "q.xlsx")
    with pytest.raises(ReturnFileError) as caught:
        check_rows(header, body, catalogue_for(None), today=date(2026, 1, 1))
    messages = [str(p) for p in caught.value.problems]
    assert f"row {sheet.max_row}, column B: the measure 'asb' is also on row {asb}; give each measure one row" \
        in messages
    assert (f"row {asb}, column T (June 2013 note): a note is required when status is unavailable (say why the "
            "figure is missing)") in messages


def test_an_unknown_column_is_a_file_problem(analyst, client):
    sheet = sheet_of(client.get(URL).content)
    sheet.cell(1, 21).value = "comments"
    with pytest.raises(ReturnFileError) as caught:
        read_table(saved(sheet), "q.xlsx")
    assert str(caught.value.problems[0]).startswith("file: column U: unexpected column 'comments'")


def test_wide_template_permissions(west_mercia, analyst):
    essex = Client()
    essex.force_login(make_user("ea", role="analyst", forces=[models.Force.objects.get(slug="essex")]))
    assert essex.get(URL).status_code == 404
    panel = Client()
    panel.force_login(make_user("pm", role="panel", forces=[west_mercia]))
    assert panel.get(URL).status_code == 403
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_import_page_offers_the_wide_template(analyst, client):
    html = client.get("/admin/indicators/return/import/").content.decode()
    assert '<option value="wide" selected>Excel, measures × months (wide)</option>' in html   # the default
    response = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1&format=wide")
    assert response.status_code == 200 and sheet_of(response.content).title == "Quarter"
