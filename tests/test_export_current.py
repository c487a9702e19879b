"""SPEC §6 through export_data / import_data and backup / restore: a figure's
span and interval, every new Indicator field, a plan's rating labels and the
benchmark series come back as they were."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from indicators import models
from indicators.dataio.backup import rows_in_use
from indicators.dataio.export import export_folder, import_folder
from indicators.plans.benchmarks import ensure_benchmark_forces
from tests.factories import EXAMPLE_PLAN
from tests.test_export import empty_database

SIX = dict(frequency="quarterly", compare="rolling-3", covers=12, lag=3, scale=None,
           baseline_label="year ending June 2019", baseline_from=date(2018, 7, 1), baseline_to=date(2019, 6, 1),
           baseline_value=20241.0, benchmarks=[], rebase=["2020-04"],
           replaces="vwi", replaces_from=date(2013, 4, 1), replaces_note="Counted as solved from April 2013")


def current_data(plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    models.Indicator.objects.filter(force__slug="west-mercia", code="vwi-solved").update(**SIX)
    models.Plan.objects.update(rating_labels={"green": "Content", "amber": "Requires additional scrutiny"})
    solved = models.Indicator.objects.get(force__slug="west-mercia", code="vwi-solved")
    strategy = models.Indicator.objects.get(force__slug="west-mercia", code="alcohol-strategy")
    models.Observation.objects.create(indicator=solved, month=date(2013, 6, 1), first_month=date(2012, 7, 1),
                                      value=55.2, numerator=552, denominator=1000)
    models.Observation.objects.create(indicator=strategy, month=date(2013, 11, 1), first_month=date(2013, 9, 1),
                                      value=6.4, lower=6.1, upper=6.7, note="Survey wave")
    models.Observation.objects.create(indicator=models.Indicator.objects.get(force__slug="west-mercia", code="vwi"), month=date(2013, 4, 1),
                                      value=512)
    benchmark = ensure_benchmark_forces()["england-and-wales"]
    wales_rate = models.Indicator.objects.create(force=benchmark, code="vwi-solved", name="Solved rate, E&W",
                                                 unit="percent", aggregation="ratio", polarity="up",
                                                 frequency="quarterly", scale=10.0, benchmarks=["wales"])
    # (a plan measure's benchmarks travel in its plan file, and load_plan makes the benchmarks' series; this
    # indicator is in no plan, so indicators.yaml and definitions.yaml carry it)
    models.Observation.objects.create(indicator=wales_rate, month=date(2013, 6, 1), first_month=date(2013, 4, 1),
                                      value=50.0, numerator=50000, denominator=100000)


def state():
    fields = ["force__slug", "code", "unit", "aggregation", *SIX]
    return (sorted(models.Indicator.objects.values_list(*fields), key=repr),
            sorted(models.Observation.objects.values_list(
                "indicator__force__slug", "indicator__code", "area__code", "month", "first_month", "value",
                "numerator", "denominator", "lower", "upper", "status", "note"), key=repr),
            list(models.Plan.objects.values_list("force__slug", "rating_labels")),
            sorted(models.Force.objects.filter(is_benchmark=True).values_list("slug", "name")))


@pytest.mark.django_db
def test_export_and_import_carry_every_field_of_section_6(plan_file, tmp_path):
    current_data(plan_file)
    before = state()
    assert before[0] and before[3] == [("england-and-wales", "England and Wales"), ("wales", "Wales")]
    export_folder(tmp_path / "out")
    lines = (tmp_path / "out" / "observations" / "west-mercia.csv").read_text().splitlines()
    assert lines[0] == "force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper"
    assert "west-mercia,alcohol-strategy,2013-11,6.4,,,final,Survey wave,,2013-09,6.1,6.7" in lines
    assert "west-mercia,vwi,2013-04,512,,,final,,,,," in lines
    empty_database()
    import_folder(tmp_path / "out")
    assert state() == before


@pytest.mark.django_db
def test_an_export_made_before_section_6_still_imports(plan_file, tmp_path):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    models.Observation.objects.create(indicator=models.Indicator.objects.get(force__slug="west-mercia", code="vwi"), month=date(2013, 4, 1),
                                      value=512)
    export_folder(tmp_path / "out")
    path = tmp_path / "out" / "observations" / "west-mercia.csv"
    path.write_text("force,indicator,month,value,numerator,denominator,status,note,area\r\n"
                    "west-mercia,vwi,2013-04,512,,,final,,\r\n")
    (tmp_path / "out" / "definitions.yaml").unlink()
    empty_database()
    import_folder(tmp_path / "out")
    assert list(models.Observation.objects.values_list("month", "value", "first_month")) == [
        (date(2013, 4, 1), 512, None)]


@pytest.mark.django_db
def test_the_benchmark_series_do_not_make_a_new_database_look_in_use():
    ensure_benchmark_forces()        # migration 0016 makes them; a transactional test elsewhere may have flushed them
    assert models.Force.objects.filter(is_benchmark=True).count() == 2
    assert "indicators_force" not in rows_in_use()
    models.Force.objects.create(slug="northshire", name="Northshire Police")
    assert rows_in_use()["indicators_force"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_field_of_section_6(plan_file, tmp_path):
    from tests.test_backup_full import drop_everything

    ensure_benchmark_forces()        # a transactional test's database is flushed after each test
    current_data(plan_file)
    models.ReturnLine.objects.create(
        source_return=models.Return.objects.create(force=models.Force.objects.get(slug="west-mercia"),
                                                   period="2013/14 Q3", state="draft"),
        indicator=models.Indicator.objects.get(force__slug="west-mercia", code="alcohol-strategy"), month=date(2014, 2, 1),
        first_month=date(2013, 12, 1), value=6.5, lower=6.2, upper=6.8)
    before = state()
    line = list(models.ReturnLine.objects.values_list("first_month", "lower", "upper"))
    path = tmp_path / f"b.{'dump' if connection.vendor == 'postgresql' else 'sqlite3'}"
    call_command("backup", "--output", str(path), stdout=StringIO())
    drop_everything()
    call_command("restore", str(path), stdout=StringIO())
    assert state() == before
    assert list(models.ReturnLine.objects.values_list("first_month", "lower", "upper")) == line == [
        (date(2013, 12, 1), 6.2, 6.8)]
