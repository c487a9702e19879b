"""data.police.uk street files -> observations, checked against an independent
count of the real files in shared/data/policeuk/ (OGL v3.0)."""

import csv
import gzip
import io
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from indicators import models
from indicators.opendata.policeuk import CRIME_TYPES, force_for_name
from tests.factories import SHARED, skip_unless_shared

pytestmark = pytest.mark.django_db
DATA = SHARED / "data" / "policeuk"
skip_unless_shared(DATA, f"the data.police.uk sample files are not at {DATA}", module=True)
FILES = sorted(DATA.glob("*.csv.gz"))


def independent_counts():
    """The expected figures, counted with the csv module straight from the files."""
    counts = Counter()
    for path in FILES:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                force = {"Leicestershire Police": "leicestershire", "Bedfordshire Police": "bedfordshire"}[
                    row["Falls within"]]
                counts[(force, "policeuk-" + CRIME_TYPES[row["Crime type"]], row["Month"])] += 1
                if row["Crime type"] != "Anti-social behaviour":
                    counts[(force, "policeuk-all-crime", row["Month"])] += 1
    return counts


def run(*args):
    out = io.StringIO()
    call_command("import_policeuk", *map(str, args), stdout=out)
    return out.getvalue()


def stored():
    return {(o.indicator.force.slug, o.indicator.code, f"{o.month:%Y-%m}"): o.value
            for o in models.Observation.objects.filter(area__isnull=True).select_related("indicator__force")}


def test_counts_match_an_independent_count_of_the_files():
    out = run(DATA, "--publish")
    assert "Read 30,092 rows from 4 file(s)" in out
    expected = independent_counts()
    got = stored()
    for key, n in expected.items():
        assert got[key] == n, key
    # every other stored figure is a crime type seen that month with none in that force: a real zero
    assert all(v == 0 for k, v in got.items() if k not in expected)
    ind = models.Indicator.objects.get(force__slug="leicestershire", code="policeuk-burglary")
    assert (ind.unit, ind.aggregation, ind.polarity, ind.msg) == ("count", "sum", "down", True)
    assert ind.source == "data.police.uk, Open Government Licence v3.0"
    assert (ind.compare, ind.basis) == ("", "ytd")                       # no --compare: the monthly default


def test_reimporting_the_same_files_changes_nothing():
    run(DATA, "--publish")
    history = models.Observation.history.count()
    out = run(DATA, "--publish")
    # 30 force figures and 660 of its 22 local areas (15 measures x 2 months each)
    assert "leicestershire: 0 new, 0 changed, 690 unchanged" in out
    assert models.Observation.history.count() == history


def test_a_newer_archive_revises_with_history(tmp_path):
    run(DATA, "--publish")
    revised = tmp_path / "2018-11-leicestershire-street.csv"
    with gzip.open(DATA / "2018-11-leicestershire-street.csv.gz", "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    revised.write_text("\n".join(lines[:-10]) + "\n")          # ten crimes fewer
    out = run(revised, "--publish")
    assert "changed" in out and "leicestershire: 0 new" in out
    obs = models.Observation.objects.get(indicator__force__slug="leicestershire", indicator__code="policeuk-all-crime",
                                         month="2018-11-01", area__isnull=True)
    assert obs.history.count() == 2


def test_one_force_only_and_missing_months_stay_missing(tmp_path):
    shutil.copy(DATA / "2018-10-bedfordshire-street.csv.gz", tmp_path)
    shutil.copy(DATA / "2018-11-leicestershire-street.csv.gz", tmp_path)
    run(tmp_path, "--publish")
    months = set(models.Observation.objects.filter(indicator__force__slug="bedfordshire")  # areas' too
                 .values_list("month", flat=True))
    assert [f"{m:%Y-%m}" for m in months] == ["2018-10"]       # November is missing, not zero
    run(DATA, "--publish", "--force", "leicestershire")
    assert not models.Observation.objects.filter(indicator__force__slug="bedfordshire", month="2018-11-01").exists()


def test_a_zip_archive_is_read_in_place(tmp_path):
    archive = tmp_path / "latest.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in FILES:
            with gzip.open(path, "rb") as handle:
                z.writestr(f"{path.name[:7]}/{path.name[:-3]}", handle.read())
    assert "Read 30,092 rows from 4 file(s)" in run(archive, "--dry-run")
    assert models.Observation.objects.count() == 0


def test_round_trip_import_api_csv(client):
    run(DATA, "--publish")
    expected = independent_counts()
    data = client.get("/api/forces/leicestershire/indicators/policeuk-burglary/?period=2018-11").json()
    assert data["monthly"][-1]["value"] == expected[("leicestershire", "policeuk-burglary", "2018-11")]
    text = client.get("/api/forces/leicestershire/observations.csv?indicator=policeuk-all-crime").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    # the force's own rows (no area), then its local areas' rows (issue 30: the export has them too)
    assert [(r["month"], int(r["value"])) for r in rows if not r["area"]] == [
        (m, expected[("leicestershire", "policeuk-all-crime", m)]) for m in ("2018-10", "2018-11")]
    areas = [r for r in rows if r["area"]]
    assert areas and {r["month"] for r in areas} == {"2018-10", "2018-11"}
    assert all(0 <= int(r["value"]) <= expected[("leicestershire", "policeuk-all-crime", r["month"])] for r in areas)


def test_msg_comparison_on_open_data(client):
    call_command("load_population", str(SHARED / "data" / "population_police_force_areas_2009-2019.csv"),
                 stdout=io.StringIO())
    run(DATA, "--publish")
    leics = models.Force.objects.get(slug="leicestershire")
    leics.msg_peers.set([models.Force.objects.get(slug="bedfordshire")])
    data = client.get("/api/forces/leicestershire/indicators/policeuk-all-crime/?period=2018-11").json()
    assert data["rolling_12"] is None and data["msg"] is None            # two months are not twelve


# --compare (SPEC §6: the open-data counts may be compared as rolling years)

def compares():
    return dict(((slug, code), compare) for slug, code, compare in
                models.Indicator.objects.values_list("force__slug", "code", "compare"))


def test_compare_rolling_12_sets_it_on_the_indicators_it_creates_and_the_counts_stay_the_same():
    out = run(DATA, "--publish", "--compare", "rolling-12")
    assert "Compare rolling-12: 30 new indicator(s)." in out
    got = compares()
    # 15 measures (14 crime types seen, all crime) for each of the two forces
    assert len(got) == 30 and set(got.values()) == {"rolling-12"}
    burglary = models.Indicator.objects.get(force__slug="leicestershire", code="policeuk-burglary")
    assert burglary.basis == "rolling-12"
    expected = independent_counts()
    stored_now = stored()
    assert all(stored_now[key] == n for key, n in expected.items())
    assert stored_now[("leicestershire", "policeuk-all-crime", "2018-11")] == \
        expected[("leicestershire", "policeuk-all-crime", "2018-11")]
    assert sum(stored_now.values()) == sum(expected.values())
    # the same rows as without the option: 30 force figures a month, 15 per force and month
    assert models.Observation.objects.filter(area__isnull=True).count() == 60


def test_a_plans_compare_wins_unless_compare_existing_is_given():
    # a plan defined Leicestershire's burglary measure with its own compare
    leics = models.Force.objects.create(slug="leicestershire", name="Leicestershire Police")
    models.Indicator.objects.create(force=leics, code="policeuk-burglary", name="Burglary", unit="count",
                                    aggregation="sum", polarity="down", compare="rolling-3")
    out = run(DATA, "--publish", "--compare", "rolling-12")
    assert "Compare rolling-12: 29 new indicator(s); 1 existing one(s) keep theirs" in out
    got = compares()
    assert got[("leicestershire", "policeuk-burglary")] == "rolling-3"
    assert {v for k, v in got.items() if k != ("leicestershire", "policeuk-burglary")} == {"rolling-12"}
    before, history = stored(), models.Observation.history.count()
    # a dry run with --compare-existing changes nothing either
    run(DATA, "--dry-run", "--compare", "ytd", "--compare-existing")
    assert compares() == got
    out = run(DATA, "--publish", "--compare", "rolling-12", "--compare-existing")
    assert "Compare rolling-12: 0 new indicator(s); 1 existing one(s) changed, 29 had it already." in out
    assert set(compares().values()) == {"rolling-12"}
    # re-importing with the option leaves the figures exactly as they were
    assert stored() == before and models.Observation.history.count() == history
    assert "leicestershire: 0 new, 0 changed, 690 unchanged" in out


def test_an_import_without_compare_leaves_existing_compares_alone():
    run(DATA, "--publish", "--compare", "rolling-12")
    out = run(DATA, "--publish")
    assert "Compare" not in out and set(compares().values()) == {"rolling-12"}


@pytest.mark.parametrize("args,message", [
    (["--compare-existing"], "--compare-existing needs --compare BASIS"),
    (["--compare", "benchmark"], "argument --compare: invalid choice: 'benchmark'"),
    (["--compare", "rolling-6"], "argument --compare: invalid choice: 'rolling-6'"),
])
def test_bad_compare_options_are_clear_errors_and_write_nothing(args, message):
    with pytest.raises(CommandError) as excinfo:
        run(DATA, "--publish", *args)
    assert message in str(excinfo.value)
    assert models.Observation.objects.count() == 0 and models.Indicator.objects.count() == 0


def test_force_names_from_files_and_population_tables():
    assert force_for_name("Devon & Cornwall Police") == "devon-and-cornwall"
    assert force_for_name("Metropolitan Police Service") == "metropolitan"
    assert force_for_name("Metropolitan Police") == "metropolitan"
    assert force_for_name("Avon and Somerset") == "avon-and-somerset"
    assert force_for_name("British Transport Police") == "btp"
    assert force_for_name("Atlantis Police") is None


def test_load_population_creates_forces_and_years():
    out = io.StringIO()
    call_command("load_population", str(SHARED / "data" / "population_police_force_areas_2009-2019.csv"), stdout=out)
    assert "429 populations for 39 forces (39 new forces)" in out.getvalue()
    assert models.ForcePopulation.objects.get(force__slug="metropolitan", year=2019).population > 8_000_000


@pytest.mark.parametrize("make,message", [
    (lambda d: (d / "x-street.csv").write_text("a,b,c\n1,2,3\n"), "not a data.police.uk street-level file"),
    (lambda d: (d / "x-street.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
        "Last outcome category,Context\n,2018/10,x,Leicestershire Police,,,,,,Burglary,,\n"),
     "row 2, column Month: '2018/10' is not a month"),
    (lambda d: (d / "x-street.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
        "Last outcome category,Context\n,2018-10,x,Atlantis Police,,,,,,Burglary,,\n"),
     "\"Falls within\" 'Atlantis Police' matches no force (1 rows); add it, or use --skip-unknown"),
    (lambda d: zipfile.ZipFile(d / "empty.zip", "w").writestr("readme.txt", "nothing"),
     "the archive has no *-street.csv file"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path, make, message):
    make(tmp_path)
    target = next(iter(sorted(tmp_path.iterdir())))
    with pytest.raises(CommandError) as excinfo:
        run(target, "--publish")
    assert message in str(excinfo.value)
    assert models.Observation.objects.count() == 0 and models.Indicator.objects.count() == 0


def test_skip_unknown_lists_and_imports_the_rest(tmp_path):
    text = gzip.open(DATA / "2018-10-bedfordshire-street.csv.gz", "rt", encoding="utf-8").read()
    text += ",2018-10,x,Atlantis Police,,,,,,Burglary,,\n"
    (tmp_path / "2018-10-mixed-street.csv").write_text(text)
    out = run(tmp_path / "2018-10-mixed-street.csv", "--skip-unknown", "--publish")
    assert "skipped \"Atlantis Police\": matches no force (1 rows)" in out
    assert models.Observation.objects.filter(indicator__force__slug="bedfordshire", area__isnull=True).count() == 15


def test_a_truncated_gzip_of_the_real_file(tmp_path):
    data = (DATA / "2018-11-bedfordshire-street.csv.gz").read_bytes()
    (tmp_path / "2018-11-bedfordshire-street.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="the file is damaged or cut short"):
        run(tmp_path / "2018-11-bedfordshire-street.csv.gz")


def test_missing_path_is_a_clear_error():
    with pytest.raises(CommandError, match="no such file or folder"):
        run("/nonexistent/street.csv")


def test_unknown_force_option():
    with pytest.raises(CommandError, match="--force atlantis: not a data.police.uk force id"):
        run(DATA, "--force", "atlantis")


def test_files_are_unmodified():
    assert [p.name for p in FILES] == ["2018-10-bedfordshire-street.csv.gz", "2018-10-leicestershire-street.csv.gz",
                                       "2018-11-bedfordshire-street.csv.gz", "2018-11-leicestershire-street.csv.gz"]
    assert Path(DATA / "2018-10-bedfordshire-street.csv.gz").stat().st_size > 1000
