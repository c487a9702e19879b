"""SPEC §6: the example current return (shared/examples/return-current.csv)
imports, drafts and publishes with its spans and intervals; a revision keeps
them in the history; a benchmark series is filed like a granted peer."""

from datetime import date

import pytest
from django.core.management import CommandError

from indicators import models
from indicators.access.permissions import granted_peer_ids, write_refusal
from indicators.plans.benchmarks import ensure_benchmark_forces
from tests.factories import SHARED, make_user, run_import, skip_unless_shared

pytestmark = pytest.mark.django_db
RETURN = SHARED / "examples" / "return-current.csv"
HEADER = "force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper"

# The measures of shared/examples/plan-current.yaml, as load_plan makes them (written here with the ORM).
MEASURES = [
    dict(code="vwi", unit="count", aggregation="sum", polarity="down"),
    dict(code="da-crime", unit="count", aggregation="sum", polarity="neutral", compare="rolling-3"),
    dict(code="homicide", unit="count", aggregation="sum", polarity="down", frequency="annual"),
    dict(code="gun-crime", unit="count", aggregation="sum", polarity="down", frequency="annual"),
    dict(code="gun-crime-ex-air", unit="count", aggregation="sum", polarity="down", frequency="annual",
         replaces="gun-crime", replaces_from=date(2023, 4, 1)),
    dict(code="calls-999-10s", unit="percent", decimals=1, aggregation="ratio", polarity="up",
         frequency="quarterly"),
    dict(code="calls-999-rank", unit="rank", aggregation="latest", polarity="down", frequency="irregular"),
    dict(code="calls-101-wait", unit="duration", aggregation="mean", polarity="down"),
    dict(code="survey-confidence", unit="score", scale=10, decimals=1, aggregation="latest", polarity="up",
         frequency="irregular"),
]


@pytest.fixture
def northshire(db):
    force = models.Force.objects.create(slug="northshire", name="Northshire Police")
    models.LocalArea.objects.create(force=force, code="E07999001", name="Northvale")
    for measure in MEASURES:
        models.Indicator.objects.create(force=force, name=measure["code"], **measure)
    return force


def figures(model):
    return {(o["indicator__code"], o["area__code"], o["month"]): o for o in model.objects.values(
        "indicator__code", "area__code", "month", "value", "numerator", "denominator", "first_month", "lower",
        "upper")}


def test_the_example_current_return_publishes_with_its_spans_and_intervals(northshire):
    skip_unless_shared(RETURN, "the shared example return is not here")
    out = run_import(RETURN, "--publish")
    assert "northshire: 10 new, 0 changed, 0 unchanged" in out
    held = figures(models.Observation)
    assert len(held) == 10
    calls = held[("calls-999-10s", None, date(2024, 6, 1))]
    assert (calls["first_month"], calls["numerator"], calls["denominator"]) == (date(2024, 4, 1), 41230, 45810)
    assert calls["value"] == pytest.approx(90.0022, abs=1e-4)          # 100 × 41230 / 45810
    assert held[("homicide", None, date(2024, 3, 1))]["first_month"] == date(2023, 4, 1)
    assert held[("gun-crime-ex-air", None, date(2023, 3, 1))]["first_month"] == date(2022, 4, 1)
    rank = held[("calls-999-rank", None, date(2024, 4, 1))]
    assert (rank["first_month"], rank["value"], rank["numerator"], rank["denominator"]) == (
        date(2023, 11, 1), 2, None, 43)
    survey = held[("survey-confidence", None, date(2024, 11, 1))]
    assert (survey["first_month"], survey["value"], survey["lower"], survey["upper"]) == (
        date(2024, 9, 1), 6.4, 6.1, 6.7)
    # monthly figures cover their month alone
    assert held[("vwi", "E07999001", date(2024, 5, 1))]["first_month"] is None
    assert held[("calls-101-wait", None, date(2024, 5, 1))]["value"] == 31


def test_a_draft_keeps_spans_and_publishing_it_writes_them(northshire, write):
    from indicators.returns.workflow import publish_return

    path = write(f"{HEADER}\nnorthshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.1,6.7\n"
                 "northshire,homicide,2024-03,12,,,final,,,,,\n")
    run_import(path)
    lines = figures(models.ReturnLine)
    assert (lines[("survey-confidence", None, date(2024, 11, 1))]["first_month"],
            lines[("survey-confidence", None, date(2024, 11, 1))]["lower"],
            lines[("homicide", None, date(2024, 3, 1))]["first_month"]) == (date(2024, 9, 1), 6.1, date(2023, 4, 1))
    publish_return(models.Return.objects.get(), user=None)
    held = figures(models.Observation)
    assert (held[("survey-confidence", None, date(2024, 11, 1))]["upper"],
            held[("homicide", None, date(2024, 3, 1))]["first_month"]) == (6.7, date(2023, 4, 1))


def test_a_new_interval_is_a_revision_and_the_history_keeps_the_old_one(northshire, write):
    run_import(write(f"{HEADER}\nnorthshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.1,6.7\n"), "--publish")
    out = run_import(write(f"{HEADER}\nnorthshire,survey-confidence,2024-11,6.4,,,final,,,2024-09,6.0,6.8\n"),
                     "--publish")
    assert "0 new, 1 changed" in out
    obs = models.Observation.objects.get()
    assert (obs.lower, obs.upper) == (6.0, 6.8)
    assert sorted((h.lower, h.upper, h.first_month) for h in obs.history.all()) == [
        (6.0, 6.8, date(2024, 9, 1)), (6.1, 6.7, date(2024, 9, 1))]


def test_a_span_overlapping_a_held_figure_is_refused_and_changes_nothing(northshire, write):
    run_import(write(f"{HEADER}\nnorthshire,calls-999-10s,2024-06,,41230,45810,final,,,,,\n"), "--publish")
    with pytest.raises(CommandError) as excinfo:
        run_import(write(f"{HEADER}\nnorthshire,calls-999-10s,2024-07,,1,2,final,,,2024-05,,\n"
                         "northshire,vwi,2024-05,10,,,final,,,,,\n"), "--publish")
    assert ("row 2, column from: its span May 2024 – Jul 2024 overlaps the figure held for Q1 2024/25 (2024-04 to "
            "2024-06)") in str(excinfo.value)
    assert models.Observation.objects.count() == 1 and models.Return.objects.count() == 1


def test_a_benchmark_series_is_filed_by_a_force_it_is_granted_to(northshire, write):
    benchmark = ensure_benchmark_forces()["england-and-wales"]   # migration 0016 makes it; a flushed database lacks it
    assert benchmark.is_benchmark
    models.Indicator.objects.create(force=benchmark, code="calls-999-10s", name="999 in 10 s", unit="percent",
                                    aggregation="ratio", polarity="up", frequency="quarterly")
    ana = make_user("ana", role="analyst", forces=[northshire])
    path = write(f"{HEADER}\nengland-and-wales,calls-999-10s,2024-06,,2000000,2300000,final,,,,,\n")
    assert granted_peer_ids(ana) == set()
    assert "is a benchmark series, and no administrator has granted it" in write_refusal(ana, benchmark)
    with pytest.raises(CommandError) as excinfo:
        run_import(path, "--user", "ana")
    assert "England and Wales is a benchmark series" in str(excinfo.value)

    northshire.files_for.add(benchmark)                 # no MSG link needed for a benchmark
    ana = make_user("ana2", role="analyst", forces=[northshire])
    assert granted_peer_ids(ana) == {benchmark.pk} and write_refusal(ana, benchmark) is None
    assert "england-and-wales: 1 new" in run_import(path, "--user", "ana2")
    line = models.ReturnLine.objects.get()
    assert (line.indicator.force.slug, line.first_month) == ("england-and-wales", date(2024, 4, 1))


def test_a_granted_benchmark_needs_no_msg_link_in_the_force_admin_form(northshire):
    from indicators.admin import ForceForm

    benchmark = ensure_benchmark_forces()["wales"]
    other = models.Force.objects.create(slug="southshire", name="Southshire Police")
    data = {"slug": "northshire", "name": "Northshire Police", "files_for": [benchmark.pk, other.pk],
            "msg_peers": []}
    form = ForceForm(data, instance=northshire)
    assert not form.is_valid()
    assert form.errors["files_for"] == ["Southshire Police is not one of this force's MSG peers; only a peer can "
                                        "be granted."]
    form = ForceForm({**data, "files_for": [benchmark.pk]}, instance=northshire)
    assert form.is_valid(), form.errors



def test_the_example_plan_and_return_load_end_to_end(db):
    """load_plan plan-current.yaml, then import_return return-current.csv --publish (SPEC §6)."""
    from io import StringIO

    from django.core.management import call_command

    plan = SHARED / "examples" / "plan-current.yaml"
    skip_unless_shared(plan, "the shared example plan is not here")
    skip_unless_shared(RETURN, "the shared example return is not here")
    call_command("load_plan", str(plan), stdout=StringIO())
    assert "northshire: 10 new, 0 changed, 0 unchanged" in run_import(RETURN, "--publish")
    held = figures(models.Observation)
    assert held[("calls-999-10s", None, date(2024, 6, 1))]["first_month"] == date(2024, 4, 1)
    assert held[("homicide", None, date(2024, 3, 1))]["first_month"] == date(2023, 4, 1)
    assert (held[("calls-999-rank", None, date(2024, 4, 1))]["first_month"],
            held[("calls-999-rank", None, date(2024, 4, 1))]["denominator"]) == (date(2023, 11, 1), 43)
    survey = held[("survey-confidence", None, date(2024, 11, 1))]
    assert (survey["first_month"], survey["lower"], survey["upper"]) == (date(2024, 9, 1), 6.1, 6.7)
    assert held[("vwi", "E07999001", date(2024, 5, 1))]["value"] == 96
