"""Commentary and the executive summary from a return (issue 28 item 7):
links to write them for the return's quarter, with force, priority and
month filled in; the month written as a month ("June 2014" or "2014-06"),
not a date; a new one offered as a draft."""

import io
from datetime import date

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from indicators import models
from indicators.admin import parse_month_words
from tests.factories import make_user

pytestmark = pytest.mark.django_db
IMPORT = "/admin/indicators/return/import/"


@pytest.fixture
def analyst(west_mercia, client):
    user = make_user("ana", role="analyst", forces=[west_mercia])
    client.force_login(user)
    return user


@pytest.fixture
def ret(analyst, client):
    """A draft return for West Mercia's 2013/14 Q2, imported from a file."""
    file = io.BytesIO(b"force,indicator,month,value,numerator,denominator,status,note\n"
                      b"west-mercia,asb,2013-07,4512,,,,\n")
    file.name = "q2.csv"
    html = client.post(IMPORT, {"file": file}).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    client.post(IMPORT, {"token": token, "confirm": "1"})
    return models.Return.objects.get(state="draft")


def first_priority(force):
    """Priority 1 of the plan in force in September 2013."""
    from indicators import selectors

    plan = selectors.plan_for(force=force, period=date(2013, 9, 1), with_measures=False)
    return plan.priorities.order_by("number").first()


def render(user, ret) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load pccperf_admin %}{% write_links ret %}").render(Context({"request": request, "ret": ret}))


@pytest.mark.parametrize("text", ["June 2014", "june 2014", "Jun 2014", "2014-06", "2014-06-20",
                                  " June, 2014 "])
def test_a_month_is_read_as_a_month(text):
    assert parse_month_words(text) == date(2014, 6, 1)


@pytest.mark.parametrize("text", ["Juno 2014", "2014-13", "14/06", "June"])
def test_what_is_not_a_month_is_refused(text):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_month_words(text)


def test_the_links_fill_in_force_priority_and_the_quarters_month(analyst, ret, west_mercia):
    html = render(analyst, ret)
    assert "Write commentary / executive summary for this quarter (September 2013)" in html
    assert (f'href="/admin/indicators/executivesummary/add/?force={west_mercia.pk}&amp;month=2013-09"'
            in html)
    priority = first_priority(west_mercia)
    assert (f'href="/admin/indicators/commentary/add/?force={west_mercia.pk}&amp;month=2013-09&amp;'
            f'priority={priority.pk}"') in html
    assert f"Write the commentary<span class=\"visually-hidden\"> for September 2013</span>: Priority " \
           f"{priority.number}: {priority.title}" in html
    priorities = models.StrategicPriority.objects.filter(plan=priority.plan).count()
    assert html.count("<li>") == 1 + priorities


def test_the_add_page_opens_filled_in_and_as_a_draft(analyst, ret, west_mercia, client):
    priority = first_priority(west_mercia)
    html = client.get(f"/admin/indicators/commentary/add/?force={west_mercia.pk}&priority={priority.pk}"
                      "&month=2013-09").content.decode()
    assert 'name="month" value="September 2013"' in html
    assert f'<option value="{priority.pk}" selected>' in html
    assert f'<option value="{west_mercia.pk}" selected>' in html
    assert '<option value="draft" selected>' in html
    response = client.post(f"/admin/indicators/commentary/add/?force={west_mercia.pk}", {
        "force": west_mercia.pk, "priority": priority.pk, "indicator": "", "month": "September 2013",
        "text": "Anti-social behaviour *fell*.", "state": "draft"})
    assert response.status_code == 302
    commentary = models.Commentary.objects.get(priority=priority, month=date(2013, 9, 1))
    assert commentary.state == "draft" and commentary.author == analyst
    html = render(analyst, ret)           # written: the link edits it
    assert f'href="/admin/indicators/commentary/{commentary.pk}/change/"' in html and "(draft)" in html
    page = client.get(f"/admin/indicators/commentary/{commentary.pk}/change/").content.decode()
    assert 'name="month" value="September 2013"' in page


def test_a_summary_month_as_words_and_a_bad_month_named(analyst, west_mercia, client):
    models.ExecutiveSummary.objects.filter(force=west_mercia, month=date(2013, 9, 1)).delete()
    response = client.post("/admin/indicators/executivesummary/add/",
                           {"force": west_mercia.pk, "month": "Sept 2013", "text": "x", "state": "draft"})
    assert response.status_code == 302
    assert models.ExecutiveSummary.objects.get(force=west_mercia, month=date(2013, 9, 1)).state == "draft"
    html = client.post("/admin/indicators/executivesummary/add/",
                       {"force": west_mercia.pk, "month": "2013-13", "text": "x", "state": "draft"}).content.decode()
    assert "&#x27;2013-13&#x27; is not a month: write it as June 2014 or 2014-06." in html


def test_a_panel_member_gets_no_links(west_mercia, ret):
    assert "write-links" not in render(make_user("pat", role="panel", forces=[west_mercia]), ret)
