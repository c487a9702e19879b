"""Review before publish (issue 15 item 3): a return's figures old → new,
warnings and stale conflicts beside them, Submit and Publish with a
confirmation, bulk publish keeping the same checks, and commentary and the
executive summary as drafts that publish with the return."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from indicators import models, versioning
from tests.factories import make_user
from tests.factories import run_import as run

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
JUNE = date(2013, 6, 1)
NOV = date(2013, 11, 1)






@pytest.fixture
def analyst(west_mercia, client):
    user = make_user("jsmith", role="analyst", forces=[west_mercia])
    user.first_name, user.last_name = "Jane", "Smith"
    user.save()
    client.force_login(user)
    return user


def asb(month=JUNE):
    return models.Observation.objects.get(indicator__force__slug="west-mercia", indicator__code="asb", month=month)


def review_url(ret):
    return f"/admin/indicators/return/{ret.pk}/review/"


@pytest.fixture
def tenfold(west_mercia, write):
    """A draft return: anti-social behaviour June 2013 typed ten times too big
    (47,670 for 4,767), and May 2013 unchanged."""
    assert asb().value == 4767
    may = asb(date(2013, 5, 1)).value
    run(write(f"{HEADER}\nwest-mercia,asb,2013-06,47670,,,final,\nwest-mercia,asb,2013-05,{may:g},,,provisional,\n"))
    return models.Return.objects.get(state="draft")


def test_review_shows_old_and_new_by_measure_with_the_warning_beside_the_figure(tenfold, analyst, client):
    response = client.get(review_url(tenfold))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reduction in the volume of ASB incidents" in html
    june = re.search(r"<th scope=\"row\">June 2013</th>(.*?)</tr>", html, re.S).group(1)
    assert "Changed" in june and "4,767" in june and "47,670" in june
    assert "Warning: 47,670 is more than 3× the previous month" in june
    may = re.search(r"<th scope=\"row\">May 2013</th>(.*?)</tr>", html, re.S).group(1)
    assert "Changed" in may and "provisional" in may and "No warning" in may
    # Publish comes first (issue 28, item 4), with counts linking to the figures that need the one tick
    assert html.index('value="Publish return') < html.index("<h2>Figures: old → new</h2>")
    assert ('<a href="#publish-changes">2 figures change a published figure</a>; '
            '<a href="#publish-warnings">1 figure has a warning</a>.') in html
    assert 'id="publish-changes"' in html and 'id="publish-warnings"' in html
    # one tick, a required checkbox: it works without scripts; no second tick
    assert len(re.findall(r'type="checkbox"', html)) == 1
    assert re.search(r'<input type="checkbox" name="checked" value="1" id="checked-figures" required> '
                     r'<label for="checked-figures">I have checked these figures</label>', html)
    assert 'value="Submit return' in html and 'value="Publish return' in html


def keys(html):
    """The figures the page lists for the tick."""
    return re.findall(r'name="checked_figure" value="([^"]+)"', html)


def tick(html):
    return {"do": "publish", "checked": "1", "checked_figure": keys(html)}


def test_the_publish_sections_warning_names_its_measure_and_month_and_links_to_its_row(tenfold, analyst, client):
    """Found in a user trial: beside "I have checked these figures" the
    warning read only "47,670 is more than 3× …", naming no measure; on a
    147-row page the summary's counts did not lead to what needs a tick."""
    html = client.get(review_url(tenfold)).content.decode()
    ind = asb().indicator_id
    assert f'<tr id="figure-{ind}-2013-06">' in html
    warnings = re.search(r'<table class="publish-checks" id="publish-warnings">(.*?)</table>', html, re.S).group(1)
    assert re.search(f'<th scope="row"><a href="#figure-{ind}-2013-06">Reduction in the volume of ASB incidents as '
                     'measured by the police, June 2013</a></th><td>4,767[^<]*</td><td>47,670</td><td><p>47,670 is '
                     'more than 3× the previous month', warnings)


def test_publishing_a_5x_outlier_needs_the_one_tick_and_nothing_else(tenfold, analyst, client):
    version = versioning.current()
    html = client.get(review_url(tenfold)).content.decode()
    response = client.post(review_url(tenfold), {"do": "publish", "checked_figure": keys(html)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not published: check the 2 figures listed old → new and tick “I have checked these figures”" in page
    changes = re.search(r'id="publish-changes">(.*?)</table>', page, re.S).group(1)
    assert re.search("<td>4,767[^<]*</td><td>47,670</td>", changes)
    tenfold.refresh_from_db()
    assert tenfold.state == "draft" and asb().value == 4767 and versioning.current() == version
    # a tick posted for another list (no figures listed) publishes nothing either
    response = client.post(review_url(tenfold), {"do": "publish", "checked": "1"})
    assert response.status_code == 400 and "changed since the list was shown" in response.content.decode()
    assert asb().value == 4767
    # the one tick: published
    response = client.post(review_url(tenfold), tick(html))
    assert response.status_code == 302
    tenfold.refresh_from_db()
    assert tenfold.state == "published" and tenfold.published_by == analyst and asb().value == 47670
    # afterwards the page shows what it published, old → new, and no forms
    html = client.get(review_url(tenfold)).content.decode()
    assert "Reduction in the volume of ASB incidents as measured by the police, June 2013" in html and "4,767 → 47,670" in html
    assert 'name="do"' not in html


def test_new_figures_without_warnings_publish_with_no_tick(west_mercia, analyst, client, write):
    run(write(f"{HEADER}\nwest-mercia,asb,2013-07,4700,,,provisional,\n"))
    ret = models.Return.objects.get(state="draft")
    html = client.get(review_url(ret)).content.decode()
    assert "nothing to tick" in html and 'type="checkbox"' not in html
    assert client.post(review_url(ret), {"do": "publish"}).status_code == 302
    ret.refresh_from_db()
    assert ret.state == "published" and asb(date(2013, 7, 1)).value == 4700


def test_submit_from_the_review_page(tenfold, analyst, client):
    assert client.post(review_url(tenfold), {"do": "submit"}).status_code == 302
    tenfold.refresh_from_db()
    assert tenfold.state == "submitted" and tenfold.submitted_by == analyst
    html = client.get(review_url(tenfold)).content.decode()
    assert 'value="Submit return' not in html and 'value="Publish return' in html


def test_bulk_publish_refuses_a_return_with_warnings_and_points_to_its_review(tenfold, analyst, client):
    response = client.post("/admin/indicators/return/", {"action": "publish_returns",
                                                          "_selected_action": [tenfold.pk]}, follow=True)
    html = response.content.decode()
    assert f"Return #{tenfold.pk} (west-mercia 2013/14 Q1) was not published: it has 2 figure(s) changing a published figure, 1 figure(s) with warnings" in html
    assert f'<a href="/admin/indicators/return/{tenfold.pk}/review/">Review it</a>' in html
    tenfold.refresh_from_db()
    assert tenfold.state == "draft" and asb().value == 4767


def test_bulk_publish_refuses_a_change_to_a_published_figure(west_mercia, analyst, client, write):
    """The one rule: a revision needs the tick, which the list has not."""
    run(write(f"{HEADER}\nwest-mercia,asb,2013-06,4770,,,final,Recounted\n"))
    ret = models.Return.objects.get(state="draft")
    html = client.post("/admin/indicators/return/", {"action": "publish_returns", "_selected_action": [ret.pk]},
                       follow=True).content.decode()
    assert "it has 1 figure(s) changing a published figure" in html
    ret.refresh_from_db()
    assert ret.state == "draft" and asb().value == 4767


def test_bulk_publish_still_publishes_a_return_needing_no_tick(west_mercia, analyst, client, write):
    run(write(f"{HEADER}\nwest-mercia,asb,2013-07,4700,,,final,\n"))
    ret = models.Return.objects.get(state="draft")
    client.post("/admin/indicators/return/", {"action": "publish_returns", "_selected_action": [ret.pk]})
    ret.refresh_from_db()
    assert ret.state == "published" and asb(date(2013, 7, 1)).value == 4700


@pytest.fixture
def stale(west_mercia, analyst, write):
    """A draft started last week (asb November 2013: 2,850), then a colleague's
    correction (2,900) published today."""
    run(write(f"{HEADER}\nwest-mercia,asb,2013-10,2800,,,final,\n"), "--publish")
    run(write(f"{HEADER}\nwest-mercia,asb,2013-11,2850,,,final,\n"))
    draft = models.Return.objects.get(state="draft")
    last_week = timezone.now() - timedelta(days=7)
    models.Return.objects.filter(pk=draft.pk).update(created_at=last_week)
    draft.lines.update(written_at=last_week)
    colleague = make_user("colleague", role="analyst", forces=[west_mercia])
    run(write(f"{HEADER}\nwest-mercia,asb,2013-11,2900,,,final,Duplicates removed\n"), "--publish",
        "--user", colleague.username)
    assert asb(NOV).value == 2900
    return draft


def test_a_draft_from_last_week_published_after_a_correction_is_refused_with_the_conflicts_listed(
        stale, client):
    html = client.get(review_url(stale)).content.decode()
    assert "(1 older than one published since)" in html
    assert "Conflict: west-mercia asb November 2013: this draft has 2,850; 2,900 was published since" in html
    changes = re.search(r'id="publish-changes">(.*?)</table>', html, re.S).group(1)
    assert "<td>2,900 — note: Duplicates removed</td><td>2,850</td>" in changes and "Older than the figure published since" in changes
    response = client.post(review_url(stale), {"do": "publish"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not published: check the 1 figure listed old → new" in page
    assert "this draft has 2,850; 2,900 was published since" in page
    stale.refresh_from_db()
    assert stale.state == "draft" and asb(NOV).value == 2900
    # bulk publish refuses it too, pointing here
    listing = client.post("/admin/indicators/return/", {"action": "publish_returns", "_selected_action": [stale.pk]},
                          follow=True).content.decode()
    assert "1 figure(s) older than one published since" in listing and review_url(stale) in listing
    assert asb(NOV).value == 2900
    # the one tick: published over the correction
    assert client.post(review_url(stale), tick(html)).status_code == 302
    stale.refresh_from_db()
    assert stale.state == "published" and asb(NOV).value == 2850


def test_a_tick_given_before_a_colleague_published_is_not_enough(west_mercia, analyst, client, write):
    """The tick confirms old → new as shown: a figure published since makes a new list."""
    run(write(f"{HEADER}\nwest-mercia,asb,2013-11,2850,,,final,\n"))
    draft = models.Return.objects.get(state="draft")
    html = client.get(review_url(draft)).content.decode()
    colleague = make_user("colleague", role="analyst", forces=[west_mercia])
    run(write(f"{HEADER}\nwest-mercia,asb,2013-11,2900,,,final,Duplicates removed\n"), "--publish",
        "--user", colleague.username)
    response = client.post(review_url(draft), tick(html))
    assert response.status_code == 400 and "changed since the list was shown" in response.content.decode()
    assert asb(NOV).value == 2900
    assert client.post(review_url(draft), tick(response.content.decode())).status_code == 302
    assert asb(NOV).value == 2850


# --- permissions ------------------------------------------------------------------------------------------------

def test_review_permissions(tenfold, west_mercia, client):
    essex = models.Force.objects.get(slug="essex")
    other = Client()
    other.force_login(make_user("ea", role="analyst", forces=[essex]))
    assert other.get(review_url(tenfold)).status_code == 404
    assert other.post(review_url(tenfold), {"do": "publish", "checked": "1"}).status_code == 404
    panel = Client()
    panel.force_login(make_user("pm", role="panel", forces=[west_mercia]))
    assert panel.get(review_url(tenfold)).status_code == 404           # a draft: not theirs to see
    assert panel.post(review_url(tenfold), {"do": "submit"}).status_code == 404
    anonymous = Client()
    response = anonymous.get(review_url(tenfold))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert anonymous.post(review_url(tenfold), {"do": "submit"}).status_code == 302
    tenfold.refresh_from_db()
    assert tenfold.state == "draft" and asb().value == 4767
    # a published return: the panel member reads it, with no forms, and may not act on it
    published = models.Return.objects.filter(force=west_mercia, state="published").first()
    page = panel.get(review_url(published))
    assert page.status_code == 200 and 'name="do"' not in page.content.decode()
    assert panel.post(review_url(published), {"do": "publish", "checked": "1"}).status_code == 403


def test_review_needs_csrf(tenfold, west_mercia):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("ana2", role="analyst", forces=[west_mercia]))
    assert strict.post(review_url(tenfold), {"do": "publish", "checked": "1"}).status_code == 403
    tenfold.refresh_from_db()
    assert tenfold.state == "draft"


def test_change_page_and_list_link_to_the_review(tenfold, analyst, client):
    link = f'href="{review_url(tenfold)}"'
    assert link in client.get(f"/admin/indicators/return/{tenfold.pk}/change/").content.decode()
    assert link in client.get("/admin/indicators/return/").content.decode()


# --- commentary and executive summary drafts --------------------------------------------------------------------

@pytest.fixture
def draft_writing(west_mercia, analyst):
    priority = models.StrategicPriority.objects.filter(plan__force=west_mercia).order_by("number").first()
    models.ExecutiveSummary.objects.filter(force=west_mercia, month=JUNE).delete()
    models.Commentary.objects.filter(priority=priority, month=JUNE).delete()
    summary = models.ExecutiveSummary.objects.create(
        force=west_mercia, month=JUNE, state="draft", author=analyst,
        text="**Quarter one** summary in draft <script>alert(1)</script>")
    note = models.Commentary.objects.create(force=west_mercia, priority=priority, month=JUNE, state="draft",
                                            author=analyst, text="Draft commentary: *violence down*")
    return summary, note, priority


def test_draft_writing_is_invisible_to_the_public_until_its_return_is_published(
        tenfold, draft_writing, analyst, client):
    summary, note, priority = draft_writing
    public = Client()
    dashboard = "/west-mercia/?period=2013-06"
    priority_page = f"/west-mercia/priorities/{priority.number}/?period=2013-06"
    report = "/west-mercia/report/?period=2013-06"
    for url in (dashboard, priority_page, report):
        html = public.get(url).content.decode()
        assert "Quarter one" not in html and "violence down" not in html, url
    panel = Client()
    panel.force_login(make_user("pm", role="panel", forces=[tenfold.force]))
    assert "Quarter one" not in panel.get(dashboard).content.decode()
    listing = panel.get("/admin/indicators/executivesummary/").content.decode()
    assert f"/admin/indicators/executivesummary/{summary.pk}/change/" not in listing
    assert panel.get(f"/admin/indicators/executivesummary/{summary.pk}/change/").status_code in (302, 404)
    # the force's analyst sees the drafts on the pages, and the review page previews them, sanitised
    analyst_page = client.get(dashboard).content.decode()
    assert "<strong>Quarter one</strong>" in analyst_page
    assert "<strong>Draft</strong>, published with the return for this period" in analyst_page
    html = client.get(review_url(tenfold)).content.decode()
    assert "Executive summary, June 2013" in html and "<strong>Quarter one</strong>" in html
    assert f"Commentary on priority {priority.number}, June 2013" in html and "<em>violence down</em>" in html
    assert "<script>alert(1)</script>" not in html
    client.post(review_url(tenfold), tick(html))
    summary.refresh_from_db()
    note.refresh_from_db()
    assert summary.state == note.state == "published"
    assert summary.history.first().history_change_reason == f"Published with return {tenfold.pk} (2013/14 Q1)"
    for url in (dashboard, priority_page, report):
        html = public.get(url).content.decode()
        assert "Quarter one" in html or "violence down" in html, url
        assert "published with the return for this period" not in html
    assert "violence down" in public.get(priority_page).content.decode()


def test_draft_writing_is_not_in_the_exported_report_or_the_api(draft_writing, west_mercia, tmp_path):
    out = tmp_path / "report.html"
    call_command("export_report", "--force", "west-mercia", "--period", "2013-06", "--output", str(out),
                 stdout=io.StringIO())
    assert "Quarter one" not in out.read_text() and "violence down" not in out.read_text()
    api = Client().get("/api/forces/west-mercia/indicators/?period=2013-06").content.decode()
    assert "Quarter one" not in api


def test_published_writing_cannot_go_back_to_draft(west_mercia, analyst, client):
    summary = models.ExecutiveSummary.objects.filter(force=west_mercia, state="published").first() or \
        models.ExecutiveSummary.objects.create(force=west_mercia, month=JUNE, text="Published text")
    response = client.post(f"/admin/indicators/executivesummary/{summary.pk}/change/", {
        "force": west_mercia.pk, "month": summary.month.isoformat(), "text": "Edited", "state": "draft"})
    assert response.status_code == 200 and "cannot go back to being a draft" in response.content.decode()
    summary.refresh_from_db()
    assert summary.state == "published" and summary.text != "Edited"


def test_a_new_draft_summary_from_the_admin_waits_for_the_return(west_mercia, analyst, client):
    models.ExecutiveSummary.objects.filter(force=west_mercia, month=date(2013, 9, 1)).delete()
    response = client.post("/admin/indicators/executivesummary/add/", {
        "force": west_mercia.pk, "month": "2013-09-01", "text": "September draft", "state": "draft"})
    assert response.status_code == 302
    summary = models.ExecutiveSummary.objects.get(force=west_mercia, month=date(2013, 9, 1))
    assert summary.state == "draft" and summary.author == analyst


def test_a_new_figure_and_a_ratio_figure_read_in_words(west_mercia, analyst, client, write):
    held = models.Observation.objects.filter(indicator__force=west_mercia, indicator__aggregation="ratio",
                                             indicator__unit="percent", month=JUNE, numerator__isnull=False,
                                             indicator__decimals=1).order_by("indicator__code")[0]
    ratio = held.indicator
    run(write(f"{HEADER}\nwest-mercia,asb,2013-07,4700,,,provisional,\n"
              f"west-mercia,{ratio.code},2013-06,,{held.numerator + 1:g},{held.denominator:g},final,\n"))
    ret = models.Return.objects.get(state="draft")
    html = client.get(review_url(ret)).content.decode()
    july = re.search(r"<th scope=\"row\">July 2013</th>(.*?)</tr>", html, re.S).group(1)
    assert "New" in july and "<td>none</td>" in july and "4,700 provisional" in july
    new_share = 100 * (held.numerator + 1) / held.denominator
    assert f"{new_share:.1f}% ({held.numerator + 1:,.0f} of {held.denominator:,.0f})" in html
    assert "1 new, 1 changed, 0 unchanged" in html
