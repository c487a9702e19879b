"""Demo apart from real (issue "Current plans II", SPEC §6 "A plan's
life"): after load_demo, a real plan loaded for a force the demo created as
an MSG peer makes that force's plan and pages real; the demo's illustrative
figures for it stay labelled; its period menu offers its own months."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from indicators import models

KENT = """\
force:
  slug: kent
  name: Kent Police
plan:
  title: Making Kent Safer 2022-2025
  start: 2022-04-01
  end: 2025-03-31
  priorities:
    - number: 1
      title: Work with residents, communities and businesses to prevent crime and anti-social behaviour
      indicators:
        - code: all-crime
          name: All crime
          unit: count
          aggregation: sum
          polarity: down
          headline: true
          compare: rolling-12
"""


@pytest.fixture
def kent(demo, plan_file, tmp_path):
    before = models.Force.objects.get(slug="kent")
    assert before.is_demo                                     # made by the demo as Essex's peer
    call_command("load_plan", str(plan_file(KENT)), stdout=io.StringIO())
    path = tmp_path / "kent.csv"
    rows = "".join(f"kent,all-crime,{y}-{m:02d},{12000 + m},,,,\n" for y in (2023, 2024) for m in range(1, 13))
    path.write_text("force,indicator,month,value,numerator,denominator,status,note\n" + rows)
    call_command("import_return", str(path), "--publish", stdout=io.StringIO(), stderr=io.StringIO())
    return models.Force.objects.get(slug="kent")


def test_a_real_plan_for_a_demo_peer_makes_its_pages_real(kent, client):
    assert not kent.is_demo
    html = client.get("/kent/").content.decode()
    assert "Making Kent Safer 2022-2025" in html
    assert "Demo data" not in html
    # the period menu: Kent's own months, not the 2011-2014 months the demo generated for it as a peer
    assert 'value="2024-12"' in html and 'value="2023-01"' in html
    assert 'value="2014-03"' not in html and 'value="2013-06"' not in html
    # the demo's figures for Kent stay, marked illustrative in the API
    old = client.get("/api/forces/kent/indicators/all-crime/?period=2014-03").json()
    assert old["monthly"] and all(m["illustrative"] for m in old["monthly"])
    # Essex's MSG comparison, which reads them, still says so
    page = client.get("/essex/indicators/all-crime/?period=2014-03").content.decode()
    assert "Illustrative: the peer forces&#x27; figures were generated for the demo" in page

def test_load_demo_again_leaves_the_real_force_real(kent):
    call_command("load_demo", stdout=io.StringIO())
    assert not models.Force.objects.get(slug="kent").is_demo
    assert models.Plan.objects.get(force__slug="kent").is_demo is False
    assert models.Observation.objects.filter(indicator__force__slug="kent", month=date(2024, 12, 1),
                                             illustrative=False).count() == 1


def test_a_demo_force_given_a_real_current_plan_is_labelled_demo_only_under_its_demo_plan(demo, client):
    from pathlib import Path
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "current"
    call_command("load_plan", str(fixtures / "essex.plan.yaml"), stdout=io.StringIO())
    call_command("import_return", str(fixtures / "essex.return.csv"), "--publish", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert not models.Force.objects.get(slug="essex").is_demo
    assert "Demo data" in client.get("/essex/?period=2013-12").content.decode()       # the demo's 2013 plan
    current = client.get("/essex/?period=2023-02").content.decode()
    assert "Police and Crime Plan 2021-2024 (Essex)" in current
    assert "Demo data" not in current
