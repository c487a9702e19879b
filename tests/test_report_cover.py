"""The panel pack's cover report (issue 29, item 1): the committee front sheet
filled from the panel meeting (reference, author, contact, recommendation,
edited in the admin with history), the purpose and background written from
the plan and the period, the executive summary and the PCC's key activity
for the period. The PDFs of every demo pack are checked in
test_report_pagination.py; these read the HTML."""

import re
from datetime import date

import pytest

from indicators import models
from jobs.models import Job
from reports.report import build_report
from tests.factories import make_user
from tests.test_public_words import reader_text

pytestmark = pytest.mark.django_db
JUNE = date(2013, 6, 1)


def cover(html: str) -> str:
    """The pack's text up to the end of its cover report (its contents list)."""
    return reader_text(html[:html.index('<div id="what-needs-attention">')])


def test_west_mercias_cover_is_seed_003s_front_sheet(west_mercia):
    text = cover(build_report(force=west_mercia, period=JUNE))
    assert "West Mercia Police: Police and Crime Panel Agenda item 8" in text
    assert "Police and Crime Plan for West Mercia 2013-2017: performance report" in text
    assert "Report of The Police and Crime Commissioner for West Mercia" in text
    assert ("1. Purpose of the report This report gives the Panel the performance of the Police and Crime Plan for "
            "West Mercia 2013-2017 from April 2013 to June 2013 (2013/14, to the end of 2013/14 Q1): every measure "
            "in the plan") in text
    assert ("2. Background The Police and Crime Plan for West Mercia 2013-2017 runs from 1 April 2013 to 31 March "
            "2017. It sets 4 aims, 11 priorities and the measures by which the Panel follows them; it has 49 "
            "measures under 11 priorities. It judges each measure's year to date against its target.") in text
    # Part 2's summary and Part 3's key activity, as published; then the recommendation and the contents
    order = ["3. Executive summary", "Headline measures. To the end of June the measures",
             "4. PCC key activity", "Decisions. The PCC has made 2 decisions requiring notices",
             "Regional collaboration: Surveillance",
             "5. Recommendation Members of the Panel are invited to consider the report.",
             "6. Contents and appendices", "Appendix A: definitions and sources",
             "Appendix B: future reporting schedule"]
    where = [text.index(words) for words in order]
    assert where == sorted(where)


def test_a_period_with_no_meeting_gets_the_default_author_and_recommendation(west_mercia):
    text = cover(build_report(force=west_mercia, period=date(2013, 5, 1)))
    assert "Report of The Police and Crime Commissioner" in text
    # May is not the end of its quarter: the pack says so
    assert "April 2013 to May 2013 (2013/14, data into 2013/14 Q1)" in text
    assert "from April 2013 to May 2013 (2013/14, into 2013/14 Q1)" in text
    assert "Recommendation The Panel is invited to note the report and to comment on the performance it shows." in text
    assert "Reference" not in text and "Enquiries to" not in text and "Panel meeting" not in text
    # no writing for May: its sections are not numbered in
    assert "Executive summary" not in text and "key activity" not in text
    assert "3. Recommendation" in text and "4. Contents and appendices" in text


def test_theme_and_exceptions_covers_say_what_the_pack_holds(west_mercia):
    theme = cover(build_report(force=west_mercia, period=JUNE, mode="theme", theme=2))
    assert ("the measures of one part of the plan, with their ratings, charts and commentary: aim 2, "
            "Reduce crime and disorder.") in theme
    assert re.search(r"this part of the plan has \d+ measures under \d+ priorities", theme)
    exceptions = cover(build_report(force=west_mercia, period=JUNE, mode="exceptions"))
    assert "only the measures that need attention (whose rating, RAG, SPC or significance is bad)" in exceptions


def test_a_theme_pack_counts_its_own_figures_not_the_whole_forces(west_mercia):
    full = reader_text(build_report(force=west_mercia, period=JUNE))
    theme = reader_text(build_report(force=west_mercia, period=JUNE, mode="theme", theme=2))
    whole = re.search(r"Published; (\d+) of (\d+) figures illustrative", full).groups()
    part = re.search(r"Published; (\d+) of (\d+) figures illustrative", theme).groups()
    assert int(part[1]) < int(whole[1])
    assert 0 < int(part[0]) <= int(part[1])


def test_an_analyst_edits_the_front_sheet_in_the_admin_with_history_and_the_packs_are_made_again(
        client, west_mercia, django_capture_on_commit_callbacks):
    meeting = models.PanelMeeting.objects.get(force=west_mercia)
    client.force_login(make_user("ana", role="analyst", forces=[west_mercia]))
    form = client.get(f"/admin/indicators/panelmeeting/{meeting.pk}/change/").content.decode()
    assert "The paper&#x27;s front sheet" in form and 'name="recommendation"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/indicators/panelmeeting/{meeting.pk}/change/", {
            "force": west_mercia.pk, "date": "2013-09-17", "period": "2013-06-01", "mode": "full", "theme": "",
            "notes": meeting.notes, "reference": "WMPCP/8/13", "author": meeting.author,
            "contact": "Chief Executive, OPCC: 01905 331656",
            "recommendation": "The Panel is asked to **note** the report.", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    text = cover(build_report(force=west_mercia, period=JUNE))
    assert "Reference WMPCP/8/13" in text and "Enquiries to Chief Executive, OPCC: 01905 331656" in text
    assert "Recommendation The Panel is asked to note the report." in text
    assert meeting.history.count() == 2 and meeting.history.first().reference == "WMPCP/8/13"
    # the pack for the meeting's period is made again, before anyone asks
    assert Job.objects.filter(kind="pack", params__force=west_mercia.pk, params__period="2013-06-01").exists()
    # a panel member reads the meeting and may not change it
    client.force_login(make_user("pat", role="panel", forces=[west_mercia]))
    response = client.post(f"/admin/indicators/panelmeeting/{meeting.pk}/change/",
                           {"force": west_mercia.pk, "date": "2013-09-17", "period": "2013-06-01", "mode": "full",
                            "reference": "changed"})
    assert response.status_code == 403
    assert models.PanelMeeting.objects.get(pk=meeting.pk).reference == "WMPCP/8/13"


def test_key_activity_is_written_with_the_executive_summary_and_a_draft_stays_private(client, west_mercia):
    models.ExecutiveSummary.objects.filter(force=west_mercia).delete()
    client.force_login(make_user("ana", role="analyst", forces=[west_mercia]))
    empty = client.post("/admin/indicators/executivesummary/add/",
                        {"force": west_mercia.pk, "month": "2013-06", "text": " ", "key_activity": "",
                         "state": "draft"})
    assert "Write the executive summary, the PCC key activity, or both." in empty.content.decode()
    # (the demo's Welsh force has a summary of its own: issue 31)
    assert not models.ExecutiveSummary.objects.filter(force=west_mercia).exists()
    response = client.post("/admin/indicators/executivesummary/add/",
                           {"force": west_mercia.pk, "month": "2013-06", "text": "",
                            "key_activity": "The PCC opened the **new** custody suite.", "state": "draft"})
    assert response.status_code == 302
    # the public pack does not have a draft; an analyst's pack with drafts has it, marked as a draft
    assert "custody suite" not in build_report(force=west_mercia, period=JUNE)
    drafts = cover(build_report(force=west_mercia, period=JUNE, drafts=True))
    assert "3. PCC key activity" in drafts and "The PCC opened the new custody suite." in drafts
    assert "Draft" in drafts[drafts.index("3. PCC key activity"):] and "Executive summary" not in drafts
    models.ExecutiveSummary.objects.update(state=models.WritingState.PUBLISHED)
    assert "The PCC opened the new custody suite." in cover(build_report(force=west_mercia, period=JUNE))
    # the dashboard opens with the executive summary only: none is written, so none is shown
    assert "executive-summary-heading" not in client.get("/west-mercia/?period=2013-06").content.decode()


def test_the_meeting_form_takes_a_month_and_says_what_a_theme_needs(client, west_mercia):
    """A meeting's period written as a month is stored as its first day (a
    mid-month date would match no report, and the pack would lose its front
    sheet); theme and mode must agree, in words that say how to put it right."""
    meeting = models.PanelMeeting.objects.get(force=west_mercia)
    client.force_login(make_user("ana", role="analyst", forces=[west_mercia]))
    url = f"/admin/indicators/panelmeeting/{meeting.pk}/change/"
    fields = {"force": west_mercia.pk, "date": "2013-09-17", "notes": "", "reference": "Item 8",
              "author": meeting.author, "contact": "", "recommendation": meeting.recommendation, "_save": "Save"}
    page = client.post(url, {**fields, "period": "June 2013", "mode": "theme", "theme": ""}).content.decode()
    assert "A meeting in theme mode reports on one area of focus" in page
    page = client.post(url, {**fields, "period": "June 2013", "mode": "full", "theme": "2"}).content.decode()
    assert "Only a meeting in theme mode takes a theme" in page
    page = client.post(url, {**fields, "period": "the summer", "mode": "full", "theme": ""}).content.decode()
    assert "is not a month: write it as June 2014 or 2014-06." in page
    assert models.PanelMeeting.objects.get(pk=meeting.pk).reference == "Agenda item 8"     # nothing changed
    response = client.post(url, {**fields, "period": "2013-06-20", "mode": "full", "theme": ""})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.period, meeting.reference) == (JUNE, "Item 8")
    assert "Item 8" in cover(build_report(force=west_mercia, period=JUNE))
