"""SPEC §6 "The period a figure is for": the default period is pinned only by
monthly headline measures without a lag; a one-off or quarterly figure never
holds the dashboard back (issue 25: a 999 figure stored at April 2022 pinned
a dashboard whose data ran to March 2025)."""

from __future__ import annotations

from datetime import date

import pytest

from indicators import models, selectors


@pytest.fixture
def force(db):
    force = models.Force.objects.create(slug="northshire", name="Northshire Police")
    plan = models.Plan.objects.create(force=force, title="Plan", start=date(2022, 4, 1), end=date(2025, 3, 31))
    area = models.AreaOfFocus.objects.create(plan=plan, number=1, title="")
    models.StrategicPriority.objects.create(plan=plan, area=area, number=1, title="Answer the public")
    return force


def measure(force, code, *, headline=True, frequency="monthly", lag=0, figures=()):
    ind = models.Indicator.objects.create(force=force, code=code, name=code, unit="count", aggregation="sum",
                                          polarity="down", frequency=frequency, lag=lag)
    priority = models.StrategicPriority.objects.get(plan__force=force, number=1)
    models.PriorityIndicator.objects.create(priority=priority, indicator=ind, order=ind.pk, headline=headline)
    for first, month, value in figures:
        models.Observation.objects.create(indicator=ind, month=month, first_month=first, value=value)
    return ind


def test_a_one_off_figure_never_pins_the_default_period(force):
    measure(force, "crime", figures=[(None, date(2025, y, 1), 100) for y in (1, 2, 3)])
    measure(force, "calls-999-rank", frequency="irregular",
            figures=[(date(2021, 11, 1), date(2022, 4, 1), 2)])
    measure(force, "calls-999-10s", frequency="quarterly", figures=[(date(2024, 4, 1), date(2024, 6, 1), 90)])
    assert selectors.default_period(force=force) == date(2025, 3, 1)


def test_lagged_partner_data_never_pins_it(force):
    measure(force, "crime", figures=[(None, date(2025, m, 1), 100) for m in (1, 2, 3)])
    measure(force, "reoffending", lag=6, figures=[(None, date(2024, 9, 1), 30)])
    assert selectors.default_period(force=force) == date(2025, 3, 1)


def test_monthly_headline_measures_still_pin_it_at_the_earliest_latest_month(force):
    measure(force, "crime", figures=[(None, date(2025, m, 1), 100) for m in (1, 2, 3)])
    measure(force, "asb", figures=[(None, date(2025, m, 1), 10) for m in (1, 2)])
    assert selectors.default_period(force=force) == date(2025, 2, 1)


def test_a_plan_without_monthly_headline_measures_takes_the_latest_span_end(force):
    measure(force, "homicide", frequency="annual", figures=[(date(2023, 4, 1), date(2024, 3, 1), 12)])
    measure(force, "calls-999-10s", frequency="quarterly", figures=[(date(2024, 7, 1), date(2024, 9, 1), 90)])
    measure(force, "monthly-not-headline", headline=False, figures=[(None, date(2023, 1, 1), 5)])
    assert selectors.default_period(force=force) == date(2024, 9, 1)
