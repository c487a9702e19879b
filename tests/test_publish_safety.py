"""Publishing changes only what changes (SPEC §4 Warnings): a file or grid that
changes nothing makes no return and bumps no data version; a figure equal to
the held one to the indicator's decimals + 2 is unchanged; and an older draft
cannot silently undo a correction published since (a stale draft)."""

import io
import re
from datetime import date

import pytest
from django.test import Client

from indicators import models, versioning
from indicators.returns import workflow as returns
from tests.factories import make_user
from tests.factories import run_import as run

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
NOV = date(2013, 11, 1)






@pytest.fixture
def analyst(west_mercia, client):
    user = make_user("ana", role="analyst", forces=[west_mercia])
    client.force_login(user)
    return user


def asb_nov():
    return models.Observation.objects.get(indicator__force__slug="west-mercia", indicator__code="asb", month=NOV)


def asb_file(value, note=""):
    return f"{HEADER}\nwest-mercia,asb,2013-11,{value},,,final,{note}\n"


# --- item 11: unchanged is unchanged ----------------------------------------------------------------------------

@pytest.mark.parametrize("decimals,held,new,same", [
    (0, 2900, 2900.004, True),            # within half a unit of the 2nd place past the indicator's 0 decimals
    (0, 2900, 2900.01, False),
    (1, 55.2, 55.2004, True),
    (1, 55.2, 55.201, False),
    (2, 54.929577464788736, 54.9295774647887, True),     # an XLSX round trip of 100 × 195 / 355
])
def test_a_figure_equal_to_the_held_one_to_decimals_plus_two_is_unchanged(decimals, held, new, same):
    old = {"value": held, "numerator": None, "denominator": None, "status": "final", "note": ""}
    assert returns.unchanged(old, {**old, "value": new}, decimals) is same


def test_a_different_status_or_note_is_a_change():
    old = {"value": 2900.0, "numerator": None, "denominator": None, "status": "final", "note": ""}
    assert not returns.unchanged(old, {**old, "status": "provisional"}, 0)
    assert not returns.unchanged(old, {**old, "note": "Revised"}, 0)
    assert returns.unchanged({**old, "note": None}, {**old, "note": ""}, 0)


def test_reimporting_the_published_figures_with_publish_makes_no_return_and_keeps_the_data_version(
        west_mercia, client, write):
    csv_text = client.get("/api/forces/west-mercia/observations.csv?from=2013-04&to=2013-06").content.decode()
    rows = csv_text.strip().count("\n")
    assert rows == 69           # the plan's measures × April to June 2013
    returns_before, version, history = models.Return.objects.count(), versioning.current(), \
        models.Observation.history.count()
    out = run(write(csv_text), "--publish")
    assert "nothing changed: all 69 figures equal the published ones; no return was made" in out
    assert models.Return.objects.count() == returns_before
    assert versioning.current() == version
    assert models.Observation.history.count() == history


def test_a_file_with_one_revision_makes_a_return_holding_only_that_figure(west_mercia, client, write):
    csv_text = client.get("/api/forces/west-mercia/observations.csv?from=2013-04&to=2013-06&indicator=asb")
    text = csv_text.content.decode().replace("west-mercia,asb,2013-06,4767,", "west-mercia,asb,2013-06,4770,")
    out = run(write(text))
    assert "west-mercia: 0 new, 1 changed, 2 unchanged" in out
    ret = models.Return.objects.get(state="draft")
    assert list(ret.lines.values_list("month", "value")) == [(date(2013, 6, 1), 4770.0)]


def test_the_xlsx_template_uploaded_unchanged_changes_nothing(analyst, client):
    response = client.get("/admin/indicators/return/template/?force=west-mercia&quarter=2013/14+Q1&format=xlsx")
    upload = io.BytesIO(response.content)
    upload.name = "west-mercia-2013-14-Q1.xlsx"
    html = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    assert "west-mercia: 0 new, 0 changed, 69 unchanged" in html
    assert "Changed" not in html
    token = html.split('name="token" value="')[1].split('"')[0]
    returns_before, version = models.Return.objects.count(), versioning.current()
    response = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1"},
                           follow=True)
    page = response.content.decode()
    assert "nothing changed: all 69 figures equal the published ones; no return was made" in page
    assert models.Return.objects.count() == returns_before and versioning.current() == version


def _grid_form(html: str) -> dict:
    """The grid's form as a browser would post it, unchanged."""
    data = dict(re.findall(r'<input type="text"[^>]* name="([^"]+)" value="([^"]*)"', html))
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', html):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_the_grid_saved_unchanged_makes_no_return(analyst, client):
    url = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1"
    form = _grid_form(client.get(url).content.decode())
    assert form[f"value-{asb_id()}-2013-06"] == "4767"
    returns_before, version = models.Return.objects.count(), versioning.current()
    page = client.post(url, form, follow=True).content.decode()
    assert "nothing changed" in page and "no return was made" in page
    assert models.Return.objects.count() == returns_before and versioning.current() == version


def asb_id():
    return models.Indicator.objects.get(force__slug="west-mercia", code="asb").id


# --- item 12: a stale draft is refused ----------------------------------------------------------------------------

@pytest.fixture
def stale(west_mercia, write):
    """November 2013: 2,800 published; an analyst drafts 2,850; then a
    correction, 2,900, is published from another file."""
    run(write(asb_file(2800), "october.csv"), "--publish")
    run(write(asb_file(2850, "Revised count"), "draft.csv"))
    draft = models.Return.objects.get(state="draft")
    run(write(asb_file(2900, "Corrected: duplicate incidents removed"), "correction.csv"), "--publish")
    correction = models.Observation.objects.get(indicator__code="asb", indicator__force=west_mercia,
                                                month=NOV).source_return
    return draft, correction


def test_publishing_an_older_draft_is_refused_listing_the_conflict(stale):
    draft, correction = stale
    version = versioning.current()
    with pytest.raises(returns.StaleDraft) as caught:
        returns.publish_return(draft, user=None)
    [conflict] = caught.value.conflicts
    assert (conflict.force, conflict.indicator, conflict.month) == ("west-mercia", "asb", NOV)
    assert (conflict.draft["value"], conflict.published["value"]) == (2850, 2900)
    assert conflict.published_return == correction.pk
    assert conflict.published_at == asb_nov().updated_at
    message = str(caught.value)
    assert "west-mercia asb November 2013: this draft has 2,850; 2,900 was published since" in message
    assert f"from return #{correction.pk}" in message
    draft.refresh_from_db()
    assert draft.state == "draft" and asb_nov().value == 2900 and versioning.current() == version


def test_a_stale_draft_publishes_once_each_conflict_is_confirmed(stale):
    draft, _ = stale
    with pytest.raises(returns.StaleDraft) as caught:
        returns.publish_return(draft, user=None, confirm={"something-else"})
    result = returns.publish_return(draft, user=None, confirm={c.key for c in caught.value.conflicts})
    assert result == {"new": 0, "changed": 1, "unchanged": 0}
    assert [h.value for h in asb_nov().history.order_by("history_date")] == [2800, 2900, 2850]


def test_a_draft_made_after_the_correction_is_not_stale(stale, write):
    draft, _ = stale
    draft.delete()
    run(write(asb_file(2950, "Later revision"), "later.csv"))
    later = models.Return.objects.get(state="draft")
    assert returns.publish_return(later, user=None)["changed"] == 1
    assert asb_nov().value == 2950


def test_a_draft_equal_to_the_correction_is_no_conflict(west_mercia, write):
    run(write(asb_file(2800), "october.csv"), "--publish")
    run(write(asb_file(2900), "draft.csv"))
    draft = models.Return.objects.get(state="draft")
    run(write(asb_file(2900), "correction.csv"), "--publish")
    assert returns.publish_return(draft, user=None) == {"new": 0, "changed": 0, "unchanged": 1}


def test_admin_publish_refuses_a_stale_draft_and_its_review_asks_for_the_one_tick(stale, analyst, client):
    draft, correction = stale
    review = f"/admin/indicators/return/{draft.pk}/review/"
    response = client.post("/admin/indicators/return/", {"action": "publish_returns",
                                                          "_selected_action": [draft.pk]}, follow=True)
    html = response.content.decode()
    assert "was not published: it has" in html and "1 figure(s) older than one published since" in html
    assert f'<a href="{review}">Review it</a>' in html
    assert asb_nov().value == 2900
    html = client.get(review).content.decode()
    assert "west-mercia asb November 2013: this draft has 2,850; 2,900 was published since" in html
    # the one rule: one tick for the list, the conflict in it old → new; no tick per conflict
    assert html.count('type="checkbox"') == 1 and 'name="checked"' in html
    # publishing without the tick publishes nothing
    html = client.post(review, {"do": "publish"}).content.decode()
    assert "Not published" in html and asb_nov().value == 2900
    listed = re.findall(r'name="checked_figure" value="([^"]+)"', html)
    response = client.post(review, {"do": "publish", "checked": "1", "checked_figure": listed})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "published" and asb_nov().value == 2850


def test_admin_stale_confirmation_needs_csrf_and_publish_permission(stale, west_mercia):
    draft, _ = stale
    data = {"do": "publish", "checked": "1", "checked_figure": ["x"]}
    review = f"/admin/indicators/return/{draft.pk}/review/"
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("ana2", role="analyst", forces=[west_mercia]))
    assert strict.post(review, data).status_code == 403
    panel = Client()
    panel.force_login(make_user("pm", role="panel", forces=[west_mercia]))
    assert panel.post(review, data).status_code == 404
    draft.refresh_from_db()
    assert draft.state == "draft" and asb_nov().value == 2900


def test_a_grid_draft_resaved_unchanged_stays_older_than_the_correction(west_mercia, analyst, client, write):
    """Saving the grid again without touching a cell is not an edit of it: the
    draft's figure keeps its age, so it is still stale."""
    run(write(asb_file(2800), "october.csv"), "--publish")
    url = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q3"
    form = _grid_form(client.get(url).content.decode())
    form[f"value-{asb_id()}-2013-11"] = "2850"
    assert client.post(url, form).status_code == 302
    run(write(asb_file(2900), "correction.csv"), "--publish")
    form = _grid_form(client.get(url).content.decode())
    assert form[f"value-{asb_id()}-2013-11"] == "2850"          # the grid shows the draft
    assert client.post(url, form).status_code == 302
    draft = models.Return.objects.get(state="draft")
    with pytest.raises(returns.StaleDraft):
        returns.publish_return(draft, user=None)
