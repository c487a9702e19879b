"""An analyst's rating for a plan judged by significance or SPC (SPEC §3
"Ratings"): stored in Assessment.rating, checked against the plan's method,
and a reason required when it overrides a rating the figures give."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from indicators import models
from indicators.admin import AssessmentForm
from indicators.periods import add_months
from tests.factories import make_force, make_indicator, make_user

pytestmark = pytest.mark.django_db
JUNE = date(2013, 6, 1)


@pytest.fixture
def leics():
    force = make_force(slug="leicestershire", name="Leicestershire Police")
    plan = models.Plan.objects.create(force=force, title="Plan", start=date(2013, 4, 1), end=date(2017, 3, 31),
                                      assessment="significance")
    area = models.AreaOfFocus.objects.create(plan=plan, number=1, title="Crime")
    priority = models.StrategicPriority.objects.create(plan=plan, area=area, number=1, title="Reduce crime")
    crime = make_indicator(force, code="all-crime", name="All crime")
    survey = make_indicator(force, code="confidence", name="Confidence", unit="percent", aggregation="latest",
                            polarity="up", decimals=1)
    for order, ind in enumerate((crime, survey), 1):
        models.PriorityIndicator.objects.create(priority=priority, indicator=ind, order=order)
    month = date(2012, 4, 1)
    while month <= JUNE:                            # last YTD 3 × 1,000; this YTD 3 × 800: significant
        models.Observation.objects.create(indicator=crime, month=month, value=800 if month.year == 2013 and
                                          month.month >= 4 else 1000)
        models.Observation.objects.create(indicator=survey, month=month, value=80)
        month = add_months(month, 1)
    return force


def form(indicator, **fields):
    return AssessmentForm(data={"indicator": indicator.pk, "month": "2013-06-01", "rag": "", "rating": "",
                                "status_text": "", "reason": ""} | fields)


def test_overriding_a_computed_significance_rating_needs_a_reason(leics):
    crime = leics.indicators.get(code="all-crime")
    f = form(crime, rating="no-significant-change")
    assert not f.is_valid()
    assert f.errors["reason"] == ["The figures give this measure the rating improvement; "
                                  "give the reason for overriding it."]
    f = form(crime, rating="no-significant-change", reason="Recording change in April")
    assert f.is_valid(), f.errors
    saved = f.save()
    assert (saved.rating, saved.month) == ("no-significant-change", JUNE)


def test_a_rating_where_the_figures_give_none_needs_no_reason(leics):
    survey = leics.indicators.get(code="confidence")           # "latest" measures are not tested
    f = form(survey, rating="improvement", status_text="Survey up 3 points")
    assert f.is_valid(), f.errors


def test_a_rating_of_another_methods_vocabulary_is_refused(leics):
    crime = leics.indicators.get(code="all-crime")
    f = form(crime, rating="special-cause-concern", reason="x")
    assert not f.is_valid()
    assert f.errors["rating"] == ["This force's plan judges its measures by significance: the rating must be "
                                  "one of improvement, no-significant-change, deterioration, significant-change."]


def test_a_targets_plan_takes_a_rag_not_a_rating(leics):
    models.Plan.objects.filter(force=leics).update(assessment="targets")
    f = form(leics.indicators.get(code="all-crime"), rating="improvement", reason="x")
    assert not f.is_valid()
    assert "set the RAG instead of a rating" in f.errors["rating"][0]


def test_an_spc_plan_takes_an_spc_rating(leics):
    models.Plan.objects.filter(force=leics).update(assessment="spc")
    crime = leics.indicators.get(code="all-crime")
    assert not form(crime, rating="improvement", reason="x").is_valid()
    # a flat baseline of 12 months, then three lower months: the figures say common cause
    f = form(crime, rating="special-cause-concern")
    assert not f.is_valid()
    assert f.errors["reason"][0].startswith("The figures give this measure the rating common-cause;")
    assert form(crime, rating="special-cause-concern", reason="Audit found under-recording").is_valid()


def test_the_database_refuses_a_rating_outside_the_vocabulary(leics):
    crime = leics.indicators.get(code="all-crime")
    with transaction.atomic(), pytest.raises(IntegrityError):
        models.Assessment.objects.create(indicator=crime, month=JUNE, rating="vibes")


def test_the_admin_page_saves_a_rating(leics, client):
    client.force_login(make_user("ana", role="analyst", forces=[leics]))
    crime = leics.indicators.get(code="all-crime")
    page = client.get("/admin/indicators/assessment/add/").content.decode()
    assert 'name="rating"' in page and "no-significant-change" in page
    response = client.post("/admin/indicators/assessment/add/", {
        "indicator": crime.pk, "month": "2013-06-01", "rag": "", "rating": "deterioration", "status_text": "",
        "reason": ""})
    assert "give the reason for overriding it" in response.content.decode()
    assert models.Assessment.objects.count() == 0
    client.post("/admin/indicators/assessment/add/", {
        "indicator": crime.pk, "month": "2013-06-01", "rag": "", "rating": "deterioration", "status_text": "",
        "reason": "Under-recording found by the audit"})
    assert models.Assessment.objects.get().rating == "deterioration"


def test_an_export_keeps_the_plans_method_and_the_analysts_rating(leics, tmp_path):
    import io

    from django.core.management import call_command

    crime = leics.indicators.get(code="all-crime")
    models.Assessment.objects.create(indicator=crime, month=JUNE, rating="deterioration", reason="Audit")
    call_command("export_data", "--output", str(tmp_path / "out"), stdout=io.StringIO())
    models.Force.objects.all().delete()
    call_command("import_data", str(tmp_path / "out"), stdout=io.StringIO())
    assert models.Plan.objects.get(force__slug="leicestershire").assessment == "significance"
    assert models.Assessment.objects.get(indicator__code="all-crime").rating == "deterioration"
