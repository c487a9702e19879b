"""The quarterly grid for one local area (issue 18, item 4): the measures the
plan breaks down by area, that area's figures and reference figures, its
warnings, its own draft return filed with the ``area`` column, publishing to
the area's observations and leaving the force's figures alone; who may use
it. And two fixes from the user trial of issue 15: quarters the picker does
not offer are refused, and a published figure left as it is is not warned
about again."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from indicators import models
from tests.factories import EXAMPLE_PLAN, make_user
from tests.test_grid_entry import cell_html, form_of

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note,area"
WORCESTER, BROMSGROVE = "E07000237", "E07000234"
GRID = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1"
AREA_GRID = GRID + f"&area={WORCESTER}"


@pytest.fixture
def plan(plan_file):
    """West Mercia's example plan, two of its districts, and published
    figures: violent crime with injury for the force and for each district
    (so it is the one measure the plan breaks down by area)."""
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    force = models.Force.objects.get(slug="west-mercia")
    models.LocalArea.objects.create(force=force, code=WORCESTER, name="Worcester")
    models.LocalArea.objects.create(force=force, code=BROMSGROVE, name="Bromsgrove")
    return force


@pytest.fixture
def publish(tmp_path):
    def run(text, *args):
        path = tmp_path / "published.csv"
        path.write_text(HEADER + "\n" + text)
        call_command("import_return", str(path), "--publish", *args, stdout=io.StringIO())
    return run


FIGURES = ("west-mercia,vwi,2012-05,520,,,,,\nwest-mercia,vwi,2013-03,488,,,,,\nwest-mercia,vwi,2013-04,512,,,,,\n"
           f"west-mercia,vwi,2012-05,60,,,,,{WORCESTER}\nwest-mercia,vwi,2013-03,52,,,,,{WORCESTER}\n"
           f"west-mercia,vwi,2013-04,55,,,,,{WORCESTER}\nwest-mercia,vwi,2013-04,31,,,,,{BROMSGROVE}\n")


@pytest.fixture
def analyst(plan, client, publish):
    publish(FIGURES)
    user = make_user("ana", role="analyst", forces=[plan])
    client.force_login(user)
    return user


def ind(code):
    return models.Indicator.objects.get(force__slug="west-mercia", code=code)


def key(code, month):
    return f"{ind(code).id}-{month}"


def area(code):
    return models.LocalArea.objects.get(code=code)


def test_the_picker_offers_the_forces_areas(analyst, client):
    html = client.get(GRID).content.decode()
    assert '<label for="pick-area">Area' in html
    assert ('<select id="pick-area" name="area"><option value="">Whole force</option>'
            f'<option value="{BROMSGROVE}">Bromsgrove</option><option value="{WORCESTER}">Worcester</option>'
            '</select>') in html
    assert f'<option value="{WORCESTER}" selected>Worcester</option>' in client.get(AREA_GRID).content.decode()


def test_an_areas_grid_shows_its_measures_figures_and_references(analyst, client):
    html = client.get(AREA_GRID).content.decode()
    assert "<h2>West Mercia Police, Worcester: 2013/14 Q1</h2>" in html
    # only the measure with local figures; the ratio and the milestone measure are the force's only
    assert f'id="value-{key("vwi", "2013-04")}"' in html
    assert key("vwi-solved", "2013-04") not in html and key("alcohol-strategy", "2013-04") not in html
    april = cell_html(html, key("vwi", "2013-04"))
    assert 'value="55"' in april                                          # Worcester's, not the force's 512
    assert "Previous month, </span>Mar 2013: 52" in april                # Worcester's own references
    may = cell_html(html, key("vwi", "2013-05"))
    assert "Previous month, </span>Apr 2013: 55" in may and "Same month last year, </span>May 2012: 60" in may
    assert "Filled: <strong>0 of 1</strong> measures (every month) · 1 of 3 figures" in html
    # the whole force's grid is unchanged: every measure, the force's figure
    force_html = client.get(GRID).content.decode()
    assert 'value="512"' in cell_html(force_html, key("vwi", "2013-04"))
    assert key("vwi-solved", "2013-04") in force_html


def test_an_areas_grid_saves_its_own_draft_and_publishes_area_figures(analyst, client):
    force_form = form_of(client.get(GRID).content.decode())
    force_form[f"value-{key('vwi', '2013-05')}"] = "498"
    assert client.post(GRID, force_form).status_code == 302               # the force's draft, kept apart
    force_draft = models.Return.objects.get(state="draft", source="Quarterly return grid")

    form = form_of(client.get(AREA_GRID).content.decode())
    form.update({f"value-{key('vwi', '2013-05')}": "1,057", f"value-{key('vwi', '2013-06')}": "58"})
    html = client.post(AREA_GRID, {**form, "action": "check"}).content.decode()
    assert "1,057 is more than 3× the previous month (Apr 2013: 55)" in cell_html(html, key("vwi", "2013-05"))
    form[f"value-{key('vwi', '2013-05')}"] = "57"
    response = client.post(AREA_GRID, form, follow=True)
    assert "West Mercia Police, Worcester 2013/14 Q1: 2 figures saved in draft" in response.content.decode()
    draft = models.Return.objects.get(state="draft", source=f"Quarterly return grid, local area {WORCESTER}")
    assert sorted(draft.lines.values_list("area__code", "month", "value")) == [
        (WORCESTER, date(2013, 5, 1), 57), (WORCESTER, date(2013, 6, 1), 58)]
    assert list(force_draft.lines.values_list("area", "value")) == [(None, 498)]     # untouched
    # the area's grid shows its draft; the force's grid does not show the area's figures
    assert 'value="57"' in cell_html(response.content.decode(), key("vwi", "2013-05"))
    assert 'value="498"' in cell_html(client.get(GRID).content.decode(), key("vwi", "2013-05"))

    form = form_of(client.get(AREA_GRID).content.decode())
    form["action"] = "publish"
    assert client.post(AREA_GRID, form).status_code == 302
    vwi = ind("vwi")
    assert sorted(models.Observation.objects.filter(indicator=vwi, area=area(WORCESTER), month__gte=date(2013, 5, 1))
                  .values_list("month", "value")) == [(date(2013, 5, 1), 57), (date(2013, 6, 1), 58)]
    # the force's figures are its own: April as it was, May still only in the force's draft
    assert models.Observation.objects.get(indicator=vwi, area=None, month=date(2013, 4, 1)).value == 512
    assert not models.Observation.objects.filter(indicator=vwi, area=None, month=date(2013, 5, 1)).exists()
    assert models.Return.objects.get(pk=force_draft.pk).state == "draft"
    assert not models.Observation.objects.filter(area=area(BROMSGROVE), month__gte=date(2013, 5, 1)).exists()


def test_an_areas_figure_is_warned_against_that_areas_own_figures(analyst, client):
    """57 is under a third of the force's April (512) but close to Worcester's
    own (55): no warning. Bromsgrove's 300 is ten times its April (31)."""
    form = form_of(client.get(AREA_GRID).content.decode())
    form[f"value-{key('vwi', '2013-05')}"] = "57"
    html = client.post(AREA_GRID, {**form, "action": "check"}).content.decode()
    assert "Checked: no problems.</strong> No warnings." in html
    bromsgrove = GRID + f"&area={BROMSGROVE}"
    form = form_of(client.get(bromsgrove).content.decode())
    form.update({f"value-{key('vwi', '2013-05')}": "300", "action": "publish"})
    html = client.post(bromsgrove, form).content.decode()
    assert "Not published: check the 1 figure listed old → new" in html
    warned = html[html.index('id="publish-warnings"'):]
    assert "300 is more than 3× the previous month (Apr 2013: 31)" in warned[:warned.index("</table>")]
    assert not models.Observation.objects.filter(month=date(2013, 5, 1)).exists()


def test_withdrawing_an_areas_published_figure_needs_a_note(analyst, client):
    k = key("vwi", "2013-04")
    form = form_of(client.get(AREA_GRID).content.decode())
    form[f"value-{k}"] = ""
    html = client.post(AREA_GRID, form).content.decode()
    assert "you emptied the published figure 55, which stays published unless withdrawn" in cell_html(html, k)
    form.update({f"status-{k}": "unavailable", f"note-{k}": "Boundary error", "action": "publish"})
    # a withdrawal changes a published figure: Worcester's, shown old → new, published with the one tick
    shown = client.post(AREA_GRID, form).content.decode()
    assert ", Worcester, April 2013</a>" in shown
    assert "<td>55</td><td>unavailable (Boundary error)</td>" in shown
    assert client.post(AREA_GRID, {**form_of(shown), "checked": "1", "action": "publish"}).status_code == 302
    obs = models.Observation.objects.get(indicator=ind("vwi"), area=area(WORCESTER), month=date(2013, 4, 1))
    assert (obs.value, obs.status, obs.note) == (None, "unavailable", "Boundary error")
    assert models.Observation.objects.get(indicator=ind("vwi"), area=None, month=date(2013, 4, 1)).value == 512


def test_two_analysts_on_one_areas_quarter(analyst, client, plan):
    form = form_of(client.get(AREA_GRID).content.decode())
    other = make_user("bob", role="analyst", forces=[plan])
    from django.test import Client
    second = Client()
    second.force_login(other)
    theirs = form_of(second.get(AREA_GRID).content.decode())
    theirs[f"value-{key('vwi', '2013-05')}"] = "61"
    assert second.post(AREA_GRID, theirs).status_code == 302
    form[f"value-{key('vwi', '2013-05')}"] = "57"
    html = client.post(AREA_GRID, form).content.decode()
    assert "Nothing was saved: someone saved figures for this quarter since you opened the grid." in html
    assert "saved by someone else as 61" in cell_html(html, key("vwi", "2013-05"))
    assert list(models.ReturnLine.objects.filter(area__isnull=False).values_list("value", flat=True)) == [61]


def test_an_area_of_another_force_or_unknown_is_not_found(analyst, client):
    avon = models.Force.objects.get(slug="avon-and-somerset")
    models.LocalArea.objects.create(force=avon, code="E06000023", name="Bristol")
    assert client.get(GRID + "&area=E06000023").status_code == 404
    assert client.post(GRID + "&area=E06000023", {"action": "draft"}).status_code == 404
    assert client.get(GRID + "&area=nowhere").status_code == 404
    assert not models.Return.objects.filter(state="draft").exists()


@pytest.mark.parametrize("role,forces", [("panel", ["west-mercia"]), ("analyst", ["avon-and-somerset"])])
def test_a_panel_member_or_another_forces_analyst_cannot_use_it(plan, publish, client, role, forces):
    publish(FIGURES)
    client.force_login(make_user("someone", role=role, forces=[models.Force.objects.get(slug=s) for s in forces]))
    assert client.get(AREA_GRID).status_code == 403
    form = {f"value-{key('vwi', '2013-05')}": "57", "action": "publish"}
    assert client.post(AREA_GRID, form).status_code == 403
    assert not models.ReturnLine.objects.filter(month=date(2013, 5, 1)).exists()
    assert not models.Observation.objects.filter(month=date(2013, 5, 1)).exists()


# --- from the user trial (issue 15) ---------------------------------------------------------------------------

def test_a_quarter_the_picker_does_not_offer_is_refused(analyst, client):
    url = "/admin/indicators/return/grid/?force=west-mercia&quarter=1999/00+Q1"
    response = client.get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "1999/00 Q1 is not a quarter West Mercia Police can file</strong>: it is before the force's first plan started" in html
    assert 'id="grid-form"' not in html and "April 1999" not in html
    assert client.post(url, {f"value-{key('vwi', '1999-04')}": "5", "action": "publish"}).status_code == 400
    assert client.get(url + f"&area={WORCESTER}").status_code == 400
    assert not models.Observation.objects.filter(month__lt=date(2012, 1, 1)).exists()
    assert not models.Return.objects.filter(state="draft").exists()


def test_an_areas_published_figure_left_as_it_is_is_not_warned_about(analyst, client, publish):
    publish(f"west-mercia,vwi,2013-05,600,,,,,{WORCESTER}\n", "--accept-warnings")
    html = client.get(AREA_GRID).content.decode()
    assert "600 is more than 3×" not in html and "I have checked these figures" not in html
    form = form_of(html)
    form.update({f"value-{key('vwi', '2013-06')}": "590", "action": "publish"})
    assert client.post(AREA_GRID, form).status_code == 302                  # June (near May) needs nothing
    # changing the figure is a new one to confirm
    form = form_of(client.get(AREA_GRID).content.decode())
    form.update({f"value-{key('vwi', '2013-05')}": "610", "action": "check"})
    assert "610 is more than 3× the previous month (Apr 2013: 55)" in client.post(AREA_GRID, form).content.decode()


def test_the_quarter_status_of_an_area(analyst, client):
    status = "/admin/indicators/return/status/?force=west-mercia&quarter=2013/14+Q1"
    form = form_of(client.get(AREA_GRID).content.decode())
    form[f"value-{key('vwi', '2013-05')}"] = "57"
    assert client.post(AREA_GRID, form).status_code == 302
    html = client.get(status + f"&area={WORCESTER}").content.decode()
    assert "<h2>West Mercia Police, Worcester: 2013/14 Q1</h2>" in html
    assert f'<option value="{WORCESTER}" selected>Worcester</option>' in html
    assert "0 of 1 measure have a figure or a reason for every month." in html
    assert "Cells: 2 final, 0 provisional, 0 unavailable, 1 missing; 1 held in a draft, not yet published." in html
    assert "Final: 55" in html and "Final: 57 (draft, not published)" in html
    assert f'quarter=2013/14+Q1&amp;area={WORCESTER}">Open the grid for this quarter' in html
    # the force's status: its own figures, not the area's draft
    html = client.get(status).content.decode()
    assert "Final: 512" in html and "draft, not published" not in html and "Final: 55" not in html
    assert client.get(status + "&area=nowhere").status_code == 404
