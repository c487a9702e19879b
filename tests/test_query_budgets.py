"""Every page's and API's query budget (issue 13, STYLE.md §7).

Each page type has one exact number of queries, the same for a small world
(1 force with 1 plan of 5 indicators) and a big one (44 forces with a plan
each; the force looked at has 60 indicators over 4 areas of focus and 12
priorities, with MSG peers). The queries themselves are listed in each
view's docstring (reports/views.py, reports/api.py). A failing budget prints
the SQL, one line per query.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import models
from indicators.periods import add_months
from tests.factories import make_force, make_return, make_user

pytestmark = pytest.mark.django_db

FIRST = date(2012, 4, 1)
LAST = date(2013, 6, 1)                   # latest published month
DRAFT = date(2013, 7, 1)                  # a month only a draft return holds


def _months():
    month = FIRST
    while month <= LAST:
        yield month
        month = add_months(month, 1)


def _add_indicators(main: models.Force, priorities, first: int, last: int) -> None:
    """Indicators ind-<first>..ind-<last - 1> of ``main`` spread over
    ``priorities``: every fifth an MSG measure, every fourth a headline one,
    every third with a footnote; two years' targets, published figures
    from April 2012 to June 2013, and a draft return's line for July 2013."""
    published = models.Return.objects.get(force=main, state=models.ReturnState.PUBLISHED)
    draft = models.Return.objects.get(force=main, state=models.ReturnState.DRAFT)
    start = models.PriorityIndicator.objects.filter(priority__plan__force=main).count()
    inds = models.Indicator.objects.bulk_create([
        models.Indicator(force=main, code=f"ind-{i:02d}", name=f"Indicator {i}", unit="count", aggregation="sum",
                         polarity="down", msg=(i % 5 == 0)) for i in range(first, last)])
    models.PriorityIndicator.objects.bulk_create([
        models.PriorityIndicator(priority=priorities[n % len(priorities)], indicator=ind, order=start + n + 1,
                                 headline=(i % 4 == 0), footnote="Recorded crime" if i % 3 == 0 else "")
        for n, (i, ind) in enumerate(zip(range(first, last), inds, strict=True))])
    models.Target.objects.bulk_create([
        models.Target(indicator=ind, financial_year=fy, kind="change", value=-2, tolerance=5)
        for ind in inds for fy in ("2012/13", "2013/14")])
    models.Observation.objects.bulk_create([
        models.Observation(indicator=ind, month=m, value=100 + i + k, source_return=published)
        for i, ind in zip(range(first, last), inds, strict=True) for k, m in enumerate(_months())])
    models.ReturnLine.objects.bulk_create([
        models.ReturnLine(source_return=draft, indicator=ind, month=DRAFT, value=90) for ind in inds])


def _add_priorities(plan: models.Plan, areas: range, per_area: int) -> list[models.StrategicPriority]:
    out = []
    for a in areas:
        area = models.AreaOfFocus.objects.create(plan=plan, number=a, title=f"Area {a}")
        for _ in range(per_area):
            number = models.StrategicPriority.objects.filter(plan=plan).count() + 1
            out.append(models.StrategicPriority.objects.create(plan=plan, area=area, number=number,
                                                               title=f"Priority {number}"))
            models.Commentary.objects.create(force=plan.force, priority=out[-1], month=LAST, text="**Improving**")
    return out


def _add_forces(main: models.Force, first: int, last: int, *, peers: bool, plans: bool) -> None:
    """Forces force-<first>..force-<last - 1>: MSG peers of ``main``
    reporting its MSG measures (published to July 2013), or bystanders with
    two measures of their own; with a one-priority plan each if ``plans``."""
    msg_codes = list(models.Indicator.objects.filter(force=main, msg=True).values_list("code", flat=True))
    for n in range(first, last):
        force = make_force(slug=f"force-{n:02d}", name=f"Force {n:02d}")
        models.ForcePopulation.objects.bulk_create(
            [models.ForcePopulation(force=force, year=y, population=900_000 + n) for y in (2012, 2013)])
        if peers:
            main.msg_peers.add(force)
        inds = models.Indicator.objects.bulk_create([
            models.Indicator(force=force, code=code, name=code, unit="count", aggregation="sum", polarity="down",
                             msg=peers) for code in (msg_codes if peers else ["own-1", "own-2"])])
        models.Observation.objects.bulk_create([
            models.Observation(indicator=ind, month=m, value=200 + k) for ind in inds
            for k, m in enumerate([*_months(), DRAFT])])
        if plans:
            _add_plan(force, inds)


def _add_plan(force: models.Force, inds) -> None:
    plan = models.Plan.objects.create(force=force, title=f"Plan {force.slug}", start=date(2013, 4, 1),
                                      end=date(2017, 3, 31))
    priority = _add_priorities(plan, range(1, 2), 1)[0]
    models.PriorityIndicator.objects.bulk_create([
        models.PriorityIndicator(priority=priority, indicator=ind, order=i + 1, headline=True)
        for i, ind in enumerate(inds)])


def _add_local_areas(main: models.Force, first: int, last: int) -> None:
    """Local areas area-<first>..area-<last - 1> of ``main`` (every other one
    with a population), each with published figures for every count
    measure of ``main`` and a draft line for July 2013; the plan's first
    priority chosen by each."""
    published = models.Return.objects.get(force=main, state=models.ReturnState.PUBLISHED)
    draft = models.Return.objects.get(force=main, state=models.ReturnState.DRAFT)
    areas = models.LocalArea.objects.bulk_create([
        models.LocalArea(force=main, code=f"area-{n:02d}", name=f"Area {n:02d}") for n in range(first, last)])
    models.LocalAreaPopulation.objects.bulk_create([
        models.LocalAreaPopulation(area=area, year=2012, population=90_000 + n)
        for n, area in enumerate(areas) if n % 2 == 0])
    inds = list(models.Indicator.objects.filter(force=main))
    models.Observation.objects.bulk_create([
        models.Observation(indicator=ind, area=area, month=m, value=10 + k % 4, source_return=published)
        for ind in inds for area in areas for k, m in enumerate(_months())])
    models.ReturnLine.objects.bulk_create([
        models.ReturnLine(source_return=draft, indicator=ind, area=area, month=DRAFT, value=9)
        for ind in inds for area in areas])
    priority = models.StrategicPriority.objects.filter(plan__force=main).order_by("number").first()
    priority.local_areas.add(*areas)


def small_world() -> models.Force:
    """One plan: West Mercia's, 5 indicators (ind-00 an MSG measure) in one
    area of two priorities, with targets, a year and a quarter of published
    figures, a draft return, an assessment, a revised figure, commentary and
    panel meetings; and one MSG peer without a plan of its own."""
    main = make_force(slug="west-mercia", name="West Mercia Police")
    models.ForcePopulation.objects.bulk_create(
        [models.ForcePopulation(force=main, year=y, population=1_180_000 + y) for y in (2012, 2013)])
    make_return(main)
    make_return(main, period="2013/14 Q2", state=models.ReturnState.DRAFT)
    plan = models.Plan.objects.create(force=main, title="Police and Crime Plan", start=date(2013, 4, 1),
                                      end=date(2017, 3, 31))
    _add_indicators(main, _add_priorities(plan, range(1, 2), 2), 0, 5)
    first = models.Indicator.objects.get(force=main, code="ind-00")
    models.Assessment.objects.create(indicator=first, month=LAST, rag="green", reason="On track")
    revised = models.Observation.objects.get(indicator=first, month=LAST)
    revised.value = 150
    revised.save()
    models.Commentary.objects.create(force=main, indicator=first, month=LAST, text="Seasonal rise")
    models.PanelMeeting.objects.create(force=main, date=date(2013, 7, 20), period=LAST)
    models.PanelMeeting.objects.create(force=main, date=date(2013, 10, 20), period=date(2013, 9, 1))
    _add_forces(main, 1, 2, peers=True, plans=False)
    _add_local_areas(main, 1, 3)
    return main


def grow_world(main: models.Force) -> None:
    """To 44 forces with a plan each: West Mercia's plan grows to 60
    indicators over 4 areas and 11 priorities; 7 MSG peers."""
    plan = models.Plan.objects.get(force=main)
    _add_indicators(main, _add_priorities(plan, range(2, 5), 3), 5, 60)
    peer = models.Force.objects.get(slug="force-01")
    _add_plan(peer, list(peer.indicators.all()))
    _add_forces(main, 2, 8, peers=True, plans=True)
    _add_forces(main, 8, 44, peers=False, plans=True)
    models.Observation.objects.filter(area__isnull=False).delete()
    models.ReturnLine.objects.filter(area__isnull=False).delete()
    _add_local_areas(main, 3, 17)       # 16 areas with figures for all 60 measures


PAGES = {   # page: (url, text the page must show, so a budget is never met by an empty page)
    "home": ("/", "West Mercia Police"),
    "dashboard": ("/west-mercia/", "Indicator 4"),
    "priority": ("/west-mercia/priorities/1/", "Indicator 2"),
    "indicator": ("/west-mercia/indicators/ind-00/", "Force 01"),          # the MSG peers' names
    "report": ("/west-mercia/report/", "Indicator 4"),
    "report download": ("/west-mercia/report/?download=1", "Indicator 4"),
    "API list": ("/api/forces/west-mercia/indicators/", '"ind-04"'),
    "API detail": ("/api/forces/west-mercia/indicators/ind-00/", '"force-01"'),
    "observations CSV": ("/api/forces/west-mercia/observations.csv", "west-mercia,ind-04,2013-06"),
    "local areas": ("/west-mercia/areas/", "Area 02"),
    "local area": ("/west-mercia/areas/area-01/", "Indicator 4 in Area 01"),
    "API areas": ("/api/forces/west-mercia/indicators/ind-04/areas/", '"area-02"'),
}

# The exact budgets; each view's docstring lists its queries. Signed in as
# the force's analyst (who sees drafts) adds the session and user, the
# user's groups and forces, and the lines of unpublished returns.
BUDGETS = {   # the engine's pages: the MSG peer list and the populations in one query;
              # the dashboard and report: the plan with its areas, priorities and measures in one;
              # the targets and assessments in one; the MSG peers' indicators, peer list and
              # populations in one
    # page: (anonymous, analyst)
    "home": (10, 14),          # the draft lines' latest months ride in the default periods' query
    "dashboard": (9, 13),     # + the executive summary; the figures' state counted from the engine's rows
    "priority": (12, 17),
    "indicator": (12, 17),
    "report": (9, 14),        # + the executive summary; the figures' state as on the dashboard
    "report download": (12, 16),  # + the stored HTML pack (issue 27): the data version and the lookup
    "API list": (7, 11),
    "API detail": (7, 11),
    "observations CSV": (3, 7),
    "local areas": (12, 18),   # issue 18: + the plan's priorities for the matrix
    "local area": (13, 19),    # + the area
    "API areas": (9, 14),
}


def captured(client, url: str, text: str) -> list[str]:
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    assert text in response.content.decode(), (url, text)
    return [q["sql"] for q in queries.captured_queries]


def listing(queries: list[str]) -> str:
    return "\n".join(f"{n:>3}. {sql}" for n, sql in enumerate(queries, 1))


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
@pytest.mark.parametrize("page", list(PAGES))
def test_query_budget_is_the_same_for_1_plan_and_44(client, page, who):
    main = small_world()
    if who == "analyst":
        client.force_login(make_user("ana", role="analyst", forces=[main]))
    url, text = PAGES[page]
    small = captured(client, url, text)
    grow_world(main)
    assert models.Plan.objects.count() == 44 and main.indicators.count() == 60
    big = captured(client, url, text)
    budget = BUDGETS[page][0 if who == "anonymous" else 1]
    assert len(small) == len(big) == budget, (
        f"{page} as {who}: expected {budget} queries, got {len(small)} for 1 plan of 5 indicators "
        f"and {len(big)} for 44 plans (60 indicators)\n--- 1 plan:\n{listing(small)}\n--- 44 plans:\n{listing(big)}")
