"""The admin's history pages (django-simple-history) are read-only for
everyone but superusers and scoped like the change pages; panel members see
no drafts in the admin; MSG peers' figures are filed only for peers with no
plan of their own granted to the analyst's force (issue 12; issue 24, item 1)."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from indicators import models
from indicators.returns.workflow import publish_return, submit_return
from tests.factories import EXAMPLE_PLAN, make_user

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"


@pytest.fixture
def forces(plan_file):
    """West Mercia (plan with MSG peers avon-and-somerset and devon-and-cornwall)
    and Leicestershire (own plan, one indicator), each with one analyst."""
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    wm = models.Force.objects.get(slug="west-mercia")
    leics = models.Force.objects.create(slug="leicestershire", name="Leicestershire Police")
    plan = models.Plan.objects.create(force=leics, title="Leics plan", start=date(2013, 4, 1), end=date(2014, 3, 31))
    area = models.AreaOfFocus.objects.create(plan=plan, number=1, title="Crime")
    priority = models.StrategicPriority.objects.create(plan=plan, area=area, number=1, title="Reduce crime")
    asb = models.Indicator.objects.create(force=leics, code="asb", name="ASB", unit="count", aggregation="sum",
                                          polarity="down")
    models.PriorityIndicator.objects.create(priority=priority, indicator=asb, order=1)
    return {"wm": wm, "leics": leics,
            "wm_analyst": make_user("wm-analyst", role="analyst", forces=[wm]),
            "leics_analyst": make_user("leics-analyst", role="analyst", forces=[leics]),
            "wm_panel": make_user("wm-panel", role="panel", forces=[wm]),
            "root": make_user("root", superuser=True)}


def draft_return(force, code, value, *, period="2013/14 Q1", source="draft.csv"):
    ret = models.Return.objects.create(force=force, period=period, source=source)
    models.ReturnLine.objects.create(source_return=ret, indicator=force.indicators.get(code=code),
                                     month=date(2013, 4, 1), value=value)
    return ret


def published_observation(force, code, value):
    ret = models.Return.objects.create(force=force, period="2012/13 Q4", state="published")
    return models.Observation.objects.create(indicator=force.indicators.get(code=code), month=date(2013, 3, 1),
                                             value=value, source_return=ret)


def first_version(obj):
    return obj.history.order_by("history_id").first().history_id


def history_url(obj, version=None):
    base = f"/admin/indicators/{obj._meta.model_name}/{obj.pk}/history/"
    return base if version is None else f"{base}{version}/"


def snapshot():
    """Everything a revert could change."""
    return (list(models.Return.objects.order_by("pk").values_list("pk", "force_id", "period", "state", "source")),
            list(models.Observation.objects.order_by("pk").values_list("pk", "indicator_id", "month", "value",
                                                                       "source_return_id")),
            models.Return.history.count(), models.Observation.history.count())


# --- item 1: revert --------------------------------------------------------------------------------------------


def test_an_analyst_cannot_move_another_forces_draft_to_their_force_by_revert(forces, client):
    ret = draft_return(forces["leics"], "asb", 5)
    before = snapshot()
    client.force_login(forces["wm_analyst"])
    response = client.post(history_url(ret, first_version(ret)),
                           {"force": forces["wm"].pk, "period": "2013/14 Q1", "source": "moved"})
    assert response.status_code in (403, 404)
    assert snapshot() == before


def test_an_analyst_cannot_revert_even_their_own_forces_draft(forces, client):
    ret = draft_return(forces["wm"], "vwi", 5)
    before = snapshot()
    client.force_login(forces["wm_analyst"])
    response = client.post(history_url(ret, first_version(ret)),
                           {"force": forces["wm"].pk, "period": "changed", "source": "x"})
    assert response.status_code == 403
    assert snapshot() == before


def test_an_analyst_cannot_set_a_published_figure_through_the_history_form(forces, client):
    obs = published_observation(forces["wm"], "vwi", 500)
    before = snapshot()
    client.force_login(forces["wm_analyst"])
    response = client.post(history_url(obs, first_version(obs)), {
        "indicator": obs.indicator_id, "month": "2013-03-01", "value": "999", "status": "final", "note": ""})
    assert response.status_code == 403
    assert snapshot() == before
    # nor make a figure out of nothing by "reverting" a figure onto another month
    response = client.post(history_url(obs, first_version(obs)), {
        "indicator": obs.indicator_id, "month": "2013-02-01", "value": "1", "status": "final", "note": ""})
    assert response.status_code == 403
    assert snapshot() == before


def test_an_analyst_cannot_move_another_forces_figure_onto_their_indicator(forces, client):
    obs = published_observation(forces["leics"], "asb", 77)
    vwi = forces["wm"].indicators.get(code="vwi")
    before = snapshot()
    client.force_login(forces["wm_analyst"])
    response = client.post(history_url(obs, first_version(obs)), {
        "indicator": vwi.pk, "month": "2013-03-01", "value": "77", "status": "final", "note": ""})
    assert response.status_code in (403, 404)
    assert snapshot() == before


def test_a_published_return_is_never_reverted_not_even_by_a_superuser(forces, client):
    ret = draft_return(forces["wm"], "vwi", 5)
    draft_version = first_version(ret)
    publish_return(ret, user=forces["wm_analyst"])
    before = snapshot()
    client.force_login(forces["wm_analyst"])
    response = client.post(history_url(ret, draft_version),
                           {"force": forces["wm"].pk, "period": "2013/14 Q1", "source": "draft.csv"})
    assert response.status_code == 403
    assert snapshot() == before
    client.force_login(forces["root"])
    response = client.post(history_url(ret, draft_version),
                           {"force": forces["wm"].pk, "period": "2013/14 Q1", "source": "draft.csv"}, follow=True)
    assert "is published, and a published return is never reverted" in response.content.decode()
    assert snapshot() == before
    ret.refresh_from_db()
    assert ret.state == "published"


def test_a_superuser_may_revert_a_draft_return(forces, client):
    ret = draft_return(forces["wm"], "vwi", 5, period="2013/14 Q1")
    first = first_version(ret)
    ret.period = "2013/14 Q2"
    ret.save()
    client.force_login(forces["root"])
    page = client.get(history_url(ret, first)).content.decode()
    assert 'value="Revert"' in page and 'name="period"' in page
    response = client.post(history_url(ret, first), {"force": forces["wm"].pk, "period": "2013/14 Q1"})
    assert response.status_code == 302
    ret.refresh_from_db()
    assert (ret.period, ret.state) == ("2013/14 Q1", "draft")
    assert ret.history.first().history_user == forces["root"]


def test_a_superuser_reverting_a_submitted_return_keeps_its_state(forces, client):
    """A revert is an edit: it changes what an edit may change (force and
    period), never the workflow state, which moves only by submit and publish."""
    ret = draft_return(forces["wm"], "vwi", 5, period="2013/14 Q1")
    first = first_version(ret)
    submit_return(ret, user=forces["wm_analyst"])
    client.force_login(forces["root"])
    client.post(history_url(ret, first), {"force": forces["wm"].pk, "period": "2013/14 Q3"})
    ret.refresh_from_db()
    assert (ret.period, ret.state, ret.submitted_by) == ("2013/14 Q3", "submitted", forces["wm_analyst"])


def test_the_history_version_page_is_read_only_for_the_forces_analyst(forces, client):
    ret = draft_return(forces["wm"], "vwi", 5, source="wm-q1.csv")
    client.force_login(forces["wm_analyst"])
    response = client.get(history_url(ret, first_version(ret)))
    html = response.content.decode()
    assert response.status_code == 200 and "wm-q1.csv" in html
    assert 'value="Revert"' not in html and 'name="period"' not in html and 'name="source"' not in html


# --- item 2: history scoped like the change pages -------------------------------------------------------------


def test_another_forces_analyst_cannot_read_history(forces, client):
    ret = draft_return(forces["wm"], "vwi", 5, source="secret-file-name.csv")
    obs = published_observation(forces["wm"], "vwi", 500)
    priority = models.StrategicPriority.objects.get(plan__force=forces["wm"], number=2)
    commentary = models.Commentary.objects.create(force=forces["wm"], priority=priority, month=date(2013, 6, 1),
                                                  text="Earlier confidential commentary")
    client.force_login(forces["leics_analyst"])
    for obj in (ret, obs, commentary):
        for url in (history_url(obj), history_url(obj, first_version(obj))):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "secret-file-name" not in response.content.decode()
            assert "confidential" not in response.content.decode()
    # their own analyst reads it
    client.force_login(forces["wm_analyst"])
    assert "secret-file-name.csv" in client.get(history_url(ret)).content.decode()


def test_history_of_a_figure_moved_away_from_a_force_stays_with_its_new_force(forces, client):
    """History records are shown only where each record's force is readable:
    an object that once belonged to another force does not leak that past."""
    ret = draft_return(forces["leics"], "asb", 5, source="leics-private.csv")
    ret.force = forces["wm"]
    ret.source = "now-wm.csv"
    ret.save()
    client.force_login(forces["wm_analyst"])
    html = client.get(history_url(ret)).content.decode()
    assert "now-wm.csv" in html or "2013/14 Q1" in html
    assert client.get(history_url(ret, first_version(ret))).status_code == 404


# --- item 3: panel members see published data only ------------------------------------------------------------


def test_panel_members_see_no_drafts_in_the_admin(forces, client):
    draft = draft_return(forces["wm"], "vwi", 5, period="2013/14 Q2", source="draft-file.csv")
    published = draft_return(forces["wm"], "vwi", 6, period="2013/14 Q1", source="published-file.csv")
    publish_return(published, user=forces["wm_analyst"])
    client.force_login(forces["wm_panel"])
    listing = client.get("/admin/indicators/return/").content.decode()
    assert "2013/14 Q1" in listing and "2013/14 Q2" not in listing
    assert client.get(f"/admin/indicators/return/{published.pk}/change/").status_code == 200
    response = client.get(f"/admin/indicators/return/{draft.pk}/change/")
    assert response.status_code == 302                         # "doesn't exist", back to the index
    assert client.get(history_url(draft)).status_code == 404
    assert client.get(history_url(draft, first_version(draft))).status_code == 404
    # the published return's history shows its published record only, not its draft past
    html = client.get(history_url(published)).content.decode()
    assert "published-file.csv" in html or "Published" in html
    assert client.get(history_url(published, first_version(published))).status_code == 404


def test_panel_members_see_no_figures_of_an_unpublished_return_in_the_admin(forces, client):
    """An observation whose return is not published is a draft (decisions.md)."""
    ret = models.Return.objects.create(force=forces["wm"], period="2013/14 Q1")
    obs = models.Observation.objects.create(indicator=forces["wm"].indicators.get(code="vwi"),
                                            month=date(2013, 4, 1), value=424242, source_return=ret)
    client.force_login(forces["wm_panel"])
    assert "424242" not in client.get("/admin/indicators/observation/").content.decode()
    assert client.get(f"/admin/indicators/observation/{obs.pk}/change/").status_code == 302
    assert client.get(history_url(obs)).status_code == 404
    client.force_login(forces["wm_analyst"])
    assert client.get(f"/admin/indicators/observation/{obs.pk}/change/").status_code == 200


# --- item 4: MSG peers ----------------------------------------------------------------------------------------


def upload(client, text, name="r.csv"):
    handle = io.BytesIO(text.encode())
    handle.name = name
    return client.post("/admin/indicators/return/import/", {"file": handle}).content.decode()


def test_an_analyst_cannot_file_figures_for_a_peer_that_has_its_own_plan_even_if_granted(forces, client):
    """Issue 24, item 1: a peer with its own plan is written by its own analysts only (a grant made in the
    database, which the force's admin page would refuse, changes nothing)."""
    essex = models.Force.objects.create(slug="essex", name="Essex Police")
    models.Plan.objects.create(force=essex, title="Essex plan", start=date(2013, 4, 1), end=date(2014, 3, 31))
    models.Indicator.objects.create(force=essex, code="asb", name="ASB", unit="count", aggregation="sum",
                                    polarity="down", msg=True)
    forces["leics"].msg_peers.add(essex)
    forces["leics"].files_for.add(essex)
    forces["leics"].indicators.filter(code="asb").update(msg=True)
    client.force_login(forces["leics_analyst"])
    html = upload(client, HEADER + "\nessex,asb,2013-04,5,,,,\n")
    assert ("row 2, column force: Essex Police has its own plan; only its analysts may file its figures"
            in html.replace("&#x27;", "'"))
    assert models.Return.objects.count() == 0


def test_an_analyst_files_figures_for_a_planless_peer_only_once_granted(forces, client):
    client.force_login(forces["wm_analyst"])
    avon = models.Force.objects.get(slug="avon-and-somerset")
    text = HEADER + "\nwest-mercia,vwi,2013-04,500,,,,\navon-and-somerset,vwi,2013-04,701,,,,\n"
    html = upload(client, text).replace("&#x27;", "'").replace("&quot;", '"')
    assert ("row 3, column force: Avon and Somerset Constabulary is an MSG peer of West Mercia Police with no "
            "plan of its own, but no administrator has granted it to West Mercia Police") in html
    assert 'name="token"' not in html                  # refused whole: the own force's row is not kept either
    forces["wm"].files_for.add(avon)
    html = upload(client, text)
    assert "avon-and-somerset: 1 new" in html and "west-mercia: 1 new" in html
    # …and not once the peer has a plan of its own: its data is then its analysts'
    models.Plan.objects.create(force=avon, title="Avon plan", start=date(2013, 4, 1), end=date(2014, 3, 31))
    html = upload(client, HEADER + "\navon-and-somerset,vwi,2013-04,701,,,,\n")
    assert "Avon and Somerset Constabulary has its own plan; only its analysts may file its figures" in html


def test_peer_figures_an_analyst_files_are_theirs_to_see_and_publish(forces, client):
    """The example return file names a planless peer granted to the force; published at
    once from the admin, both returns are published (it used to fail)."""
    forces["wm"].files_for.add(models.Force.objects.get(slug="avon-and-somerset"))
    client.force_login(forces["wm_analyst"])
    html = upload(client, HEADER + "\nwest-mercia,vwi,2013-04,500,,,,\navon-and-somerset,vwi,2013-04,701,,,,\n")
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1"})
    assert response.status_code == 302
    assert sorted(models.Return.objects.values_list("force__slug", "state")) == [
        ("avon-and-somerset", "published"), ("west-mercia", "published")]
    assert models.Observation.objects.get(indicator__force__slug="avon-and-somerset").value == 701
    listing = client.get("/admin/indicators/return/").content.decode()
    assert "avon-and-somerset 2013/14 Q1" in listing
