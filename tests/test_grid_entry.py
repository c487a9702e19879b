"""The quarterly grid as a data-entry tool (issue 15, items 1 and 2): numbers
as analysts type them, the quarter picker and its default, the counter,
headline marks, reference figures, warnings beside cells and confirmed to
publish, withdrawing a figure with a note, an empty save, and two analysts
saving the same quarter at once. Paste and keys are in
tests/browser/test_grid_browser.py."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from indicators import models
from indicators.returns.grid import default_quarter, normalise_number, plan_quarters
from tests.factories import EXAMPLE_PLAN, make_user

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
Q1 = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1"
PICKER = "/admin/indicators/return/grid/"


@pytest.fixture
def plan(plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    return models.Force.objects.get(slug="west-mercia")


@pytest.fixture
def analyst(plan, client):
    user = make_user("ana", role="analyst", forces=[plan])
    client.force_login(user)
    return user


@pytest.fixture
def publish(tmp_path):
    def run(text, *args):
        path = tmp_path / "published.csv"
        path.write_text(HEADER + "\n" + text)
        call_command("import_return", str(path), "--publish", *args, stdout=io.StringIO())
    return run


def ind(code):
    return models.Indicator.objects.get(force__slug="west-mercia", code=code)


def key(code, month):
    return f"{ind(code).id}-{month}"


def form_of(html: str) -> dict:
    """The grid's form as a browser posts it: text and hidden inputs, selects."""
    data = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r' name="([^"]+)"', tag)
        kind = re.search(r' type="([^"]+)"', tag)
        if not name or not kind or kind.group(1) not in ("text", "hidden"):
            continue
        value = re.search(r' value="([^"]*)"', tag)
        text = value.group(1) if value else ""
        text = text.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
        if name.group(1) in ("warned", "checked_figure"):
            data.setdefault(name.group(1), []).append(text)
        else:
            data[name.group(1)] = text
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', html):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def cell_html(html: str, k: str) -> str:
    """The <td> of one cell."""
    start = html.index(f'id="value-{k}"') if f'id="value-{k}"' in html else html.index(f'id="numerator-{k}"')
    return html[html.rindex("<td", 0, start):html.index("</td>", start)]


# --- numbers as typed or copied from Excel -------------------------------------------------------------------

@pytest.mark.parametrize("text,unit,expected", [
    ("1,234", "count", "1234"),
    ("12,345.6", "number", "12345.6"),
    ("-1,234,567", "number", "-1234567"),
    (" 1,234\u00a0", "count", "1234"),
    ("55.2 %", "percent", "55.2"),
    ("55.2%", "percent", "55.2"),
    ("100 %", "percent", "100"),
    ("55 %", "count", "55 %"),            # a per cent sign on a count is not tidied away: the check reports it
    ("1,23", "count", "1,23"),            # not a thousands separator
    ("12,34,567", "count", "12,34,567"),
    ("n/a", "count", "n/a"),
    ("", "count", ""),
])
def test_numbers_as_analysts_type_them(text, unit, expected):
    assert normalise_number(text, unit) == expected


def test_thousands_separator_saved_and_text_reported_beside_its_cell(analyst, client):
    form = form_of(client.get(Q1).content.decode())
    form[f"value-{key('vwi', '2013-04')}"] = "1,234"
    form[f"value-{key('vwi', '2013-05')}"] = "n/a"
    html = client.post(Q1, form).content.decode()
    assert "Nothing was saved: 1 problem" in html
    cell = cell_html(html, key("vwi", "2013-05"))
    assert "&#x27;n/a&#x27; is not a number" in cell
    assert f'aria-describedby="err-{key("vwi", "2013-05")}"' in cell and 'aria-invalid="true"' in cell
    assert 'value="1234"' in cell_html(html, key("vwi", "2013-04"))         # tidied, kept in the form
    form[f"value-{key('vwi', '2013-05')}"] = "1,198"
    assert client.post(Q1, form).status_code == 302
    assert sorted(models.ReturnLine.objects.values_list("value", flat=True)) == [1198, 1234]


# --- the picker, the default quarter, the counter and the marks ---------------------------------------------

def test_picker_covers_the_plans_quarters_and_not_the_future(plan):
    quarters = plan_quarters(models.Force.objects.filter(pk=plan.pk), date(2014, 8, 20))
    assert quarters == [(2014, 2), (2014, 1), (2013, 4), (2013, 3), (2013, 2), (2013, 1)]
    # long after the plan (April 2013 to March 2017): every quarter up to the current one, none after
    # (SPEC §6 "A plan's life": analysts keep filing for its measures until a new plan is loaded)
    later = plan_quarters(models.Force.objects.filter(pk=plan.pk), date(2026, 11, 24))
    assert later[0] == (2026, 3) and later[-1] == (2013, 1) and len(later) == 55


def test_after_the_plan_ends_the_grid_files_its_measures_with_a_notice(analyst, client):
    after = "/admin/indicators/return/grid/?force=west-mercia&quarter=2017/18+Q1"
    response = client.get(after)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The plan has ended." in html
    assert "ended on 31 March 2017. Its measures are still offered" in html
    assert "2017/18 Q1" in re.search(r'<select id="pick-quarter".*?</select>', html, re.S).group(0)
    form = form_of(html)
    form[f"value-{key('vwi', '2017-04')}"] = "1,040"
    assert client.post(after, form).status_code == 302
    line = models.ReturnLine.objects.get()
    assert (line.indicator.code, line.month, line.value, line.source_return.state) == (
        "vwi", date(2017, 4, 1), 1040, "draft")
    # while the plan runs, no notice
    assert "The plan has ended." not in client.get(Q1).content.decode()
    status = client.get("/admin/indicators/return/status/?force=west-mercia&quarter=2017/18+Q1").content.decode()
    assert "The plan has ended." in status


def test_default_quarter_is_the_next_to_file(plan, publish):
    quarters = plan_quarters(models.Force.objects.filter(pk=plan.pk), date(2026, 11, 24))
    assert default_quarter(plan, quarters, date(2026, 11, 24)) == (2013, 1)          # nothing held yet
    publish("west-mercia,vwi,2013-04,512,,,,\nwest-mercia,vwi,2013-05,498,,,,\n")
    assert default_quarter(plan, quarters, date(2026, 11, 24)) == (2013, 1)          # June still to come
    publish("west-mercia,vwi,2013-06,507,,,,\n")
    assert default_quarter(plan, quarters, date(2026, 11, 24)) == (2013, 2)          # Q1 full: Q2 next
    # while Q2 is the current quarter, the last one over
    assert default_quarter(plan, plan_quarters(models.Force.objects.filter(pk=plan.pk), date(2013, 8, 1)),
                           date(2013, 8, 1)) == (2013, 1)


def test_the_picker_page_lists_every_quarter_and_selects_the_default(analyst, client, publish):
    publish("west-mercia,vwi,2013-06,507,,,,\n")
    html = client.get(PICKER).content.decode()
    assert '<option value="2013/14 Q1">' in html and '<option value="2016/17 Q4">' in html
    assert '<option value="2013/14 Q2" selected>' in html


def test_counter_headline_marks_and_reference_figures(analyst, client, publish):
    publish("west-mercia,vwi,2012-04,530,,,,\nwest-mercia,vwi,2013-03,488,,,,\nwest-mercia,vwi,2013-04,512,,,,\n"
            "west-mercia,vwi,2013-05,498,,,,\nwest-mercia,vwi,2013-06,507,,,,\n"
            "west-mercia,vwi-solved,2013-04,,281,512,,\n")
    html = client.get(Q1).content.decode()
    # vwi has all three months; vwi-solved one; alcohol-strategy (no numeric target, never a figure) expects none:
    # left out of the grid and of the count (issue 28, item 2)
    assert "Filled: <strong>1 of 2</strong> measures (every month) · 4 of 6 figures" in html
    assert html.count('<span class="headline-mark" aria-hidden="true">*</span><span class="visually-hidden">'
                      'Headline measure: </span>') == 2                # vwi and vwi-solved are headline
    april = cell_html(html, key("vwi", "2013-04"))
    assert f'<p class="refs" id="ref-{key("vwi", "2013-04")}">' in april
    assert "Previous month, </span>Mar 2013: 488" in april and "Same month last year, </span>Apr 2012: 530" in april
    assert f'aria-describedby="ref-{key("vwi", "2013-04")}"' in april
    assert "Previous month, </span>Apr 2013: 54.9 %" in cell_html(html, key("vwi-solved", "2013-05"))


# --- an empty save, withdrawing a figure ---------------------------------------------------------------------

def test_an_empty_save_says_so(analyst, client):
    html = client.post(Q1, form_of(client.get(Q1).content.decode())).content.decode()
    assert "Nothing was saved: 1 problem" in html
    assert "The grid is empty: type or paste at least one figure, then save" in html
    assert models.Return.objects.count() == 0


def test_emptying_a_published_figure_needs_a_withdrawal_with_a_note(analyst, client, publish):
    publish("west-mercia,vwi,2013-04,512,,,,\n")
    k = key("vwi", "2013-04")
    form = form_of(client.get(Q1).content.decode())
    assert form[f"value-{k}"] == "512"
    form[f"value-{k}"] = ""
    html = client.post(Q1, form).content.decode()
    assert "Nothing was saved: 1 problem" in html
    assert "you emptied the published figure 512, which stays published unless withdrawn" in cell_html(html, k)
    assert models.Return.objects.filter(state="draft").count() == 0
    form[f"status-{k}"] = "unavailable"
    html = client.post(Q1, form).content.decode()
    assert "a note is required when status is unavailable" in cell_html(html, k)
    form[f"note-{k}"] = "Recording error found; figure withdrawn pending audit"
    assert client.post(Q1, {**form, "action": "draft"}).status_code == 302
    draft = models.Return.objects.get(state="draft")
    line = draft.lines.get()
    assert (line.value, line.status, line.note) == (None, "unavailable",
                                                    "Recording error found; figure withdrawn pending audit")
    form = form_of(client.get(Q1).content.decode())
    form["action"] = "publish"
    # a withdrawal changes a published figure: shown old → new, published with the one tick
    shown = client.post(Q1, form).content.decode()
    assert "Check before publishing: 1 figure" in shown and "<td>512</td><td>unavailable (Recording error" in shown
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1)).value == 512
    assert client.post(Q1, {**form_of(shown), "checked": "1", "action": "publish"}).status_code == 302
    obs = models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1))
    assert (obs.value, obs.status) == (None, "unavailable")
    assert list(obs.history.order_by("history_date").values_list("value", flat=True)) == [512, None]


def test_emptying_a_cell_that_shows_a_draft_names_the_published_figure(analyst, client, publish, tmp_path):
    """Found in a user trial: the grid showed a draft's 520 over the
    published 512; emptying it said "you emptied the published figure 520"."""
    publish("west-mercia,vwi,2013-04,512,,,,\n")
    draft = tmp_path / "draft.csv"
    draft.write_text(HEADER + "\nwest-mercia,vwi,2013-04,520,,,,\n")
    call_command("import_return", str(draft), stdout=io.StringIO())
    k = key("vwi", "2013-04")
    form = form_of(client.get(Q1).content.decode())
    assert form[f"value-{k}"] == "520"
    form[f"value-{k}"] = ""
    html = client.post(Q1, form).content.decode()
    assert ("you emptied the draft figure 520; the published figure is 512, which stays published unless "
            "withdrawn") in cell_html(html, k)


def test_emptying_a_draft_only_figure_drops_it(analyst, client):
    k = key("vwi", "2013-04")
    form = form_of(client.get(Q1).content.decode())
    form[f"value-{k}"], form[f"value-{key('vwi', '2013-05')}"] = "512", "498"
    client.post(Q1, form)
    form = form_of(client.get(Q1).content.decode())
    form[f"value-{k}"] = ""
    assert client.post(Q1, form).status_code == 302
    assert list(models.ReturnLine.objects.values_list("value", flat=True)) == [498]


# --- warnings: beside the cell; a draft is not blocked; publishing needs the box -----------------------------

HISTORY = ("west-mercia,vwi,2012-04,530,,,,\nwest-mercia,vwi,2012-05,520,,,,\nwest-mercia,vwi,2012-06,515,,,,\n"
           "west-mercia,vwi,2013-03,488,,,,\n")


def test_a_tenfold_figure_is_a_warning_beside_its_cell_and_a_draft_still_saves(analyst, client, publish):
    publish(HISTORY)
    form = form_of(client.get(Q1).content.decode())
    k = key("vwi", "2013-05")
    form.update({f"value-{key('vwi', '2013-04')}": "512", f"value-{k}": "4980", f"value-{key('vwi', '2013-06')}": "507"})
    checked = client.post(Q1, {**form, "action": "check"}).content.decode()
    assert "Checked: no problems." in checked and "1 warning to look at" in checked
    assert models.Return.objects.filter(state="draft").count() == 0       # checking saves nothing
    response = client.post(Q1, {**form, "action": "draft"}, follow=True)
    html = response.content.decode()
    assert "3 figures saved in draft" in html and "1 warning: see beside the cells" in html
    cell = cell_html(html, k)
    assert 'class="cell-warning"' in cell
    assert "<strong>Warning:</strong> 4,980 is more than 3× the previous month (Apr 2013: 512)" in cell
    assert "the same month last year (May 2012: 520)" in cell
    assert f'aria-describedby="ref-{k} warn-{k}"' in cell
    assert "Save and publish lists them" in html and 'name="checked"' not in html    # the tick is asked when publishing


def test_publishing_a_5x_outlier_from_the_grid_shows_it_and_needs_the_one_tick(analyst, client, publish):
    publish(HISTORY)
    form = form_of(client.get(Q1).content.decode())
    k = key("vwi", "2013-05")
    form.update({f"value-{key('vwi', '2013-04')}": "512", f"value-{k}": "4980", "action": "publish"})
    html = client.post(Q1, form).content.decode()
    assert "Check before publishing: 1 figure" in html
    assert "Not published: check the 1 figure listed old → new" in html
    warned = re.search(r'id="publish-warnings">(.*?)</table>', html, re.S).group(1)
    assert f'<a href="#value-{k}">' in warned and "<td>none</td><td>4,980</td>" in warned
    assert models.Return.objects.exclude(is_demo=True).filter(period="2013/14 Q1").count() == 0
    assert not models.Observation.objects.filter(month=date(2013, 5, 1)).exists()
    # the same step again without the tick: nothing
    assert "Check before publishing" in client.post(Q1, form_of(html) | {"action": "publish"}).content.decode()
    assert not models.Observation.objects.filter(month=date(2013, 5, 1)).exists()
    # ticked, it publishes
    again = form_of(html)
    assert len(again["checked_figure"]) == 1
    again.update({"checked": "1", "action": "publish"})
    assert client.post(Q1, again).status_code == 302
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 5, 1)).value == 4980


def test_republishing_a_changed_published_figure_from_the_grid_shows_old_and_new(analyst, client, publish):
    """Issue 28, item 4: Save and publish republished a changed figure in one click."""
    publish(HISTORY + "west-mercia,vwi,2013-04,512,,,,\n")
    form = form_of(client.get(Q1).content.decode())
    form.update({f"value-{key('vwi', '2013-04')}": "521", "action": "publish"})
    html = client.post(Q1, form).content.decode()
    changes = re.search(r'id="publish-changes">(.*?)</table>', html, re.S).group(1)
    assert "<td>512</td><td>521</td>" in changes
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1)).value == 512
    assert not models.Return.objects.exclude(is_demo=True).filter(period="2013/14 Q1").exists()
    assert client.post(Q1, {**form_of(html), "checked": "1", "action": "publish"}).status_code == 302
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1)).value == 521


def test_new_figures_without_warnings_publish_from_the_grid_in_one_click(analyst, client, publish):
    publish(HISTORY)
    form = form_of(client.get(Q1).content.decode())
    form.update({f"value-{key('vwi', '2013-04')}": "512", "action": "publish"})
    assert client.post(Q1, form).status_code == 302
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1)).value == 512


def test_a_warned_figure_published_already_needs_no_confirmation_to_publish_another(analyst, client, publish):
    """Found in a user trial: once a tenfold figure was published (checked),
    publishing any other figure of its quarter from the grid asked to confirm
    that figure's warning again, though it is not published again; the review
    page asks only about the figures the return holds."""
    publish(HISTORY)
    publish("west-mercia,vwi,2013-04,512,,,,\nwest-mercia,vwi,2013-05,4980,,,,\n", "--accept-warnings")
    html = client.get(Q1).content.decode()
    form = form_of(html)
    # published and left as it is, it is not warned about again (user trial): no warning, no box
    assert "4,980 is more than 3×" not in html and "I have checked these figures" not in html
    checked = client.post(Q1, {**form, f"value-{key('vwi', '2013-06')}": "507", "action": "check"}).content.decode()
    assert "No warnings." in checked and "4,980 is more than 3×" not in checked
    form.update({f"value-{key('vwi', '2013-06')}": "507", "action": "publish"})
    assert client.post(Q1, form).status_code == 302
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 6, 1)).value == 507
    # a figure that changes still needs its warning confirmed
    form = form_of(client.get(Q1).content.decode())
    form.update({f"value-{key('vwi', '2013-06')}": "51", "action": "publish"})    # a tenth of May and of June 2012
    assert "Not published: check the 1 figure listed" in client.post(Q1, form).content.decode()


def test_a_confirmation_covers_only_the_figures_listed(analyst, client, publish):
    publish(HISTORY)
    form = form_of(client.get(Q1).content.decode())
    form.update({f"value-{key('vwi', '2013-04')}": "512", f"value-{key('vwi', '2013-05')}": "4980",
                 "action": "publish"})
    shown = form_of(client.post(Q1, form).content.decode())
    shown.update({"checked": "1", "action": "publish"})
    shown[f"value-{key('vwi', '2013-06')}"] = "51"        # a new warning, not in the list ticked
    html = client.post(Q1, shown).content.decode()
    assert "changed since the list was shown" in html
    assert not models.Observation.objects.filter(month__gte=date(2013, 4, 1)).exists()


# --- two analysts on the same quarter -----------------------------------------------------------------------

@pytest.fixture
def two(plan):
    first, second = Client(), Client()
    first.force_login(make_user("ana1", role="analyst", forces=[plan]))
    second.force_login(make_user("ana2", role="analyst", forces=[plan]))
    return first, second


def test_the_second_analyst_saving_the_same_quarter_is_told_and_nothing_is_lost(two):
    first, second = two
    form1 = form_of(first.get(Q1).content.decode())
    form2 = form_of(second.get(Q1).content.decode())
    apr, may = key("vwi", "2013-04"), key("vwi", "2013-05")
    form1[f"value-{apr}"] = "512"
    assert first.post(Q1, form1).status_code == 302
    form2[f"value-{may}"] = "498"
    response = second.post(Q1, form2)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: someone saved figures for this quarter since you opened the grid." in html
    assert "saved by someone else as 512 since you opened the grid; shown here now" in cell_html(html, apr)
    assert list(models.ReturnLine.objects.values_list("value", flat=True)) == [512]    # the first's figure stands
    again = form_of(html)
    assert again[f"value-{apr}"] == "512" and again[f"value-{may}"] == "498"           # nothing of either lost
    assert second.post(Q1, again).status_code == 302
    assert sorted(models.ReturnLine.objects.values_list("value", flat=True)) == [498, 512]


def test_when_both_change_the_same_cell_the_seconds_figure_is_kept_to_check(two):
    first, second = two
    form1 = form_of(first.get(Q1).content.decode())
    form2 = form_of(second.get(Q1).content.decode())
    apr = key("vwi", "2013-04")
    form1[f"value-{apr}"], form2[f"value-{apr}"] = "512", "521"
    first.post(Q1, form1)
    html = second.post(Q1, form2).content.decode()
    assert ("saved by someone else as 512 since you opened the grid (it was empty); your figure is kept here"
            in cell_html(html, apr))
    assert form_of(html)[f"value-{apr}"] == "521"
    assert list(models.ReturnLine.objects.values_list("value", flat=True)) == [512]
    assert second.post(Q1, form_of(html)).status_code == 302
    assert list(models.ReturnLine.objects.values_list("value", flat=True)) == [521]


# --- the import preview lists warnings; publishing at once needs the box ------------------------------------

def test_import_preview_lists_warnings_and_publishing_needs_them_confirmed(analyst, client, publish):
    publish(HISTORY)
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-04,512,,,,\nwest-mercia,vwi,2013-05,4980,,,,\n").encode())
    upload.name = "q1.csv"
    html = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    assert "row 3, column value: warning: 4,980 is more than 3× the previous month (Apr 2013: 512)" in html
    assert "I have checked these figures" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    listed = re.findall(r'name="checked_figure" value="([^"]+)"', html)
    refused = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1"})
    assert "Not published: check the 1 figure listed old → new" in refused.content.decode()
    assert not models.Observation.objects.filter(month=date(2013, 5, 1)).exists()
    done = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1",
                                                            "checked": "1", "checked_figure": listed})
    assert done.status_code == 302
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 5, 1)).value == 4980


def test_import_as_a_draft_is_not_blocked_by_warnings(analyst, client, publish):
    publish(HISTORY)
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-04,5120,,,,\n").encode())
    upload.name = "q1.csv"
    html = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    assert client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1"}).status_code == 302
    assert models.ReturnLine.objects.get().value == 5120


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_is_told(plan_file):
    """Two analysts press Save on the same quarter at the same moment (two
    threads, two database connections): one save goes through, the other is
    told and keeps its figure in its form. PostgreSQL only: SQLite has no row
    locks to take."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for concurrent transactions")
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    force = models.Force.objects.get(slug="west-mercia")
    clients = []
    for n in (1, 2):
        c = Client()
        c.force_login(make_user(f"conc{n}", role="analyst", forces=[force]))
        clients.append(c)
    apr = key("vwi", "2013-04")
    forms = [form_of(c.get(Q1).content.decode()) for c in clients]
    forms[0][f"value-{apr}"], forms[1][f"value-{apr}"] = "512", "521"
    barrier, results = threading.Barrier(2), [None, None]

    def save(n):
        try:
            barrier.wait()
            results[n] = clients[n].post(Q1, forms[n])
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 302], codes
    told = next(r for r in results if r.status_code == 200).content.decode()
    saved = next(n for n, r in enumerate(results) if r.status_code == 302)
    assert "someone saved figures for this quarter since you opened the grid" in told
    assert list(models.ReturnLine.objects.values_list("value", flat=True)) == [512 if saved == 0 else 521]
    assert form_of(told)[f"value-{apr}"] == ("521" if saved == 0 else "512")     # the other's figure, kept to check


def test_the_grids_queries_do_not_grow_with_its_measures(analyst, client):
    """15 queries for 3 measures and for 13: session and user (5), forces and
    the plans' span (3), the force's local areas for the picker (1), the plan
    with its areas, priorities and measures (1: `selectors.plan_for`), figures held and drafts (2), reference
    figures (1: previous months and last year), warnings' references (1), the measures expecting no
    figure (1).
    (Figures held add one: the published ones they are compared with, so
    that only those publishing would change are warned about.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(Q1)
    priority = models.StrategicPriority.objects.first()
    for n in range(10):
        extra = models.Indicator.objects.create(force=ind("vwi").force, code=f"extra-{n}", name=f"Extra {n}",
                                                unit="count", aggregation="sum", polarity="down")
        models.PriorityIndicator.objects.create(priority=priority, indicator=extra, order=10 + n)
    with CaptureQueriesContext(connection) as large:
        html = client.get(Q1).content.decode()
    # the extra measures have no target and no figure: they expect none, so they are left out and not counted
    assert "Filled: <strong>0 of 2</strong>" in html and "11 measures expecting no monthly figure" in html
    assert len(small) == len(large) == 15, "\n".join(q["sql"][:120] for q in large.captured_queries)


def test_import_publishing_a_change_to_a_published_figure_needs_the_one_tick(analyst, client, publish):
    """Issue 28, item 4: the import's Publish at once asks as the grid and the review do."""
    publish(HISTORY + "west-mercia,vwi,2013-04,512,,,,\n")
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-04,521,,,,\n").encode())
    upload.name = "q1.csv"
    html = client.post("/admin/indicators/return/import/", {"file": upload}).content.decode()
    changes = re.search(r'id="publish-changes">(.*?)</table>', html, re.S).group(1)
    assert "<td>512</td><td>521</td>" in changes
    token = html.split('name="token" value="')[1].split('"')[0]
    listed = re.findall(r'name="checked_figure" value="([^"]+)"', html)
    refused = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1"})
    page = refused.content.decode()
    assert "Not published: check the 1 figure listed old → new" in page and "<td>512</td><td>521</td>" in page
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1)).value == 512
    assert not models.Return.objects.exclude(is_demo=True).filter(period="2013/14 Q1").exists()
    done = client.post("/admin/indicators/return/import/", {"token": token, "confirm": "1", "publish": "1",
                                                            "checked": "1", "checked_figure": listed})
    assert done.status_code == 302
    assert models.Observation.objects.get(indicator=ind("vwi"), month=date(2013, 4, 1)).value == 521
