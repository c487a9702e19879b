"""Queries compiled once per process (indicators/sql/compiled.py): the rows a
`Compiled` query gives are the rows its queryset gives, converted as Django
converts them (SQLite's dates and booleans), for every argument; and the
selectors built on it (the force by its slug, the default period, the
executive summary) answer as their querysets did."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import selectors
from indicators.models import ExecutiveSummary, Force, Indicator, Observation, WritingState
from indicators.sql.compiled import Compiled

pytestmark = pytest.mark.django_db


def test_rows_equal_the_querysets_for_every_force_with_dates_converted(demo):
    compiled = Compiled(lambda force_id: selectors._default_period_query(force_id, False)
                        .values_list("is_headline", "last"), ("int",))
    forces = list(Force.objects.all())
    assert len(forces) >= 3
    for force in forces:
        expected = list(selectors._default_period_query(force.pk, False).values_list("is_headline", "last"))
        rows = compiled.rows(force.pk)
        assert rows == expected and len(rows) == Indicator.objects.filter(force=force).count()
        assert all(isinstance(last, date) for _, last in rows if last is not None)
        assert all(isinstance(flag, bool) for flag, _ in rows)
    assert any(last is not None for force in forces for _, last in compiled.rows(force.pk))


def test_arguments_of_each_kind_are_bound_per_call(demo):
    observation = Observation.objects.filter(area__isnull=True).order_by("pk").first()
    compiled = Compiled(lambda indicator_id, month, status: Observation.objects.filter(
        indicator_id=indicator_id, month=month, status=status, area__isnull=True).order_by("pk")
        .values_list("value", "month"), ("int", "date", "str"))
    assert compiled.rows(observation.indicator_id, observation.month, observation.status) == [
        (observation.value, observation.month)]
    assert compiled.rows(observation.indicator_id, date(1990, 1, 1), observation.status) == []
    assert compiled.rows(observation.indicator_id, observation.month, "no such status") == []


def test_an_argument_that_shapes_the_query_is_refused():
    limited = Compiled(lambda n: Force.objects.order_by("pk").values_list("slug")[:n], ("int",))
    with pytest.raises((ValueError, AssertionError)):
        limited.rows(2)


def test_force_by_slug_is_the_model_with_its_local_areas_flag(demo):
    for force in Force.objects.all():
        found = selectors.force_by_slug(slug=force.slug)
        assert isinstance(found, Force) and found.pk == force.pk
        assert [getattr(found, f.attname) for f in Force._meta.concrete_fields] == [
            getattr(force, f.attname) for f in Force._meta.concrete_fields]
        assert found.has_local_areas == force.local_areas.exists()
    assert {f.slug for f in Force.objects.all() if selectors.force_by_slug(slug=f.slug).has_local_areas} == {"essex"}
    assert selectors.force_by_slug(slug="no-such-force") is None
    with CaptureQueriesContext(connection) as queries:
        essex = selectors.force_by_slug(slug="essex")
    assert len(queries) == 1
    assert essex.msg_peers.count() == Force.objects.get(slug="essex").msg_peers.count() > 0   # a real model instance


def test_executive_summary_published_and_draft(demo):
    force = Force.objects.get(slug="west-mercia")
    month = date(2013, 6, 1)
    ExecutiveSummary.objects.filter(force=force, month=month).delete()
    assert selectors.executive_summary(force=force, month=month) == ""
    summary = ExecutiveSummary.objects.create(force=force, month=month, text="Draft **words**",
                                              state=WritingState.DRAFT)
    assert selectors.executive_summary(force=force, month=month) == ""
    assert "Draft **words**" in selectors.executive_summary(force=force, month=month, include_drafts=True)
    summary.state = WritingState.PUBLISHED
    summary.save()
    assert selectors.executive_summary(force=force, month=month) == "Draft **words**"
