"""Who may write a force's figures (issue 24, item 1), on the demo: an
analyst writes only their own forces' figures, and a peer's only where the
peer has no plan of its own and an administrator granted it to their force
(Force.files_for). Every write path is tried: the quarterly grid, the file
upload (preview and confirm), the command line with --user, the admin's
add forms and publishing, and the API (read-only). A refusal names the
force and why, and changes nothing: Leicestershire's all-crime figure for
September 2013 stays 5,317.

The case that was found: Leicestershire is an MSG peer of Essex with its own
plan and, in the demo, no accounts; an Essex analyst imported and published
its September 2013 figure as 99,999.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management.base import CommandError

from indicators import models
from indicators.admin import ForceForm
from indicators.returns.file import check_rows
from indicators.returns.workflow import ReturnError, catalogue_for, publish_return, stage
from tests.factories import make_user, run_import

pytestmark = pytest.mark.django_db

HEADER = "force,indicator,month,value,numerator,denominator,status,note"
SEPTEMBER = date(2013, 9, 1)
LEICS_OWN_PLAN = "Leicestershire Police has its own plan; only its analysts may file its figures"
ESSEX_OWN_PLAN = "Essex Police has its own plan; only its analysts may file its figures"


@pytest.fixture
def world(demo):
    forces = {f.slug: f for f in models.Force.objects.filter(slug__in=["essex", "leicestershire", "kent"])}
    return {**forces,
            "essex_analyst": make_user("essex-analyst", role="analyst", forces=[forces["essex"]]),
            "leics_analyst": make_user("leics-analyst", role="analyst", forces=[forces["leicestershire"]]),
            "root": make_user("root", superuser=True)}


def leics_all_crime():
    return models.Observation.objects.get(indicator__force__slug="leicestershire", indicator__code="all-crime",
                                          month=SEPTEMBER, area=None).value


def snapshot():
    """Everything a write of figures could change."""
    return (list(models.Return.objects.order_by("pk").values_list("pk", "force_id", "state")),
            models.ReturnLine.objects.count(),
            list(models.Observation.objects.filter(month=SEPTEMBER).order_by("pk").values_list("pk", "value")),
            models.Observation.history.count(), models.Assessment.objects.count(),
            models.Commentary.objects.count(), models.ExecutiveSummary.objects.count())


def upload(client, text, name="r.csv"):
    handle = io.BytesIO(text.encode())
    handle.name = name
    response = client.post("/admin/indicators/return/import/", {"file": handle})
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def token_of(html):
    return html.split('name="token" value="')[1].split('"')[0]


def test_the_demo_case_leicestershire_has_its_own_plan_and_no_one_is_granted_a_peer(world):
    """The premise, and the demo's choice: it grants no force any peer (docs/decisions.md)."""
    assert leics_all_crime() == 5317
    assert world["leicestershire"] in world["essex"].msg_peers.all()
    assert world["leicestershire"].plans.exists() and world["essex"].plans.exists()
    assert not models.Force.files_for.through.objects.exists()


# --- the file upload (web): preview and confirm ------------------------------------------------------------


def test_an_essex_analyst_cannot_upload_leicestershire_figures(world, client):
    client.force_login(world["essex_analyst"])
    before = snapshot()
    html = upload(client, HEADER + "\nleicestershire,all-crime,2013-09,99999,,,,\n")
    assert f"row 2, column force: {LEICS_OWN_PLAN}" in html
    assert 'name="token"' not in html
    assert snapshot() == before and leics_all_crime() == 5317


def test_a_file_with_one_forbidden_row_is_refused_whole_listing_each_row(world, client):
    client.force_login(world["essex_analyst"])
    before = snapshot()
    html = upload(client, HEADER + "\nessex,all-crime,2013-09,9000,,,,\n"
                                   "leicestershire,all-crime,2013-09,99999,,,,\n"
                                   "leicestershire,domestic-burglary,2013-09,1,,,,\n")
    assert f"row 3, column force: {LEICS_OWN_PLAN}" in html
    assert f"row 4, column force: {LEICS_OWN_PLAN}" in html
    assert "2 problems" in html and 'name="token"' not in html
    assert snapshot() == before and leics_all_crime() == 5317


def test_a_grant_taken_back_between_preview_and_confirm_refuses_the_confirm(world, client):
    """The confirm checks the file again: what was allowed at the preview is not written once it is not."""
    world["essex"].files_for.add(world["kent"])
    client.force_login(world["essex_analyst"])
    html = upload(client, HEADER + "\nkent,all-crime,2013-09,2400,,,,\n")
    token = token_of(html)
    world["essex"].files_for.remove(world["kent"])
    before = snapshot()
    response = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1"})
    html = response.content.decode().replace("&#x27;", "'")
    assert "Kent Police is an MSG peer of Essex Police with no plan of its own, but no administrator" in html
    assert snapshot() == before


# --- the command line ----------------------------------------------------------------------------------------


def test_a_leicestershire_analyst_cannot_import_essex_rows_from_the_command_line(world, write):
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run_import(write(HEADER + "\nessex,all-crime,2013-09,1,,,,\n"), "--user", "leics-analyst")
    assert f"row 2, column force: {ESSEX_OWN_PLAN}" in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert snapshot() == before


def test_an_essex_analyst_cannot_publish_leicestershire_figures_from_the_command_line(world, write):
    before = snapshot()
    with pytest.raises(CommandError, match=LEICS_OWN_PLAN):
        run_import(write(HEADER + "\nleicestershire,all-crime,2013-09,99999,,,,\n"), "--user", "essex-analyst",
                   "--publish", "--accept-warnings")
    assert snapshot() == before and leics_all_crime() == 5317


def test_an_operator_keeps_every_right(world, write):
    """Without --user the command acts as an operator: any force's figures."""
    run_import(write(HEADER + "\nleicestershire,all-crime,2013-09,5320,,,,\n"), "--publish")
    assert leics_all_crime() == 5320


# --- a planless peer: refused before the grant, written after ---------------------------------------------


def test_an_analyst_writes_a_planless_peers_figures_only_once_granted(world, client, write):
    kent = world["kent"]
    assert not kent.plans.exists() and kent in world["essex"].msg_peers.all()
    text = HEADER + "\nkent,all-crime,2013-09,2400,,,,\n"
    before = snapshot()
    with pytest.raises(CommandError, match="row 2, column force: Kent Police is an MSG peer of Essex Police with "
                                           "no plan of its own, but no administrator has granted it"):
        run_import(write(text), "--user", "essex-analyst")
    client.force_login(world["essex_analyst"])
    assert 'name="token"' not in upload(client, text)
    assert snapshot() == before

    world["essex"].files_for.add(kent)
    assert "kent: 0 new, 1 changed" in run_import(write(text), "--user", "essex-analyst")
    html = upload(client, HEADER + "\nkent,all-crime,2013-08,2401,,,,\n")
    client.post("/admin/indicators/return/import/", {"token": token_of(html), "confirm": "1"})
    assert sorted(models.ReturnLine.objects.filter(source_return__force=kent, source_return__state="draft")
                  .values_list("value", flat=True)) == [2400, 2401]
    # the grant is Essex's: a Leicestershire analyst (Kent is its peer too) still may not
    with pytest.raises(CommandError, match="no administrator has granted it to Leicestershire Police"):
        run_import(write(text), "--user", "leics-analyst")


def test_a_grant_lapses_when_the_peer_gets_a_plan(world, write):
    kent = world["kent"]
    world["essex"].files_for.add(kent)
    models.Plan.objects.create(force=kent, title="Kent plan", start=date(2013, 4, 1), end=date(2017, 3, 31))
    with pytest.raises(CommandError, match="Kent Police has its own plan; only its analysts may file its figures"):
        run_import(write(HEADER + "\nkent,all-crime,2013-09,2400,,,,\n"), "--user", "essex-analyst")


def test_a_grant_of_a_force_with_its_own_plan_writes_nothing(world, write):
    """A grant made straight in the database (the admin refuses it) gives no right."""
    world["essex"].files_for.add(world["leicestershire"])
    before = snapshot()
    with pytest.raises(CommandError, match=LEICS_OWN_PLAN):
        run_import(write(HEADER + "\nleicestershire,all-crime,2013-09,99999,,,,\n"), "--user", "essex-analyst")
    assert snapshot() == before and leics_all_crime() == 5317


# --- the quarterly grid ----------------------------------------------------------------------------------------


GRID = "/admin/indicators/return/grid/?force={}&quarter=2013/14+Q2"


def test_an_essex_analyst_cannot_open_or_save_the_leicestershire_grid(world, client):
    ind = models.Indicator.objects.get(force=world["leicestershire"], code="all-crime")
    client.force_login(world["essex_analyst"])
    response = client.get(GRID.format("leicestershire"))
    assert response.status_code == 403
    assert LEICS_OWN_PLAN in response.content.decode().replace("&#x27;", "'")
    assert "5317" not in response.content.decode().replace(",", "")      # nothing of the grid is shown
    before = snapshot()
    response = client.post(GRID.format("leicestershire"), {f"value-{ind.pk}-2013-09": "99999",
                                                           "action": "publish", "checked": "1"})
    assert response.status_code == 403 and LEICS_OWN_PLAN in response.content.decode().replace("&#x27;", "'")
    assert snapshot() == before and leics_all_crime() == 5317


def test_the_grid_and_staging_refuse_rows_of_another_force_even_past_the_checker(world):
    """Defence in depth: rows checked for an operator, written as an analyst, are refused before any write."""
    rows = check_rows(HEADER.split(","), [(2, ["leicestershire", "all-crime", "2013-09", "99999", "", "", "", ""])],
                      catalogue_for(None), today=date(2026, 1, 1))
    before = snapshot()
    with pytest.raises(ReturnError, match=LEICS_OWN_PLAN):
        stage(rows, user=world["essex_analyst"], source="forged.csv", publish=True)
    from indicators.returns.workflow import save_grid
    with pytest.raises(ReturnError, match=LEICS_OWN_PLAN):
        save_grid(world["essex"], "2013/14 Q2", rows, world["essex_analyst"])
    assert snapshot() == before and leics_all_crime() == 5317


# --- the admin: add forms, publishing, the returns list, the force page ------------------------------------------


def _add_forms(world):
    leics = world["leicestershire"]
    ind = models.Indicator.objects.get(force=leics, code="all-crime")
    priority = models.StrategicPriority.objects.filter(plan__force=leics).first()
    lines = {"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    return {
        "return": {"force": leics.pk, "period": "2013/14 Q2", **lines},
        "assessment": {"indicator": ind.pk, "month": "2013-09-01", "rag": "green", "status_text": "x",
                       "reason": "x"},
        "commentary": {"force": leics.pk, "priority": priority.pk, "indicator": "", "month": "2013-09-01",
                       "text": "x", "state": "published"},
        "executivesummary": {"force": leics.pk, "month": "2013-09-01", "text": "x", "state": "published"},
    }


@pytest.mark.parametrize("model", ["return", "assessment", "commentary", "executivesummary"])
def test_an_essex_analyst_cannot_add_leicestershire_records_in_the_admin(world, client, model):
    client.force_login(world["essex_analyst"])
    before = snapshot()
    response = client.post(f"/admin/indicators/{model}/add/", _add_forms(world)[model])
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_an_essex_analyst_adds_an_essex_return_in_the_admin(world, client):
    """The form above is a good one but for the force: Essex is accepted."""
    client.force_login(world["essex_analyst"])
    form = _add_forms(world)["return"] | {"force": world["essex"].pk}
    assert client.post("/admin/indicators/return/add/", form).status_code == 302
    assert models.Return.objects.filter(force=world["essex"], period="2013/14 Q2",
                                        author=world["essex_analyst"]).exists()


def test_an_essex_analyst_cannot_move_an_essex_draft_to_leicestershire(world, client):
    ret = models.Return.objects.create(force=world["essex"], period="2013/14 Q2", source="essex.csv")
    client.force_login(world["essex_analyst"])
    before = snapshot()
    response = client.post(f"/admin/indicators/return/{ret.pk}/change/", _add_forms(world)["return"])
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_an_essex_analyst_cannot_publish_or_submit_a_leicestershire_draft(world, client):
    ret = models.Return.objects.create(force=world["leicestershire"], period="2013/14 Q2", source="leics.csv")
    models.ReturnLine.objects.create(source_return=ret, month=SEPTEMBER, value=99999,
                                     indicator=models.Indicator.objects.get(force=world["leicestershire"],
                                                                            code="all-crime"))
    before = snapshot()
    with pytest.raises(ReturnError, match=LEICS_OWN_PLAN):
        publish_return(ret, user=world["essex_analyst"])
    client.force_login(world["essex_analyst"])
    assert client.post(f"/admin/indicators/return/{ret.pk}/review/",
                       {"do": "publish", "checked": "1"}).status_code == 404
    client.post("/admin/indicators/return/", {"action": "publish_returns", "_selected_action": [ret.pk]})
    assert snapshot() == before and leics_all_crime() == 5317


def test_the_returns_list_sets_peer_returns_apart(world, client, write):
    world["essex"].files_for.add(world["kent"])
    run_import(write(HEADER + "\nkent,all-crime,2013-09,2400,,,,\nessex,all-crime,2013-09,9000,,,,\n"),
               "--user", "essex-analyst")
    peer = models.Return.objects.get(force=world["kent"], state="draft")
    own = models.Return.objects.get(force=world["essex"], state="draft")
    client.force_login(world["essex_analyst"])
    html = client.get("/admin/indicators/return/").content.decode()
    assert "An MSG peer</strong> (no plan of its own; filed by essex-analyst)" in html and "Its own plan" in html
    peers_only = client.get("/admin/indicators/return/?filed_for=peer").content.decode()
    assert f"/admin/indicators/return/{peer.pk}/change/" in peers_only
    assert f"/admin/indicators/return/{own.pk}/change/" not in peers_only
    own_only = client.get("/admin/indicators/return/?filed_for=own").content.decode()
    assert f"/admin/indicators/return/{own.pk}/change/" in own_only
    assert f"/admin/indicators/return/{peer.pk}/change/" not in own_only


def _force_form(force, **changes):
    data = {"slug": force.slug, "name": force.name, "is_demo": force.is_demo,
            "msg_peers": [p.pk for p in force.msg_peers.all()], "files_for": []}
    return ForceForm(data=data | changes, instance=force)


def test_the_force_page_grants_only_planless_msg_peers(world, client):
    essex, leics, kent = world["essex"], world["leicestershire"], world["kent"]
    west_mercia = models.Force.objects.get(slug="west-mercia")
    norfolk = models.Force.objects.get(slug="norfolk")            # a planless peer, of West Mercia's
    form = _force_form(essex, files_for=[leics.pk, norfolk.pk, essex.pk])
    assert not form.is_valid()
    assert form.errors["files_for"] == [
        "Essex Police cannot file for itself: its analysts file its figures already.",
        "Leicestershire Police has its own plan; only its analysts may file its figures.",
        "Norfolk Constabulary is not one of this force's MSG peers; only a peer can be granted."]
    assert not essex.files_for.exists()
    form = _force_form(essex, files_for=[kent.pk])
    assert form.is_valid(), form.errors
    form.save()
    assert list(essex.files_for.all()) == [kent]
    assert west_mercia not in kent.filed_for_by.all()
    # shown on both forces' admin pages
    client.force_login(world["root"])
    page = client.get(f"/admin/indicators/force/{essex.pk}/change/").content.decode()
    assert "MSG peers this force&#x27;s analysts file for" in page
    assert "Essex Police" in client.get(f"/admin/indicators/force/{kent.pk}/change/").content.decode()
    assert "it has its own plan" in client.get(f"/admin/indicators/force/{leics.pk}/change/").content.decode()
    listing = client.get("/admin/indicators/force/").content.decode()
    assert "Files for (MSG peers without a plan)" in listing and "<td class=\"field-files_for_list\">Kent Police" in listing


# --- the API ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_has_no_write_path(world, client, method):
    client.force_login(world["essex_analyst"])
    before = snapshot()
    for url in ("/api/forces/leicestershire/indicators/all-crime/", "/api/forces/leicestershire/indicators/",
                "/api/forces/leicestershire/observations.csv"):
        response = getattr(client, method)(url, {"value": 99999}, content_type="application/json")
        assert response.status_code == 405, (url, response.status_code)
    assert snapshot() == before and leics_all_crime() == 5317
