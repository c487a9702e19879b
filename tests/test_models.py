"""Database constraints for what must always hold (SPEC §1)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from indicators import models
from tests.factories import make_force, make_indicator, make_observation

pytestmark = pytest.mark.django_db


def _violates(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_indicator_identity_is_force_and_code(force):
    make_indicator(force, code="vwi")
    _violates(lambda: make_indicator(force, code="vwi"))
    other = make_force(slug="essex", name="Essex Police")
    assert make_indicator(other, code="vwi").force == other


def test_one_observation_per_indicator_and_month(indicator):
    make_observation(indicator, date(2013, 4, 1), 512)
    _violates(lambda: make_observation(indicator, date(2013, 4, 1), 498))


def test_observation_status_must_be_from_the_list(indicator):
    _violates(lambda: make_observation(indicator, date(2013, 4, 1), 1, status="estimated"))


def test_denominator_must_be_positive(indicator):
    _violates(lambda: make_observation(indicator, date(2013, 4, 1), None, numerator=0, denominator=0))
    _violates(lambda: make_observation(indicator, date(2013, 5, 1), None, numerator=1, denominator=-5))


def test_numerator_cannot_exceed_denominator(indicator):
    _violates(lambda: make_observation(indicator, date(2013, 4, 1), None, numerator=6, denominator=5))
    assert make_observation(indicator, date(2013, 5, 1), 100.0, numerator=5, denominator=5).pk


def test_unavailable_needs_a_note(indicator):
    _violates(lambda: make_observation(indicator, date(2013, 4, 1), None, status="unavailable"))
    ok = make_observation(indicator, date(2013, 5, 1), None, status="unavailable", note="System migration")
    assert ok.status == "unavailable"


def test_indicator_choices_are_enforced_by_the_database(force):
    _violates(lambda: make_indicator(force, code="a", unit="furlongs"))
    _violates(lambda: make_indicator(force, code="b", aggregation="median"))
    _violates(lambda: make_indicator(force, code="c", polarity="sideways"))


def test_one_target_per_indicator_and_financial_year(indicator):
    models.Target.objects.create(indicator=indicator, financial_year="2013/14", kind="change", value=-2)
    _violates(lambda: models.Target.objects.create(indicator=indicator, financial_year="2013/14", kind="monitor"))


def test_change_and_absolute_targets_need_a_value(indicator):
    _violates(lambda: models.Target.objects.create(indicator=indicator, financial_year="2013/14", kind="change"))
    _violates(lambda: models.Target.objects.create(indicator=indicator, financial_year="2014/15", kind="absolute"))
    assert models.Target.objects.create(indicator=indicator, financial_year="2015/16", kind="monitor").tolerance == 5


def test_return_state_must_be_from_the_list(force):
    _violates(lambda: models.Return.objects.create(force=force, period="Q1", state="approved"))


def test_commentary_is_on_a_priority_or_an_indicator_not_both(force, indicator):
    _violates(lambda: models.Commentary.objects.create(force=force, month=date(2013, 6, 1), text="x"))


def test_plan_must_end_after_it_starts(force):
    _violates(lambda: models.Plan.objects.create(force=force, title="x", start=date(2013, 4, 1), end=date(2013, 4, 1)))


def test_observation_edits_keep_history(indicator):
    obs = make_observation(indicator, date(2013, 4, 1), 1312)
    obs.value = 1326
    obs.save()
    assert [h.value for h in obs.history.order_by("history_date")] == [1312, 1326]
