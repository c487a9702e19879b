"""A plan's life (issue "Current plans II", SPEC §6): a new plan for the
same force takes over on its start date; pages before it show the old
plan; the period menu spans both; figures outlive plans."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from indicators import models
from tests.factories import EXAMPLE_PLAN

pytestmark = pytest.mark.django_db

NEW_PLAN = """\
force:
  slug: west-mercia
  name: West Mercia Police
plan:
  title: Safer West Mercia Plan 2017-2021
  start: 2017-04-01
  end: 2021-03-31
  priorities:
    - number: 1
      title: Putting victims and survivors first
      indicators:
        - code: vwi
          name: Violent crime with injury
          unit: count
          aggregation: sum
          polarity: down
          headline: true
        - code: victim-satisfaction
          name: Victims satisfied with the whole experience
          unit: percent
          aggregation: ratio
          polarity: up
"""


@pytest.fixture
def two_plans(plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    call_command("load_plan", str(plan_file(NEW_PLAN)), stdout=io.StringIO())
    vwi = models.Indicator.objects.get(force__slug="west-mercia", code="vwi")
    for month, value in ((date(2017, 3, 1), 500), (date(2017, 4, 1), 480)):
        models.Observation.objects.create(indicator=vwi, month=month, value=value)


def test_a_new_plan_takes_over_on_its_start_and_the_old_one_shows_before_it(two_plans, client):
    before = client.get("/west-mercia/?period=2017-03").content.decode()
    after = client.get("/west-mercia/?period=2017-04").content.decode()
    assert "Police and Crime Plan for West Mercia 2013-2017" in before
    assert "Safer West Mercia Plan 2017-2021" not in before
    assert "Safer West Mercia Plan 2017-2021" in after
    assert "Victims satisfied with the whole experience" in after
    assert "Solved rate for violent crime with injury" not in after          # not a measure of the new plan
    # the period menu spans both plans
    for page in (before, after):
        assert 'value="2017-03"' in page and 'value="2017-04"' in page
    # a measure of the old plan only keeps its page
    assert client.get("/west-mercia/indicators/vwi-solved/?period=2017-03").status_code == 200


def test_a_measure_given_only_its_code_on_first_listing_is_told_once_per_key(plan_file):
    from indicators.plans.file import PlanFileError, parse_plan_file

    text = NEW_PLAN.replace("""          name: Violent crime with injury
          unit: count
          aggregation: sum
          polarity: down
""", "")
    with pytest.raises(PlanFileError) as excinfo:
        parse_plan_file(text)
    assert excinfo.value.problems == [f"plan.priorities[0].indicators[0].{key}: is required"
                                      for key in ("name", "unit", "aggregation", "polarity")]
