"""load_plan: valid files, every class of bad file, idempotence, refresh (SPEC §4)."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from indicators import models
from tests.factories import EXAMPLE_PLAN, SHARED, make_observation, skip_unless_shared

pytestmark = pytest.mark.django_db


def load(path, **kwargs):
    from io import StringIO
    out = StringIO()
    call_command("load_plan", str(path), stdout=out, **kwargs)
    return out.getvalue()


def counts():
    """Rows a plan file wrote: the benchmark pseudo-forces every database holds (SPEC §6) are not counted."""
    out = {m.__name__: m.objects.count() for m in (
        models.Plan, models.AreaOfFocus, models.StrategicPriority,
        models.Indicator, models.PriorityIndicator, models.Target, models.Observation)}
    out["Force"] = models.Force.objects.filter(is_benchmark=False).count()
    out["ForcePopulation"] = models.ForcePopulation.objects.filter(force__is_benchmark=False).count()
    return out


def test_the_shared_example_plan_loads(tmp_path):
    example = SHARED / "examples" / "plan.yaml"
    skip_unless_shared(example, "shared/examples/plan.yaml is not beside the project")
    out = load(shutil.copy(example, tmp_path / "plan.yaml"))
    assert "created" in out
    plan = models.Plan.objects.get()
    assert plan.area_label == "Aim" and plan.force.slug == "west-mercia"
    # The keys the example gained for ratings and local areas are stored.
    assert plan.assessment == "targets"
    areas = {a.code: a for a in models.LocalArea.objects.filter(force=plan.force)}
    assert {c: a.name for c, a in areas.items()} == {"E07000234": "Bromsgrove", "E07000237": "Worcester"}
    assert list(areas["E07000234"].populations.values_list("year", "population")) == [(2013, 94000)]
    priority = plan.priorities.get(number=2)
    assert list(priority.local_areas.values_list("code", flat=True)) == ["E07000234"]
    assert "nothing changed" in load(tmp_path / "plan.yaml")


LOCAL_PLAN = EXAMPLE_PLAN.replace(
    "  msg_peers: [avon-and-somerset, devon-and-cornwall]\n",
    "  msg_peers: [avon-and-somerset, devon-and-cornwall]\n"
    "  local_areas:\n"
    "    - {code: E07000234, name: Bromsgrove, population: {2013: 94000}}\n"
    "    - {code: E07000237, name: Worcester}\n",
).replace("  area_label: Aim\n", "  area_label: Aim\n  assessment: significance\n").replace(
    "          indicators:\n", "          local_areas: [E07000234, E07000237]\n          indicators:\n", 1)


def test_assessment_and_local_areas_are_stored_and_updated(plan_file):
    assert "local_areas: [E07000234" in LOCAL_PLAN and "assessment: significance" in LOCAL_PLAN
    load(plan_file(LOCAL_PLAN))
    plan = models.Plan.objects.get()
    assert plan.assessment == "significance"
    priority = plan.priorities.get()
    assert sorted(priority.local_areas.values_list("name", flat=True)) == ["Bromsgrove", "Worcester"]
    # A new version drops Worcester from the file and from the priority: the
    # priority's list follows the file, the area itself is kept (it may hold figures).
    newer = (LOCAL_PLAN.replace("    - {code: E07000237, name: Worcester}\n", "")
             .replace("[E07000234, E07000237]", "[E07000234]").replace("assessment: significance", "assessment: spc"))
    out = load(plan_file(newer, "newer.yaml"))
    assert "priority local-area lists" in out
    plan.refresh_from_db()
    assert plan.assessment == "spc"
    assert list(priority.local_areas.values_list("code", flat=True)) == ["E07000234"]
    assert models.LocalArea.objects.filter(code="E07000237").exists()


BAD_LOCAL = [
    ("assessment", LOCAL_PLAN.replace("assessment: significance", "assessment: vibes"),
     "plan.assessment: must be one of targets, significance, spc, none (got 'vibes')"),
    ("unknown priority area", LOCAL_PLAN.replace("[E07000234, E07000237]", "[E07000234, E07999999]"),
     "plan.areas[0].priorities[0].local_areas[1]: 'E07999999' is not one of force.local_areas "
     "(codes: E07000234, E07000237)"),
    ("duplicate area code", LOCAL_PLAN.replace("code: E07000237", "code: E07000234"),
     "force.local_areas[1].code: 'E07000234' is listed twice"),
    ("duplicate area name", LOCAL_PLAN.replace("name: Worcester", "name: bromsgrove"),
     "force.local_areas[1].name: 'bromsgrove' is listed twice"),
    ("bad area code", LOCAL_PLAN.replace("code: E07000237", "code: 'E07 000237'"),
     "force.local_areas[1].code: 'E07 000237' is not a valid area code"),
    ("area without name", LOCAL_PLAN.replace(", name: Worcester", ""),
     "force.local_areas[1].name: is required"),
    ("unknown area key", LOCAL_PLAN.replace("name: Worcester}", "name: Worcester, colour: red}"),
     "force.local_areas[1].colour: unknown key"),
]


@pytest.mark.parametrize("label,text,message", BAD_LOCAL, ids=[b[0] for b in BAD_LOCAL])
def test_bad_assessment_or_local_areas_are_rejected_and_nothing_is_written(plan_file, label, text, message):
    with pytest.raises(CommandError) as excinfo:
        load(plan_file(text))
    assert message in str(excinfo.value)
    assert set(counts().values()) == {0} and not models.LocalArea.objects.exists()


def test_a_valid_file_creates_force_peers_plan_indicators_and_targets(plan_file):
    out = load(plan_file(EXAMPLE_PLAN))
    assert "west-mercia plan 'Police and Crime Plan for West Mercia 2013-2017'" in out
    force = models.Force.objects.get(slug="west-mercia")
    assert sorted(force.msg_peers.values_list("slug", flat=True)) == ["avon-and-somerset", "devon-and-cornwall"]
    assert dict(force.populations.values_list("year", "population")) == {2012: 1180000, 2013: 1187000}
    plan = force.plans.get()
    assert (plan.start, plan.end, plan.area_label) == (date(2013, 4, 1), date(2017, 3, 31), "Aim")
    priority = plan.priorities.get(number=2)
    assert priority.area.number == 2
    measures = list(priority.measures.values_list("indicator__code", "order", "headline"))
    assert measures == [("vwi", 1, True), ("vwi-solved", 2, True), ("alcohol-strategy", 3, False)]
    vwi = models.Indicator.objects.get(force=force, code="vwi")
    assert (vwi.unit, vwi.aggregation, vwi.polarity, vwi.msg, vwi.decimals) == ("count", "sum", "down", True, 0)
    assert models.Indicator.objects.get(force=force, code="vwi-solved").decimals == 1  # percent default
    target = vwi.targets.get()
    assert (target.financial_year, target.kind, target.value, target.tolerance) == ("2013/14", "change", -2, 5)
    milestone = models.Target.objects.get(indicator__code="alcohol-strategy")
    assert milestone.kind == "milestone" and milestone.due == date(2014, 3, 31)


def test_msg_indicators_are_created_for_each_peer(plan_file):
    load(plan_file(EXAMPLE_PLAN))
    peers = models.Indicator.objects.filter(code="vwi").exclude(force__slug="west-mercia")
    assert sorted(peers.values_list("force__slug", flat=True)) == ["avon-and-somerset", "devon-and-cornwall"]
    assert all(p.unit == "count" and p.aggregation == "sum" for p in peers)
    assert not models.Indicator.objects.filter(code="vwi-solved").exclude(force__slug="west-mercia").exists()


def test_loading_twice_changes_nothing_and_says_so(plan_file):
    path = plan_file(EXAMPLE_PLAN)
    load(path)
    before = counts()
    history = models.Target.history.count()
    out = load(path)
    assert "already up to date; nothing changed" in out
    assert counts() == before
    assert models.Target.history.count() == history


def test_a_new_version_keeps_observations_and_updates_definitions(plan_file):
    load(plan_file(EXAMPLE_PLAN))
    vwi = models.Indicator.objects.get(force__slug="west-mercia", code="vwi")
    solved = models.Indicator.objects.get(force__slug="west-mercia", code="vwi-solved")
    make_observation(vwi, date(2013, 4, 1), 512)
    make_observation(solved, date(2013, 4, 1), 54.9, numerator=281, denominator=512)
    refreshed = (EXAMPLE_PLAN
                 .replace("name: Violent crime with injury", "name: Violence with injury")
                 .replace("2013/14: {kind: change, value: -2", "2014/15: {kind: change, value: -3")
                 .replace("""            - code: vwi-solved
              name: Solved rate for violent crime with injury
              unit: percent
              aggregation: ratio
              polarity: up
              headline: true
              targets:
                2013/14: {kind: absolute, value: 53, tolerance: 5, wording: "53%"}
""", ""))
    out = load(plan_file(refreshed, "v2.yaml"))
    assert "updated" in out
    vwi.refresh_from_db()
    assert vwi.name == "Violence with injury"
    assert sorted(vwi.targets.values_list("financial_year", flat=True)) == ["2013/14", "2014/15"]
    # The dropped measure leaves the plan but keeps its series.
    assert not models.PriorityIndicator.objects.filter(indicator=solved).exists()
    assert models.Observation.objects.filter(indicator__in=[vwi, solved]).count() == 2
    assert models.Plan.objects.count() == 1


def test_dry_run_reports_but_writes_nothing(plan_file):
    out = load(plan_file(EXAMPLE_PLAN), dry_run=True)
    assert out.startswith("Dry run, nothing written:") and "created" in out
    assert counts()["Plan"] == 0 and counts()["Force"] == 0


BAD_FILES = [
    ("aggregation", EXAMPLE_PLAN.replace("aggregation: ratio", "aggregation: median"),
     "plan.areas[0].priorities[0].indicators[1].aggregation: must be one of sum, ratio, mean, latest, weighted-mean (got 'median')"),
    ("unit", EXAMPLE_PLAN.replace("unit: count", "unit: crimes"),
     "plan.areas[0].priorities[0].indicators[0].unit: must be one of count, percent, rate, gbp, number"),
    ("polarity", EXAMPLE_PLAN.replace("polarity: neutral", "polarity: sideways"),
     "plan.areas[0].priorities[0].indicators[2].polarity: must be one of up, down, neutral"),
    ("missing key", EXAMPLE_PLAN.replace("  title: Police and Crime Plan for West Mercia 2013-2017\n", ""),
     "plan.title: is required"),
    ("unknown key", EXAMPLE_PLAN.replace("  area_label: Aim", "  area_lable: Aim"),
     "plan.area_lable: unknown key"),
    ("bad date", EXAMPLE_PLAN.replace("start: 2013-04-01", "start: April 2013"),
     "plan.start: must be a date written YYYY-MM-DD"),
    ("end before start", EXAMPLE_PLAN.replace("end: 2017-03-31", "end: 2012-03-31"),
     "plan.end: 2012-03-31 must be after plan.start 2013-04-01"),
    ("bad financial year", EXAMPLE_PLAN.replace("2013/14: {kind: change", "2013/15: {kind: change"),
     "plan.areas[0].priorities[0].indicators[0].targets.2013/15: '2013/15' is not a financial year"),
    ("bad target kind", EXAMPLE_PLAN.replace("kind: absolute", "kind: stretch"),
     "targets.2013/14.kind: must be one of change, absolute, monitor, baseline, milestone"),
    ("change target without value", EXAMPLE_PLAN.replace("{kind: change, value: -2, ", "{kind: change, "),
     "targets.2013/14.value: is required for a change target"),
    ("milestone without due", EXAMPLE_PLAN.replace("{kind: milestone, due: 2014-03-31, ", "{kind: milestone, "),
     "targets.2013/14.due: is required for a milestone target"),
    ("duplicate code", EXAMPLE_PLAN.replace("code: vwi-solved", "code: vwi"),
     "plan.areas[0].priorities[0].indicators[1].code: 'vwi' is already used at plan.areas[0].priorities[0].indicators[0]"),
    ("bad slug", EXAMPLE_PLAN.replace("slug: west-mercia", "slug: West Mercia"),
     "force.slug: 'West Mercia' is not a valid id"),
    ("msg on a percentage", EXAMPLE_PLAN.replace("headline: true\n              targets:\n                2013/14: {kind: absolute",
                                                  "headline: true\n              msg: true\n              targets:\n                2013/14: {kind: absolute"),
     "indicators[1].msg: MSG comparison needs unit: count and aggregation: sum"),
    ("headline not boolean", EXAMPLE_PLAN.replace("headline: true", "headline: yes please", 1),
     "indicators[0].headline: must be true or false, not 'yes please'"),
    ("negative population", EXAMPLE_PLAN.replace("2012: 1180000", "2012: -5"),
     "force.population.2012: must be at least 1 (got -5)"),
    ("not yaml", "force: [unclosed\n", "file: not valid YAML at line 2"),
    ("empty", "", "file: the file is empty"),
    ("a list at the top", "- force\n", "must be a mapping of keys (force, peers, plan)"),
]


@pytest.mark.parametrize("label,text,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_each_class_of_bad_file_is_rejected_with_its_path_and_nothing_is_written(plan_file, label, text, message):
    with pytest.raises(CommandError) as excinfo:
        load(plan_file(text))
    assert message in str(excinfo.value)
    assert "nothing was written" in str(excinfo.value)
    assert set(counts().values()) == {0}


def test_every_problem_is_listed_at_once(plan_file):
    text = EXAMPLE_PLAN.replace("unit: count", "unit: crimes").replace("polarity: neutral", "polarity: sideways")
    with pytest.raises(CommandError, match="2 problem") as excinfo:
        load(plan_file(text))
    assert "indicators[0].unit" in str(excinfo.value) and "indicators[2].polarity" in str(excinfo.value)


def test_unknown_msg_peer_is_rejected_and_nothing_is_written(plan_file):
    text = EXAMPLE_PLAN.replace("msg_peers: [avon-and-somerset, devon-and-cornwall]",
                                "msg_peers: [avon-and-somerset, kent]")
    with pytest.raises(CommandError, match="'kent' not found; add them under peers"):
        load(plan_file(text))
    assert set(counts().values()) == {0}


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(EXAMPLE_PLAN.replace("West Mercia Police", "Polic\xeda").encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        load(path)


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read the file"):
        load(Path("/nonexistent/plan.yaml"))


def test_user_without_permission_is_refused(plan_file, django_user_model):
    django_user_model.objects.create_user("panel", password="x")
    with pytest.raises(CommandError, match="--user panel: not allowed"):
        load(plan_file(EXAMPLE_PLAN), user="panel")
    assert counts()["Plan"] == 0


def test_user_with_permission_may_load(plan_file, django_user_model):
    django_user_model.objects.create_superuser("boss", password="x")
    load(plan_file(EXAMPLE_PLAN), user="boss")
    assert counts()["Plan"] == 1
