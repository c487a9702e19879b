"""The API without the demo: drafts and the query budget."""

from datetime import date

import pytest

from indicators import models
from tests.factories import make_force, make_indicator, make_observation, make_return

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    return response.status_code, response.json()


def _draft_setup():
    force = make_force()
    ind = make_indicator(force)
    published = make_return(force)
    draft = make_return(force, period="2013/14 Q2", state=models.ReturnState.DRAFT)
    for i, value in enumerate([500, 510, 520]):
        make_observation(ind, date(2013, 4 + i, 1), value, source_return=published)
    make_observation(ind, date(2013, 7, 1), 999, source_return=draft)
    return force


def test_drafts_are_hidden_from_anonymous_readers(client):
    _draft_setup()
    data = get(client, "/api/forces/west-mercia/indicators/vwi/")[1]
    assert data["period"] == "2013-06" and data["ytd"] == 1530
    data = get(client, "/api/forces/west-mercia/indicators/vwi/?period=2013-07")[1]
    assert data["ytd"] is None and data["ytd_reason"] == "July 2013 not yet available"
    text = client.get("/api/forces/west-mercia/observations.csv").content.decode()
    assert "999" not in text and "2013-07" not in text


def test_drafts_are_shown_to_users_allowed_to_see_them(client, django_user_model):
    _draft_setup()
    client.force_login(django_user_model.objects.create_superuser("analyst", "a@example.org", "pw"))
    data = get(client, "/api/forces/west-mercia/indicators/vwi/?period=2013-07")[1]
    assert data["ytd"] == 2529
    assert "west-mercia,vwi,2013-07,999,,,final," in client.get("/api/forces/west-mercia/observations.csv").content.decode()


def test_api_queries_do_not_grow_with_the_number_of_indicators(client, django_assert_num_queries):
    force = make_force()
    published = make_return(force)

    def add(n):
        for i in range(n):
            ind = make_indicator(force, code=f"ind-{models.Indicator.objects.count()}")
            for month in (4, 5, 6):
                make_observation(ind, date(2013, month, 1), 10 + i, source_return=published)

    add(1)
    # data version (page cache), force, default period (one query, headline
    # or not: there is no plan), indicators, observations, targets with
    # assessments (one query), populations
    with django_assert_num_queries(7):
        assert len(client.get("/api/forces/west-mercia/indicators/").json()["indicators"]) == 1
    add(9)
    with django_assert_num_queries(7):
        assert len(client.get("/api/forces/west-mercia/indicators/").json()["indicators"]) == 10
