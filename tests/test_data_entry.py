"""Data entry for OPCC analysts: roles, the quarterly grid, the import with
preview, templates, the workflow, assessments and commentary."""

import csv
import io
import itertools
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from indicators import models
from indicators.access.roles import ANALYST, PANEL
from tests.factories import EXAMPLE_PLAN, make_user

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
GRID = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1"


@pytest.fixture
def plan(plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    essex = models.Force.objects.create(slug="essex", name="Essex Police")
    eplan = models.Plan.objects.create(force=essex, title="Essex plan", start=date(2013, 4, 1), end=date(2014, 3, 31))
    area = models.AreaOfFocus.objects.create(plan=eplan, number=1, title="Crime")
    pr = models.StrategicPriority.objects.create(plan=eplan, area=area, number=1, title="Reduce crime")
    asb = models.Indicator.objects.create(force=essex, code="asb", name="ASB", unit="count", aggregation="sum",
                                          polarity="down")
    models.PriorityIndicator.objects.create(priority=pr, indicator=asb, order=1)
    return models.Force.objects.get(slug="west-mercia")


@pytest.fixture
def analyst(plan, client):
    user = make_user("ana", role="analyst", forces=[plan])
    client.force_login(user)
    return user


def grid_post(client, **cells):
    data = {}
    for key, value in cells.items():
        name, code, month = key.split("__")
        ind = models.Indicator.objects.get(force__slug="west-mercia", code=code.replace("_", "-"))
        data[f"{name}-{ind.id}-{month.replace('_', '-')}"] = value
    return client.post(GRID, data)


def test_groups_are_created_with_their_permissions():
    analyst, panel = Group.objects.get(name=ANALYST), Group.objects.get(name=PANEL)
    assert {"add_observation", "change_return", "publish_return", "add_assessment", "add_commentary"} <= set(
        analyst.permissions.values_list("codename", flat=True))
    assert set(panel.permissions.values_list("codename", flat=True)) >= {"view_return", "view_observation"}
    assert not any(c.startswith(("add_", "change_", "delete_", "publish_"))
                   for c in panel.permissions.values_list("codename", flat=True))


@pytest.mark.parametrize("url", [GRID, "/admin/indicators/return/import/", "/admin/indicators/return/",
                                 "/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1",
                                 "/admin/indicators/assessment/add/", "/admin/indicators/commentary/add/"])
def test_anonymous_is_sent_to_log_in(plan, client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_panel_member_reads_published_returns_but_may_not_write(plan, client):
    panel = make_user("pm", role="panel", forces=[plan])
    call_command("import_return", *_file(HEADER + "\nwest-mercia,vwi,2013-01,4,,,,\n"), "--publish",
                 stdout=io.StringIO())
    call_command("import_return", *_file(HEADER + "\nwest-mercia,vwi,2013-04,5,,,,\n"), stdout=io.StringIO())
    client.force_login(panel)
    listing = client.get("/admin/indicators/return/")
    # published data only (SPEC §1): the 2012/13 Q4 return, not the 2013/14 Q1 draft
    assert listing.status_code == 200 and "2012/13 Q4" in listing.content.decode()
    assert "2013/14 Q1" not in listing.content.decode()
    for url in (GRID, "/admin/indicators/return/import/", "/admin/indicators/assessment/add/"):
        assert client.get(url).status_code == 403, url
    ret = models.Return.objects.get(state="draft")
    response = client.post(f"/admin/indicators/return/{ret.pk}/change/", {"force": plan.pk, "period": "x"})
    assert response.status_code in (302, 403)
    assert client.post("/admin/indicators/return/", {"action": "publish_returns",
                                                      "_selected_action": [ret.pk]}).status_code in (200, 302, 403)
    ret.refresh_from_db()
    assert ret.state == "draft" and ret.period == "2013/14 Q1"


_SCRATCH = tempfile.TemporaryDirectory(prefix="pccperf-test-")    # removed when the test run ends
_NUMBERS = itertools.count(1)


def _file(text):
    """A return file for import_return, in a scratch folder (never left in /tmp)."""
    path = Path(_SCRATCH.name) / f"return-{next(_NUMBERS)}.csv"
    path.write_text(text, encoding="utf-8")
    return [str(path)]


def test_analyst_of_another_force_is_refused_and_nothing_changes(plan, client):
    essex_analyst = make_user("ea", role="analyst", forces=[models.Force.objects.get(slug="essex")])
    call_command("import_return", *_file(HEADER + "\nwest-mercia,vwi,2013-04,5,,,,\n"), stdout=io.StringIO())
    ret = models.Return.objects.get()
    client.force_login(essex_analyst)
    assert client.get(GRID).status_code == 403
    assert client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1").status_code == 404
    assert client.get(f"/admin/indicators/return/{ret.pk}/change/").status_code == 302    # not in their list
    client.post("/admin/indicators/return/", {"action": "publish_returns", "_selected_action": [ret.pk]})
    ret.refresh_from_db()
    assert ret.state == "draft" and models.Observation.objects.count() == 0
    response = client.post("/admin/indicators/assessment/add/", {
        "indicator": models.Indicator.objects.get(force=plan, code="vwi").pk, "month": "2013-06-01", "rag": "red",
        "reason": "x"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert models.Assessment.objects.count() == 0


def test_grid_shows_every_measure_by_the_quarters_months(analyst, client):
    html = client.get(GRID).content.decode()
    assert "West Mercia Police: 2013/14 Q1" in html
    assert html.count('name="value-') == 3           # vwi × 3 months; alcohol-strategy, a milestone, is left out
    assert client.get(GRID + "&all=1").content.decode().count('name="value-') == 6    # unless all are shown
    assert html.count('name="numerator-') == 3       # the ratio measure takes parts
    assert "April 2013" in html and "June 2013" in html


def test_grid_saves_a_draft_in_one_go_and_updates_it(analyst, client):
    response = grid_post(client, value__vwi__2013_04="512", value__vwi__2013_05="498",
                         numerator__vwi_solved__2013_04="281", denominator__vwi_solved__2013_04="512",
                         status__vwi__2013_06="unavailable", note__vwi__2013_06="System migration")
    assert response.status_code == 302
    ret = models.Return.objects.get()
    assert (ret.state, ret.period, ret.author, ret.lines.count()) == ("draft", "2013/14 Q1", analyst, 4)
    grid_post(client, value__vwi__2013_04="513")
    assert models.Return.objects.count() == 1
    assert list(ret.lines.values_list("value", flat=True)) == [513]
    # the grid shows the draft figure back
    assert 'value="513"' in client.get(GRID).content.decode()


def test_grid_marks_each_bad_cell_and_saves_nothing(analyst, client):
    response = grid_post(client, value__vwi__2013_04="abc", numerator__vwi_solved__2013_05="600",
                         denominator__vwi_solved__2013_05="500", value__vwi__2013_05="498")
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved: 2 problems" in html
    assert "value: &#x27;abc&#x27; is not a number" in html
    assert "numerator: 600 is more than the denominator 500" in html
    assert html.count('class="cell-error"') == 2
    assert models.Return.objects.count() == 0 and models.ReturnLine.objects.count() == 0


def test_template_download_round_trip(analyst, client):
    call_command("import_return", *_file(HEADER + "\nwest-mercia,vwi,2013-04,512,,,,\n"), "--publish",
                 stdout=io.StringIO())
    response = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    # the return-file columns and the optional ones: area (empty: the whole force's figure), from, lower, upper
    assert rows[0] == [*HEADER.split(","), "area", "from", "lower", "upper"] and len(rows) == 1 + 9
    assert ["west-mercia", "vwi", "2013-04", "512", "", "", "final", "", "", "", "", ""] in rows
    # fill in two figures and upload it again
    filled = text.replace("west-mercia,vwi,2013-05,,,,,,,,,", "west-mercia,vwi,2013-05,498,,,,,,,,")
    upload = io.BytesIO(filled.encode())
    upload.name = "filled.csv"
    preview = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    assert "west-mercia: 1 new, 0 changed, 1 unchanged" in preview
    assert "7 rows with no figure were skipped" in preview


def test_template_as_xlsx(analyst, client):
    from openpyxl import load_workbook

    response = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1&format=xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [*HEADER.split(","), "area", "from", "lower", "upper"]
    assert sheet.max_row == 10


def test_template_has_rows_for_the_local_areas_of_measures_broken_down_by_area(analyst, client):
    force = models.Force.objects.get(slug="west-mercia")
    worcester = models.LocalArea.objects.create(force=force, code="E07000237", name="Worcester")
    models.LocalArea.objects.create(force=force, code="E07000234", name="Bromsgrove")
    vwi = models.Indicator.objects.get(force=force, code="vwi")
    models.Observation.objects.create(indicator=vwi, area=worcester, month=date(2013, 4, 1), value=40)
    text = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 9 + 2 * 3                 # + vwi for each of the 2 areas and 3 months
    assert ["west-mercia", "vwi", "2013-04", "40", "", "", "final", "", "E07000237", "", "", ""] in rows
    assert ["west-mercia", "vwi", "2013-05", "", "", "", "", "", "E07000234", "", "", ""] in rows
    filled = text.replace("west-mercia,vwi,2013-05,,,,,,E07000234,,,",
                          "west-mercia,vwi,2013-05,31,,,,,E07000234,,,")
    upload = io.BytesIO(filled.encode())
    upload.name = "filled.csv"
    preview = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    assert "west-mercia: 1 new, 0 changed, 1 unchanged" in preview


def test_import_preview_then_confirm_then_publish(analyst, client):
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-04,512,,,,\nwest-mercia,vwi,2013-05,498,,,,\n"
                         "west-mercia,vwi,2013-06,507,,,,\n").encode())
    upload.name = "q1.csv"
    html = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    assert "Check before you import: q1.csv" in html and "west-mercia: 3 new, 0 changed, 0 unchanged" in html
    assert models.Return.objects.count() == 0                      # nothing before confirming
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1"})
    assert response.status_code == 302
    ret = models.Return.objects.get()
    assert ret.state == "draft" and ret.lines.count() == 3
    anonymous = client.__class__()
    assert anonymous.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()["ytd"] is None
    client.post("/admin/indicators/return/", {"action": "submit_returns", "_selected_action": [ret.pk]})
    client.post("/admin/indicators/return/", {"action": "publish_returns", "_selected_action": [ret.pk]})
    ret.refresh_from_db()
    assert ret.state == "published" and ret.published_by == analyst and ret.submitted_by == analyst
    assert anonymous.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()["ytd"] == 1517
    # published returns are not edited: a revision is a new return
    assert client.get(f"/admin/indicators/return/{ret.pk}/change/").status_code == 200
    assert client.post(f"/admin/indicators/return/{ret.pk}/change/", {"period": "x"}).status_code == 403


def test_import_upload_with_problems_lists_them(analyst, client):
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-04,-5,,,,\n").encode())
    upload.name = "bad.csv"
    html = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    assert "The file was not imported: 1 problem. Nothing was written." in html
    assert "row 2, column value: -5 is negative; a count cannot be" in html


def test_import_confirm_with_an_unknown_token_is_a_404(analyst, client):
    response = client.post("/admin/indicators/return/import/", {"token": "999-abc", "confirm": "1"})
    assert response.status_code == 404
    assert "no such upload waiting for you" in response.content.decode() and models.Return.objects.count() == 0


def test_drafts_show_to_the_forces_analysts_only(analyst, client):
    call_command("import_return", *_file(HEADER + "\nwest-mercia,vwi,2013-04,5,,,,\n"), stdout=io.StringIO())
    html = client.get("/west-mercia/?period=2013-04").content.decode()
    assert 'class="banner banner-draft"' in html
    panel = make_user("pm", role="panel", forces=[models.Force.objects.get(slug="west-mercia")])
    other = client.__class__()
    other.force_login(panel)
    assert "banner-draft" not in other.get("/west-mercia/?period=2013-04").content.decode()


def test_overriding_a_computed_rag_needs_a_reason(analyst, client):
    vwi = models.Indicator.objects.get(force__slug="west-mercia", code="vwi")
    response = client.post("/admin/indicators/assessment/add/", {"indicator": vwi.pk, "month": "2013-06-01",
                                                                  "rag": "red", "status_text": "", "reason": ""})
    assert "give the reason for overriding it" in response.content.decode()
    assert models.Assessment.objects.count() == 0
    client.post("/admin/indicators/assessment/add/", {"indicator": vwi.pk, "month": "2013-06-15", "rag": "red",
                                                       "status_text": "Concern", "reason": "Data quality audit"})
    assessment = models.Assessment.objects.get()
    assert assessment.month == date(2013, 6, 1) and assessment.author == analyst
    # a monitor measure needs no reason
    strategy = models.Indicator.objects.get(force__slug="west-mercia", code="alcohol-strategy")
    client.post("/admin/indicators/assessment/add/", {"indicator": strategy.pk, "month": "2013-06-01",
                                                       "rag": "green", "status_text": "Commenced", "reason": ""})
    assert models.Assessment.objects.count() == 2


def test_commentary_markdown_is_sanitised_on_output(analyst, client):
    call_command("import_return", *_file(HEADER + "\nwest-mercia,vwi,2013-06,5,,,,\n"), "--publish",
                 stdout=io.StringIO())
    priority = models.StrategicPriority.objects.get(plan__force__slug="west-mercia", number=2)
    response = client.post("/admin/indicators/commentary/add/", {
        "force": priority.plan.force.pk, "priority": priority.pk, "month": "2013-06-01",
        "text": "**Good** news.\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) "
                "<img src=x onerror=alert(3)>"})
    assert response.status_code == 302
    html = client.get("/west-mercia/priorities/2/?period=2013-06").content.decode()
    body = html.split('class="commentary">')[1].split("</div>")[0]
    assert "<strong>Good</strong>" in body
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body


def test_commentary_on_another_forces_priority_is_refused(analyst, client):
    essex_priority = models.StrategicPriority.objects.get(plan__force__slug="essex")
    response = client.post("/admin/indicators/commentary/add/", {
        "force": analyst.force_memberships.first().force.pk, "priority": essex_priority.pk, "month": "2013-06-01",
        "text": "x"})
    assert response.status_code == 200 and models.Commentary.objects.count() == 0
