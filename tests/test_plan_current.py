"""load_plan with the SPEC §6 keys: a one-level plan, measures listed twice,
`plan` targets, baselines, benchmarks, rebase, replaces, the new units, rating
labels and Welsh siblings; every new problem with its YAML path."""

import shutil
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators import models
from indicators.plans.file import PlanFileError, TargetSpec, parse_plan_file, targets_by_year
from tests.factories import SHARED, skip_unless_shared

pytestmark = pytest.mark.django_db


def load(path, **kwargs):
    out = StringIO()
    call_command("load_plan", str(path), stdout=out, **kwargs)
    return out.getvalue()


def test_the_shared_current_example_plan_loads(tmp_path):
    example = SHARED / "examples" / "plan-current.yaml"
    skip_unless_shared(example, "shared/examples/plan-current.yaml is not beside the project")
    out = load(shutil.copy(example, tmp_path / "plan.yaml"))
    assert "created" in out
    force = models.Force.objects.get(slug="northshire")
    plan = force.plans.get()
    assert (plan.start, plan.end, plan.assessment) == (date(2024, 4, 1), date(2029, 3, 31), "significance")
    # One level: a single area, number 1, with no title, holding the four priorities.
    assert list(plan.areas.values_list("number", "title")) == [(1, "")]
    assert list(plan.priorities.values_list("number", "area__number")) == [(1, 1), (2, 1), (3, 1), (4, 1)]
    # 9 measures (10 listings): vwi is listed twice and counted once
    assert force.indicators.count() == 9
    # vwi is defined once and listed under priorities 1 and 2, headline in both.
    vwi = force.indicators.get(code="vwi")
    assert sorted(vwi.measures.values_list("priority__number", "order", "headline")) == [(1, 1, True), (2, 2, True)]
    assert (vwi.frequency, vwi.compare, vwi.basis) == ("monthly", "rolling-12", "rolling-12")
    assert (vwi.baseline_label, vwi.baseline_from, vwi.baseline_to, vwi.baseline_value) == (
        "year ending June 2019", date(2018, 7, 1), date(2019, 6, 1), None)
    assert vwi.rebase == ["2020-04"]
    # `plan` monitor for 2024/25 .. 2028/29, with 2025/26's own change target in its place.
    assert list(vwi.targets.order_by("financial_year").values_list("financial_year", "kind", "value")) == [
        ("2024/25", "monitor", None), ("2025/26", "change", -2.0), ("2026/27", "monitor", None),
        ("2027/28", "monitor", None), ("2028/29", "monitor", None)]
    assert vwi.targets.get(financial_year="2026/27").wording == "Below the year ending June 2019 baseline"
    homicide = force.indicators.get(code="homicide")
    assert (homicide.frequency, homicide.compare, homicide.baseline_label, homicide.baseline_value,
            homicide.baseline_from) == ("annual", "previous", "year ending March 2020", 11.0, None)
    new = force.indicators.get(code="gun-crime-ex-air")
    assert (new.replaces, new.replaces_from) == ("gun-crime", date(2023, 4, 1))
    assert new.replaces_note.startswith("April 2023: air weapon offences no longer counted")
    assert force.indicators.get(code="gun-crime").frequency == "annual"
    rank = force.indicators.get(code="calls-999-rank")
    assert (rank.unit, rank.aggregation, rank.polarity, rank.frequency, rank.basis) == (
        "rank", "latest", "down", "irregular", "previous")
    assert force.indicators.get(code="calls-999-10s").frequency == "quarterly"
    assert force.indicators.get(code="calls-101-wait").unit == "duration"
    survey = force.indicators.get(code="survey-confidence")
    assert (survey.unit, survey.scale, survey.decimals) == ("score", 10.0, 1)
    assert force.indicators.get(code="da-crime").compare == "rolling-3"
    # 10 rows of priority measures: 4 + 2 + 3 + 1 listings, vwi's two among them.
    assert models.PriorityIndicator.objects.filter(priority__plan=plan).count() == 10
    assert "nothing changed" in load(tmp_path / "plan.yaml")


CURRENT = """\
force:
  slug: northshire
  name: Northshire Police
plan:
  title: Northshire Plan
  start: 2024-04-01
  end: 2026-03-31
  baselines:
    ncpm: {label: "year ending June 2019", from: 2018-07, to: 2019-06}
  priorities:
    - number: 1
      title: Reduce serious violence
      indicators:
        - code: vwi
          name: Violence with injury
          unit: count
          aggregation: sum
          polarity: down
          compare: rolling-12
          baseline: ncpm
          targets:
            plan: {kind: monitor}
        - code: survey
          name: Confidence
          unit: score
          scale: 10
          aggregation: latest
          polarity: up
          frequency: irregular
    - number: 2
      title: Protect people
      indicators:
        - code: vwi
"""


def _problems(text):
    with pytest.raises(PlanFileError) as excinfo:
        parse_plan_file(text)
    return excinfo.value.problems


def test_the_small_current_plan_parses():
    spec = parse_plan_file(CURRENT)
    assert spec.one_level and [(a.number, a.title) for a in spec.areas] == [(1, "")]
    assert [i.code for i in spec.indicators()] == ["vwi", "survey"]
    assert [[i.code for i in p.indicators] for p in spec.areas[0].priorities] == [["vwi", "survey"], ["vwi"]]


BAD = [
    ("bad frequency", CURRENT.replace("frequency: irregular", "frequency: weekly"),
     "plan.priorities[0].indicators[1].frequency: must be one of monthly, quarterly, annual, irregular "
     "(got 'weekly')"),
    ("score without scale", CURRENT.replace("          scale: 10\n", ""),
     "plan.priorities[0].indicators[1].scale: is required for a score: the top of its scale, e.g. scale: 10"),
    ("scale on a count", CURRENT.replace("          compare: rolling-12\n", "          compare: rolling-12\n"
                                         "          scale: 10\n"),
     "plan.priorities[0].indicators[0].scale: is only for unit: score, not count"),
    ("scale not positive", CURRENT.replace("scale: 10", "scale: 0"),
     "plan.priorities[0].indicators[1].scale: must be more than 0 (got 0)"),
    ("rank with polarity up", CURRENT.replace("unit: score\n          scale: 10", "unit: rank"),
     "plan.priorities[0].indicators[1].polarity: a rank is a position where 1 is best, so its polarity is "
     "always down (got 'up')"),
    ("rank summed", CURRENT.replace("unit: score\n          scale: 10\n          aggregation: latest\n"
                                    "          polarity: up", "unit: rank\n          aggregation: weighted-mean\n"
                                    "          polarity: down"),
     "plan.priorities[0].indicators[1].aggregation: a rank (a position among N) cannot be added or averaged "
     "across figures, so its aggregation must be latest"),
    ("unknown baseline name", CURRENT.replace("baseline: ncpm", "baseline: npcm"),
     "plan.priorities[0].indicators[0].baseline: 'npcm' is not one of plan.baselines (ncpm)"),
    ("baseline to before from", CURRENT.replace("from: 2018-07, to: 2019-06", "from: 2019-07, to: 2019-06"),
     "plan.baselines.ncpm.to: 2019-06 is before from 2019-07"),
    ("baseline both kinds", CURRENT.replace("to: 2019-06}", "to: 2019-06, value: 5}"),
     "plan.baselines.ncpm: give either from and to (the months it is aggregated from) or value"),
    ("baseline month not the 1st", CURRENT.replace("from: 2018-07,", "from: 2018-07-15,"),
     "plan.baselines.ncpm.from: must be a month written YYYY-MM, not the date 2018-07-15"),
    ("baseline month badly written", CURRENT.replace("from: 2018-07,", "from: July 2018,"),
     "plan.baselines.ncpm.from: 'July 2018' is not a month; write it as YYYY-MM, e.g. 2014-06"),
    ("replaces itself", CURRENT.replace("          baseline: ncpm\n", "          baseline: ncpm\n"
                                        "          replaces: vwi\n          replaces_from: 2024-04\n"),
     "plan.priorities[0].indicators[0].replaces: 'vwi' is this measure's own code"),
    ("replaces without from", CURRENT.replace("          baseline: ncpm\n", "          baseline: ncpm\n"
                                              "          replaces: old-vwi\n"),
     "plan.priorities[0].indicators[0].replaces_from: is required with replaces"),
    ("replaces_note alone", CURRENT.replace("          baseline: ncpm\n", "          baseline: ncpm\n"
                                            "          replaces_note: new rules\n"),
     "plan.priorities[0].indicators[0].replaces_note: is only given with replaces"),
    ("a second full definition", CURRENT + "          name: Violence with injury\n",
     "plan.priorities[1].indicators[0].name: 'vwi' is already defined at plan.priorities[0].indicators[0]; "
     "a later listing gives only code and headline"),
    ("listed twice under one priority", CURRENT + "        - code: vwi\n",
     "plan.priorities[1].indicators[1].code: 'vwi' is already used at plan.priorities[1].indicators[0]; "
     "a measure is listed once under a priority"),
    ("both areas and priorities", CURRENT.replace("  baselines:\n", "  areas: []\n  baselines:\n"),
     "plan.priorities: a plan lists either areas (each with its priorities) or priorities directly"),
    ("neither areas nor priorities", CURRENT.split("  priorities:\n")[0],
     "plan.areas: is required (or plan.priorities, for a plan with no areas of focus)"),
    ("duplicate priority number", CURRENT.replace("number: 2", "number: 1"),
     "plan.priorities[1].number: 1 is already used by plan.priorities[0]"),
    ("covers on a monthly measure", CURRENT.replace("compare: rolling-12", "compare: rolling-12\n          covers: 12"),
     "plan.priorities[0].indicators[0].covers: is only for frequency quarterly, annual or irregular"),
    ("negative lag", CURRENT.replace("compare: rolling-12", "compare: rolling-12\n          lag: -1"),
     "plan.priorities[0].indicators[0].lag: must be at least 0 (got -1)"),
    ("bad compare", CURRENT.replace("compare: rolling-12", "compare: rolling-6"),
     "plan.priorities[0].indicators[0].compare: must be one of ytd, rolling-12, rolling-3, previous, "
     "sequential, benchmark (got 'rolling-6')"),
    ("benchmark compare without benchmarks", CURRENT.replace("compare: rolling-12", "compare: benchmark"),
     "plan.priorities[0].indicators[0].compare: benchmark compares with the measure's benchmark, so it needs "
     "benchmarks"),
    ("benchmark is the force itself", CURRENT.replace("compare: rolling-12", "benchmarks: [wales, northshire]"),
     "plan.priorities[0].indicators[0].benchmarks[1]: 'northshire' is the plan's own force"),
    ("rebase not a month", CURRENT.replace("compare: rolling-12", "rebase: [2020-04, 2020]"),
     "plan.priorities[0].indicators[0].rebase[1]: must be a month written YYYY-MM, e.g. 2019-06, not 2020"),
    ("bad target year", CURRENT.replace("plan: {kind: monitor}", "whole: {kind: monitor}"),
     "plan.priorities[0].indicators[0].targets.whole: 'whole' is not a financial year; write it as YYYY/YY, "
     "e.g. 2014/15, or plan for every year of the plan"),
    ("rating label for no rating", CURRENT.replace("  baselines:\n", "  rating_labels: {green: Content, meh: So so}\n"
                                                   "  baselines:\n"),
     "plan.rating_labels.meh: is not a rating; ratings are green, amber, red, no-data"),
    ("Welsh sibling of a key that is not text", CURRENT.replace("unit: count", "unit: count\n          unit_cy: cyfrif"),
     "plan.priorities[0].indicators[0].unit_cy: unknown key"),
    ("Welsh text that is a list", CURRENT.replace("  title: Northshire Plan\n",
                                                  "  title: Northshire Plan\n  title_cy: [Cynllun]\n"),
     "plan.title_cy: must be text, not a list"),
    ("unknown language", CURRENT.replace("  name: Northshire Police\n",
                                         "  name: Northshire Police\n  languages: [cy, fr]\n"),
     "force.languages[1]: must be one of cy, en (got 'fr')"),
    ("later listing headline not boolean", CURRENT + "          headline: sometimes\n",
     "plan.priorities[1].indicators[0].headline: must be true or false, not 'sometimes'"),
]


@pytest.mark.parametrize("label,text,message", BAD, ids=[b[0] for b in BAD])
def test_each_new_problem_is_named_with_its_path(label, text, message):
    problems = _problems(text)
    assert any(message in p for p in problems), problems


def test_a_second_full_definition_names_each_key_it_may_not_give():
    text = CURRENT.rstrip("\n") + "\n          name: Violence with injury\n          unit: count\n          headline: true\n"
    assert _problems(text) == [
        "plan.priorities[1].indicators[0].name: 'vwi' is already defined at plan.priorities[0].indicators[0]; "
        "a later listing gives only code and headline",
        "plan.priorities[1].indicators[0].unit: 'vwi' is already defined at plan.priorities[0].indicators[0]; "
        "a later listing gives only code and headline"]


def test_welsh_siblings_languages_and_rating_labels_are_accepted():
    text = (CURRENT.replace("  name: Northshire Police\n", "  name: Northshire Police\n  name_cy: Heddlu Northshire\n"
                            "  languages: [cy, en]\n")
            .replace("  title: Northshire Plan\n", "  title: Northshire Plan\n  title_cy: Cynllun Northshire\n"
                     "  rating_labels: {green: Content, amber: \"Requires additional scrutiny\", "
                     "deterioration: Worse, worse: Behind}\n")
            .replace("name: Confidence", "name: Confidence\n          name_cy: Hyder")
            .replace("plan: {kind: monitor}", "plan: {kind: monitor, wording: Watch, wording_cy: Gwylio}")
            .replace("label: \"year ending June 2019\",", "label: \"year ending June 2019\", label_cy: Blwyddyn,"))
    spec = parse_plan_file(text)
    assert spec.force.languages == ["cy", "en"]
    assert spec.rating_labels == {"green": "Content", "amber": "Requires additional scrutiny",
                                  "deterioration": "Worse", "worse": "Behind"}


def test_a_later_listing_can_make_a_measure_headline_everywhere():
    spec = parse_plan_file(CURRENT + "          headline: true\n")
    first, second = spec.areas[0].priorities
    assert first.indicators[0].headline and second.indicators[0].headline
    assert first.indicators[0] is second.indicators[0]
    assert not parse_plan_file(CURRENT).indicators()[0].headline


def test_dates_on_the_first_are_taken_as_months():
    spec = parse_plan_file(CURRENT.replace("from: 2018-07, to: 2019-06", "from: 2018-07-01, to: 2019-06-01"))
    assert (spec.baselines["ncpm"].first, spec.baselines["ncpm"].last) == (date(2018, 7, 1), date(2019, 6, 1))


def test_plan_targets_cover_every_financial_year_the_plan_touches():
    monitor = TargetSpec("plan", "monitor", None, 5.0, "", None)
    change = TargetSpec("2025/26", "change", -2.0, 5.0, "", None)
    old = TargetSpec("2019/20", "absolute", 7.0, 5.0, "", None)
    # 1 Oct 2024 .. 30 Jun 2026 touches 2024/25, 2025/26 and 2026/27.
    rows = targets_by_year([monitor, change, old], date(2024, 10, 1), date(2026, 6, 30))
    assert [(t.financial_year, t.kind) for t in rows] == [
        ("2019/20", "absolute"), ("2024/25", "monitor"), ("2025/26", "change"), ("2026/27", "monitor")]
    assert targets_by_year([change], date(2024, 4, 1), date(2026, 3, 31)) == [change]


def test_the_small_plan_loads_and_reloading_a_change_updates_it(plan_file):
    text = CURRENT.replace("  title: Northshire Plan\n",
                           "  title: Northshire Plan\n  assessment: none\n  rating_labels: {green: Content}\n")
    out = load(plan_file(text))
    assert "created" in out
    plan = models.Plan.objects.get(force__slug="northshire")
    assert (plan.assessment, plan.rating_labels) == ("none", {"green": "Content"})
    vwi = models.Indicator.objects.get(force__slug="northshire", code="vwi")
    assert list(vwi.targets.values_list("financial_year", flat=True).order_by("financial_year")) == [
        "2024/25", "2025/26"]
    assert models.Indicator.objects.get(code="survey").decimals == 1    # score's default
    assert "nothing changed" in load(plan_file(text))
    newer = (text.replace("compare: rolling-12", "compare: rolling-3\n          lag: 2\n          rebase: [2021-01]")
             .replace("baseline: ncpm", "baseline: {label: \"2019/20\", value: 20241}"))
    out = load(plan_file(newer, "newer.yaml"))
    assert "1 updated (1 indicators)" in out
    vwi.refresh_from_db()
    assert (vwi.compare, vwi.lag, vwi.rebase, vwi.baseline_label, vwi.baseline_value, vwi.baseline_from) == (
        "rolling-3", 2, ["2021-01"], "2019/20", 20241.0, None)


def test_benchmarks_get_the_measure_and_the_pseudo_forces_are_recreated(plan_file):
    # A flushed database has lost the series migration 0016 wrote.
    models.Force.objects.filter(is_benchmark=True).delete()
    text = CURRENT.replace("compare: rolling-12", "compare: benchmark\n          benchmarks: [england-and-wales]")
    load(plan_file(text))
    wales = models.Force.objects.get(slug="wales")
    england_wales = models.Force.objects.get(slug="england-and-wales")
    assert wales.is_benchmark and england_wales.is_benchmark
    assert dict(england_wales.populations.values_list("year", "population")) == {2019: 59_439_840, 2021: 59_641_829}
    own = models.Indicator.objects.get(force__slug="northshire", code="vwi")
    assert (own.compare, own.benchmarks) == ("benchmark", ["england-and-wales"])
    copy = models.Indicator.objects.get(force=england_wales, code="vwi")
    assert (copy.name, copy.unit, copy.compare, copy.benchmarks, copy.baseline_label) == (
        "Violence with injury", "count", "", [], "year ending June 2019")
    assert not models.Indicator.objects.filter(force=wales).exists()
    assert "nothing changed" in load(plan_file(text))


def test_a_benchmark_that_is_no_force_is_refused_and_nothing_is_written(plan_file):
    text = CURRENT.replace("compare: rolling-12", "benchmarks: [wales, kent]")
    with pytest.raises(CommandError) as excinfo:
        load(plan_file(text))
    assert ("plan.priorities[0].indicators[0].benchmarks[1]: 'kent' is not a force or benchmark series here"
            in str(excinfo.value))
    assert "nothing was written" in str(excinfo.value)
    assert not models.Force.objects.filter(slug="northshire").exists()
    # Once kent is loaded (here: as a peer in the same file) the name is good.
    load(plan_file(text.replace("plan:\n", "peers:\n  - {slug: kent, name: Kent Police}\nplan:\n", 1)))
    assert models.Indicator.objects.filter(force__slug="kent", code="vwi").exists()


def test_replaces_names_a_measure_of_the_file_or_of_the_force(plan_file):
    replacing = CURRENT.replace("        - code: survey\n", "        - code: survey-2\n          replaces: survey\n"
                                "          replaces_from: 2025-04\n          replaces_note: New questions\n"
                                "          name: Confidence (new questions)\n          unit: score\n          scale: 10\n"
                                "          aggregation: latest\n          polarity: up\n"
                                "        - code: survey\n")
    load(plan_file(replacing))
    new = models.Indicator.objects.get(code="survey-2")
    assert (new.replaces, new.replaces_from, new.replaces_note) == ("survey", date(2025, 4, 1), "New questions")
    # The old measure may leave the file: it is still the force's.
    renamed = CURRENT.replace("        - code: survey\n", "        - code: survey-2\n          replaces: survey\n"
                              "          replaces_from: 2025-04\n")
    assert "updated" in load(plan_file(renamed, "v2.yaml"))
    with pytest.raises(CommandError, match=r"indicators\[1\]\.replaces: 'survey-1999' is not a measure of this "
                                           r"file or of northshire"):
        load(plan_file(renamed.replace("replaces: survey\n", "replaces: survey-1999\n"), "v3.yaml"))


def test_a_two_level_plan_becomes_one_level_and_keeps_its_priorities(plan_file):
    two_level = CURRENT.replace("  priorities:\n    - number: 1\n", "  areas:\n  - number: 3\n    title: Safer\n"
                                "    priorities:\n    - number: 1\n")
    load(plan_file(two_level))
    plan = models.Plan.objects.get()
    assert list(plan.areas.values_list("number", "title")) == [(3, "Safer")]
    first = plan.priorities.get(number=1)
    out = load(plan_file(CURRENT, "one.yaml"))
    assert "1 deleted (1 areas of focus (with their priorities))" in out
    assert list(plan.areas.values_list("number", "title")) == [(1, "")]
    assert plan.priorities.get(number=1).pk == first.pk      # the same row, moved: its commentary stays


def test_the_export_writes_a_current_plan_back_as_a_file_that_loads_the_same(plan_file):
    import yaml

    from indicators.dataio.export import plan_document

    text = (CURRENT.replace("  title: Northshire Plan\n", "  title: Northshire Plan\n  rating_labels: {red: Of concern}\n")
            .replace("compare: rolling-12", "compare: rolling-12\n          rebase: [2020-04]\n          lag: 1")
            .replace("frequency: irregular", "frequency: quarterly\n          covers: 12\n"
                     "          baseline: {label: \"2019/20\", value: 6.5}\n          replaces: old-survey\n"
                     "          replaces_from: 2024-07\n          replaces_note: New questions")
            .replace("        - code: survey\n", "        - code: old-survey\n          name: Old survey\n"
                     "          unit: percent\n          aggregation: latest\n          polarity: up\n"
                     "        - code: survey\n"))
    load(plan_file(text))
    document = plan_document(models.Plan.objects.get())
    assert "areas" not in document["plan"] and document["plan"]["rating_labels"] == {"red": "Of concern"}
    assert document["plan"]["priorities"][1]["indicators"] == [{"code": "vwi", "headline": False}]
    again = parse_plan_file(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    before = parse_plan_file(text)
    assert again.one_level and [p.number for p in again.areas[0].priorities] == [1, 2]
    survey = {i.code: i for i in again.indicators()}["survey"]
    assert (survey.frequency, survey.covers, survey.baseline.value, survey.replaces, survey.replaces_from) == (
        "quarterly", 12, 6.5, "old-survey", date(2024, 7, 1))
    # Every definition comes back as it was, the targets as the years they were stored for.
    strip = {"path": "", "targets": []}
    from dataclasses import replace
    assert [replace(i, **strip) for i in again.indicators()] == [replace(i, **strip) for i in before.indicators()]
    assert [t.financial_year for t in again.indicators()[0].targets] == ["2024/25", "2025/26"]
    assert "nothing changed" in load(plan_file(yaml.safe_dump(document, sort_keys=False), "again.yaml"))
