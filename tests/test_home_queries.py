"""The home page's queries do not grow with the number of plans (issue 13)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import models
from tests.factories import make_force, make_indicator, make_observation

pytestmark = pytest.mark.django_db


def add_forces(first: int, last: int):
    for n in range(first, last):
        force = make_force(slug=f"force-{n:02d}", name=f"Force {n:02d}")
        plan = models.Plan.objects.create(force=force, title=f"Plan {n}", start=date(2013, 4, 1), end=date(2017, 3, 31))
        area = models.AreaOfFocus.objects.create(plan=plan, number=1, title="Area")
        priority = models.StrategicPriority.objects.create(plan=plan, area=area, number=1, title="Priority")
        for i in range(2):
            ind = make_indicator(force, code=f"ind-{i}", name=f"Indicator {i}", msg=(i == 0))
            models.PriorityIndicator.objects.create(priority=priority, indicator=ind, order=i + 1, headline=True)
            models.Target.objects.create(indicator=ind, financial_year="2013/14", kind="change", value=-2)
            for k, month in enumerate([date(2012, 4, 1), date(2013, 4, 1)]):
                make_observation(ind, month, 100 - 10 * k * (n % 2))


def home_queries(client) -> list[str]:
    from django.core.cache import caches

    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert "Headline measures to April 2013" in html
    return [q["sql"] for q in queries.captured_queries]


def test_home_queries_are_the_same_for_3_plans_and_44(client):
    # data version (page cache key); plans; headline measures; latest month per indicator;
    # headline indicators;
    # peers' indicators; peer lists; observations; the targets with the assessments (one query); populations.
    add_forces(0, 3)
    three = home_queries(client)
    add_forces(3, 44)
    forty_four = home_queries(client)
    assert len(three) == len(forty_four) == 10, "\n\n".join(forty_four)


def test_home_rag_counts_per_force(client):
    add_forces(0, 2)
    html = client.get("/").content.decode()
    # force-00: no change on last year against a 2% cut -> amber/red; force-01: 10% down -> green
    assert html.count('aria-label="Headline ratings for Force 0') == 2
