"""The admin's *Load a plan file* (issue "Current plans II", SPEC §6 "A
plan's life"): upload, a preview of exactly what changes, confirm; the same
checks and messages as load_plan; recorded in the audit trail; analysts may
not; bad files change nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import models
from indicators.plans.file import MAX_ALIASES
from tests.factories import EXAMPLE_PLAN, make_user

pytestmark = pytest.mark.django_db
LOAD = "/admin/indicators/plan/load/"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", superuser=True))
    return client


def upload(client, text: str, name="plan.yaml"):
    return client.post(LOAD, {"file": SimpleUploadedFile(name, text.encode(), content_type="application/x-yaml")})


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_an_administrator_previews_then_loads_a_plan_and_the_audit_trail_records_it(admin_client):
    assert "Load a plan file" in admin_client.get("/admin/indicators/plan/").content.decode()
    preview = upload(admin_client, EXAMPLE_PLAN, "west-mercia-2013.yaml").content.decode()
    assert "What loading west-mercia-2013.yaml would change" in preview
    assert "<strong>West Mercia Police</strong>: “Police and Crime Plan for West Mercia 2013-2017”" in preview
    assert "New indicator: Violent crime with injury (west-mercia/vwi)" in preview
    assert "New target: vwi 2013/14: less 2% of 2012/13 outturn" in preview
    assert not models.Plan.objects.exists()                      # the preview wrote nothing

    done = admin_client.post(LOAD, {"token": token_of(preview), "confirm": "Load the plan"}, follow=True)
    page = done.content.decode()
    assert "Loaded west-mercia-2013.yaml: West Mercia Police&#x27;s plan" in page
    plan = models.Plan.objects.get()
    assert plan.title == "Police and Crime Plan for West Mercia 2013-2017"
    assert models.Indicator.objects.filter(force__slug="west-mercia").count() == 3

    trail = admin_client.get("/admin/indicators/return/audit/?force=west-mercia").content.decode()
    assert re.search(r"root loaded the plan file west-mercia-2013\.yaml: Police and Crime Plan for West Mercia "
                     r"2013-2017 \(\d+ created", trail)

    # the same file again: nothing to change
    again = upload(admin_client, EXAMPLE_PLAN).content.decode()
    assert "The plan is already up to date: loading this file would change nothing." in again


def test_the_preview_names_changed_and_retired_measures(admin_client):
    admin_client.post(LOAD, {"token": token_of(upload(admin_client, EXAMPLE_PLAN).content.decode()),
                             "confirm": "1"})
    models.Observation.objects.create(indicator=models.Indicator.objects.get(code="vwi-solved"),
                                      month="2013-04-01", value=51.0)
    changed = (EXAMPLE_PLAN.replace('2013/14: {kind: change, value: -2, wording: "less 2% of 2012/13 outturn"}',
                                    '2013/14: {kind: change, value: -3, wording: "less 3% of 2012/13 outturn"}')
               .replace("name: Violent crime with injury\n", "name: Violence with injury\n"))
    solved = changed.index("            - code: vwi-solved")
    milestone = changed.index("            - code: alcohol-strategy")
    changed = changed[:solved] + changed[milestone:]
    html = upload(admin_client, changed).content.decode()
    assert ("Changed indicator Violence with injury (west-mercia/vwi): name &#x27;Violent crime with injury&#x27; → "
            "&#x27;Violence with injury&#x27;") in html
    assert "Changed target vwi 2013/14: less 3% of 2012/13 outturn: value -2.0 → -3" in html
    assert ("Retired from the plan: Solved rate for violent crime with injury (its figures are kept, and its page "
            "stays readable)") in html
    admin_client.post(LOAD, {"token": token_of(html), "confirm": "1"})
    assert models.Observation.objects.filter(indicator__code="vwi-solved").count() == 1
    assert not models.PriorityIndicator.objects.filter(indicator__code="vwi-solved").exists()


def test_a_bad_file_names_its_problem_by_path_and_changes_nothing(admin_client):
    html = upload(admin_client, EXAMPLE_PLAN.replace("unit: count", "unit: counts")).content.decode()
    assert "plan.yaml was not loaded: 1 problem; nothing was changed." in html
    assert "plan.areas[0].priorities[0].indicators[0].unit" in html
    assert 'name="token"' not in html and not models.Plan.objects.exists()
    laughs = "a: &a [x, x]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n"
                                        for i in range(MAX_ALIASES))
    html = upload(admin_client, laughs).content.decode()
    assert f"YAML aliases (*name); a plan file may use at most {MAX_ALIASES}: write the values out" in html
    assert upload(admin_client, "x" * (2 * 1024 * 1024 + 1)).content.decode().count("a plan file may be at most") == 1
    # a confirm with no waiting upload
    gone = admin_client.post(LOAD, {"token": "nope", "confirm": "1"})
    assert gone.status_code == 404 and not models.Plan.objects.exists()


def test_an_analyst_may_not_load_a_plan(client):
    force = models.Force.objects.create(slug="west-mercia", name="West Mercia Police")
    client.force_login(make_user("ana", role="analyst", forces=[force]))
    assert client.get(LOAD).status_code == 403
    assert upload(client, EXAMPLE_PLAN).status_code == 403
    assert not models.Plan.objects.exists()
