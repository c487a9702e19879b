"""Pages without the demo: drafts, empty states and the query budget."""

from datetime import date

import pytest

from indicators import models
from tests.factories import make_force, make_indicator, make_observation, make_return

pytestmark = pytest.mark.django_db


def build_plan(n_indicators: int, *, draft_month: bool = False):
    force = make_force()
    plan = models.Plan.objects.create(force=force, title="Test plan", start=date(2013, 4, 1), end=date(2017, 3, 31))
    area = models.AreaOfFocus.objects.create(plan=plan, number=1, title="Area one")
    priority = models.StrategicPriority.objects.create(plan=plan, area=area, number=1, title="Priority one")
    published = make_return(force)
    draft = make_return(force, period="draft", state=models.ReturnState.DRAFT)
    for i in range(n_indicators):
        ind = make_indicator(force, code=f"ind-{i}", name=f"Indicator {i}", msg=(i == 0))
        models.PriorityIndicator.objects.create(priority=priority, indicator=ind, order=i + 1, headline=(i < 2),
                                                footnote="A note" if i == 1 else "")
        models.Target.objects.create(indicator=ind, financial_year="2013/14", kind="change", value=-2)
        for k, month in enumerate([date(2012, 4, 1), date(2012, 5, 1), date(2013, 4, 1), date(2013, 5, 1)]):
            make_observation(ind, month, 100 + k, source_return=published)
        if draft_month:
            make_observation(ind, date(2013, 6, 1), 999, source_return=draft)
    return force


URLS = ["/west-mercia/", "/west-mercia/priorities/1/", "/west-mercia/indicators/ind-1/", "/"]


@pytest.mark.parametrize("url", URLS)
def test_page_queries_do_not_grow_with_the_number_of_indicators(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build_plan(5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    models.Observation.objects.all().delete()
    models.Force.objects.all().delete()
    build_plan(60)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), f"{url}: {len(small)} queries with 5 indicators, {len(large)} with 60"
    assert len(small) <= 17


def test_drafts_are_hidden_from_the_public(client):
    build_plan(2, draft_month=True)
    html = client.get("/west-mercia/").content.decode()
    assert "2013/14 to the end of May 2013" in html and "Draft" not in html
    assert client.get("/west-mercia/?period=2013-06").content.decode().count("999") == 0


def test_drafts_show_to_analysts_with_a_banner(client, django_user_model):
    build_plan(2, draft_month=True)
    client.force_login(django_user_model.objects.create_superuser("analyst", "a@example.org", "pw"))
    html = client.get("/west-mercia/").content.decode()
    assert "to the end of June 2013" in html
    assert 'class="banner banner-draft"' in html and "2 unpublished values" in html


def test_force_without_a_plan_or_data_says_so(client):
    make_force()
    assert "No Police and Crime Plan has been loaded" in client.get("/west-mercia/").content.decode()


def test_plan_without_published_figures_says_so(client):
    force = make_force()
    models.Plan.objects.create(force=force, title="Empty plan", start=date(2013, 4, 1), end=date(2017, 3, 31))
    assert "has no published figures yet" in client.get("/west-mercia/").content.decode()


def test_public_pages_are_cached_until_the_data_changes(client, django_assert_num_queries):
    force = build_plan(2)
    first = client.get("/west-mercia/").content
    with django_assert_num_queries(1):          # the data version only
        assert client.get("/west-mercia/").content == first
    ind = models.Indicator.objects.get(code="ind-0")
    models.Observation.objects.filter(indicator=ind, month=date(2013, 5, 1)).update(value=1)   # no signal...
    assert client.get("/west-mercia/").content == first                                          # ...still cached
    make_observation(ind, date(2013, 6, 1), 7, source_return=make_return(force))               # a save bumps it
    assert b'value="2013-06"' in client.get("/west-mercia/").content              # June is now offered


def test_analysts_pages_are_never_cached(client, django_user_model):
    build_plan(2)
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.org", "pw"))
    client.get("/west-mercia/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as queries:
        client.get("/west-mercia/")
    assert len(queries) > 5
