"""`selectors.plan_for` loads a plan's areas, priorities and measures (with
their indicators) in one query and caches them exactly as the ORM's
prefetch_related did: same instances, same order, nothing left to query."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Prefetch

from indicators import models, selectors
from tests.factories import make_force, make_indicator

pytestmark = pytest.mark.django_db


def _orm_plan(force: models.Force, period: date | None) -> models.Plan | None:
    """plan_for as it was: the plan query, then three prefetches."""
    return (selectors._plans_in_force(models.Plan.objects.filter(force=force), period)
            .prefetch_related(
                Prefetch("areas", queryset=models.AreaOfFocus.objects.order_by("number")),
                Prefetch("areas__priorities", queryset=models.StrategicPriority.objects.order_by("number")),
                Prefetch("areas__priorities__measures",
                         queryset=models.PriorityIndicator.objects.select_related("indicator").order_by("order")))
            .first())


def _fields(obj) -> tuple:
    return (type(obj).__name__, *((f.attname, getattr(obj, f.attname)) for f in obj._meta.concrete_fields))


def _walk(plan: models.Plan) -> list:
    """Everything a page reads of the plan, through the managers and cached
    relations the views use."""
    out = [_fields(plan), getattr(plan, "in_force", "no annotation")]
    for area in plan.areas.all():
        assert area.plan is plan
        out.append(_fields(area))
        for priority in area.priorities.all():
            assert priority.area is area
            out.append(_fields(priority))
            for measure in priority.measures.all():
                assert measure.priority is priority and measure.priority.area is area
                out += [_fields(measure), _fields(measure.indicator)]
    return out


@pytest.fixture
def force():
    """Two plans (2012 and 2016) and a third force's plan in the way. The
    2016 plan: area 2 created before area 1; area 1's priorities 3 (no
    measures) and 1 (measures created out of order, one a headline with a
    footnote); area 3 with no priorities."""
    force = make_force(slug="west-mercia", name="West Mercia Police")
    other = make_force(slug="essex", name="Essex Police")
    old = models.Plan.objects.create(force=force, title="Old plan", start=date(2012, 4, 1), end=date(2016, 3, 31))
    area = models.AreaOfFocus.objects.create(plan=old, number=1, title="Old area")
    models.StrategicPriority.objects.create(plan=old, area=area, number=1, title="Old priority")
    new = models.Plan.objects.create(force=force, title="New plan", start=date(2016, 4, 1), end=date(2020, 3, 31),
                                     area_label="Aim", assessment="targets")
    a2 = models.AreaOfFocus.objects.create(plan=new, number=2, title="Second")
    a1 = models.AreaOfFocus.objects.create(plan=new, number=1, title="First")
    models.AreaOfFocus.objects.create(plan=new, number=3, title="Empty")
    models.StrategicPriority.objects.create(plan=new, area=a1, number=3, title="No measures")
    p1 = models.StrategicPriority.objects.create(plan=new, area=a1, number=1, title="One")
    p2 = models.StrategicPriority.objects.create(plan=new, area=a2, number=2, title="Two")
    inds = [make_indicator(force, code=f"ind-{n}", name=f"Indicator {n}", msg=n == 1) for n in range(4)]
    models.PriorityIndicator.objects.create(priority=p1, indicator=inds[0], order=3)
    models.PriorityIndicator.objects.create(priority=p1, indicator=inds[1], order=1, headline=True, footnote="Note")
    models.PriorityIndicator.objects.create(priority=p1, indicator=inds[2], order=2)
    models.PriorityIndicator.objects.create(priority=p2, indicator=inds[3], order=1)
    models.PriorityIndicator.objects.create(priority=p2, indicator=inds[0], order=2)
    other_plan = models.Plan.objects.create(force=other, title="Other", start=date(2017, 4, 1), end=date(2021, 3, 31))
    models.AreaOfFocus.objects.create(plan=other_plan, number=1, title="Other area")
    return force


@pytest.mark.parametrize("period", [None, date(2013, 6, 1), date(2018, 6, 1), date(2010, 1, 1)])
def test_plan_for_builds_what_the_prefetches_built_in_one_query(force, period, django_assert_num_queries):
    expected = _walk(_orm_plan(force, period))
    with django_assert_num_queries(1):
        plan = selectors.plan_for(force=force, period=period)
    with django_assert_num_queries(0):
        got = _walk(plan)
    assert got == expected
    title = "Old plan" if period == date(2013, 6, 1) else "New plan"
    assert plan.title == title


def test_the_new_plan_keeps_empty_areas_and_priorities_in_order(force, django_assert_num_queries):
    plan = selectors.plan_for(force=force, period=date(2018, 6, 1))
    with django_assert_num_queries(0):
        areas = [(a.number, [(p.number, [(m.order, m.indicator.code, m.headline, m.footnote)
                                         for m in p.measures.all()]) for p in a.priorities.all()])
                 for a in plan.areas.all()]
    assert areas == [
        (1, [(1, [(1, "ind-1", True, "Note"), (2, "ind-2", False, ""), (3, "ind-0", False, "")]), (3, [])]),
        (2, [(2, [(1, "ind-3", False, ""), (2, "ind-0", False, "")])]),
        (3, []),
    ]
    # The cached querysets are the related managers': a further filter queries the right rows.
    first = plan.areas.all()[0].priorities.all()[0]
    headline = models.Indicator.objects.get(force=force, code="ind-1").id
    with django_assert_num_queries(1):
        assert [m.indicator_id for m in first.measures.filter(headline=True)] == [headline]


def test_a_force_without_plans_and_a_plan_without_areas(django_assert_num_queries):
    force = make_force(slug="nowhere", name="Nowhere Police")
    with django_assert_num_queries(1):
        assert selectors.plan_for(force=force, period=date(2014, 1, 1)) is None
    plan = models.Plan.objects.create(force=force, title="Bare", start=date(2013, 4, 1), end=date(2017, 3, 31))
    with django_assert_num_queries(1):
        got = selectors.plan_for(force=force, period=date(2014, 1, 1))
    with django_assert_num_queries(0):
        assert got == plan and list(got.areas.all()) == [] and got.start == date(2013, 4, 1)
    assert _walk(got) == _walk(_orm_plan(force, date(2014, 1, 1)))
