"""data.police.uk street files -> per local area figures (issue 18), checked
against an independent count of the real files in shared/data/policeuk/."""

import csv
import gzip
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command

from indicators import models
from indicators.opendata.policeuk import CRIME_TYPES, area_name
from tests.factories import SHARED, skip_unless_shared

pytestmark = pytest.mark.django_db
DATA = SHARED / "data" / "policeuk"
skip_unless_shared(DATA, f"the data.police.uk sample files are not at {DATA}", module=True)
FORCE = {"Leicestershire Police": "leicestershire", "Bedfordshire Police": "bedfordshire"}
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context\n")


def run(*args):
    out = io.StringIO()
    call_command("import_policeuk", *map(str, args), stdout=out)
    return out.getvalue()


def independent_area_counts():
    """(force, area name, code, month) -> n, with the csv module and a regex of its own."""
    counts = Counter()
    for path in sorted(DATA.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if not row["LSOA name"]:
                    continue
                area = re.match(r"^(.*) [0-9]{3}[A-Z]$", row["LSOA name"]).group(1)
                force = FORCE[row["Falls within"]]
                counts[(force, area, "policeuk-" + CRIME_TYPES[row["Crime type"]], row["Month"])] += 1
                if row["Crime type"] != "Anti-social behaviour":
                    counts[(force, area, "policeuk-all-crime", row["Month"])] += 1
    return counts


def stored_by_area():
    return {(o.indicator.force.slug, o.area.name, o.indicator.code, f"{o.month:%Y-%m}"): o.value
            for o in models.Observation.objects.filter(area__isnull=False).select_related("indicator__force", "area")}


def test_area_counts_equal_an_independent_count_of_the_files():
    run(DATA, "--publish")
    expected = independent_area_counts()
    got = stored_by_area()
    assert len(expected) == 482
    for key, n in expected.items():
        assert got[key] == n, key
    # every other area figure is a real zero: a measure the force published that month, none in the area
    assert all(v == 0 for k, v in got.items() if k not in expected)
    assert got[("leicestershire", "Leicester", "policeuk-all-crime", "2018-11")] == expected[
        ("leicestershire", "Leicester", "policeuk-all-crime", "2018-11")] > 1000
    areas = dict(models.LocalArea.objects.filter(force__slug="bedfordshire").values_list("name", "code"))
    assert areas["Central Bedfordshire"] == "central-bedfordshire" and areas["Luton"] == "luton"
    # the force's own figure is what was counted for the force: rows without a location count there only
    force_total = models.Observation.objects.get(indicator__force__slug="leicestershire", area__isnull=True,
                                                 indicator__code="policeuk-all-crime", month="2018-11-01").value
    area_sum = sum(v for (f, _a, code, m), v in got.items()
                   if f == "leicestershire" and code == "policeuk-all-crime" and m == "2018-11")
    assert force_total > area_sum


def test_reimport_changes_nothing_and_keeps_areas():
    run(DATA, "--publish")
    history, areas = models.Observation.history.count(), models.LocalArea.objects.count()
    out = run(DATA, "--publish")
    assert " 0 new, 0 changed" in out and "0 return(s)" in out
    assert (models.Observation.history.count(), models.LocalArea.objects.count()) == (history, areas)


def test_area_name_rules():
    assert area_name("Bromsgrove 004A") == "Bromsgrove"
    assert area_name("Hinckley and Bosworth 011C") == "Hinckley and Bosworth"
    assert area_name("Bromsgrove") == "Bromsgrove"           # no trailing code: the whole name
    assert area_name("") == ""                               # no location: the force only


def test_lsoa_name_without_code_and_rows_without_location(tmp_path):
    (tmp_path / "2018-10-x-street.csv").write_text(
        HEADER
        + ",2018-10,x,Leicestershire Police,,,,E01,Melton 001A,Burglary,,\n"
        + ",2018-10,x,Leicestershire Police,,,,,Melton,Burglary,,\n"
        + ",2018-10,x,Leicestershire Police,,,,,,Burglary,,\n"
        + ",2018-10,x,Leicestershire Police,,,,E01,Rutland 002B,Drugs,,\n")
    run(tmp_path, "--publish")
    obs = {(o.area.code if o.area else None, o.indicator.code): o.value
           for o in models.Observation.objects.select_related("area", "indicator")}
    assert obs[(None, "policeuk-burglary")] == 3               # the force: every row
    assert obs[("melton", "policeuk-burglary")] == 2           # "Melton 001A" and "Melton" are one area
    assert obs[("rutland", "policeuk-burglary")] == 0          # a zero within the force's published month
    assert obs[("rutland", "policeuk-drugs")] == 1
    assert models.LocalArea.objects.filter(force__slug="leicestershire").count() == 2


def test_an_area_name_of_two_forces_is_two_areas_and_a_plan_area_is_matched_by_name(tmp_path):
    leics = models.Force.objects.create(slug="leicestershire", name="Leicestershire Police")
    planned = models.LocalArea.objects.create(force=leics, code="E06000016", name="Leicester")
    (tmp_path / "2018-10-x-street.csv").write_text(
        HEADER
        + ",2018-10,x,Leicestershire Police,,,,E01,Leicester 001A,Burglary,,\n"
        + ",2018-10,x,Leicestershire Police,,,,E01,Kettering 001A,Burglary,,\n"
        + ",2018-10,x,Bedfordshire Police,,,,E01,Kettering 002A,Burglary,,\n")
    run(tmp_path, "--publish")
    kettering = models.LocalArea.objects.filter(name="Kettering").order_by("force__slug")
    assert [(a.force.slug, a.code) for a in kettering] == [("bedfordshire", "kettering"),
                                                          ("leicestershire", "kettering")]
    assert models.Observation.objects.get(area=planned, indicator__code="policeuk-burglary").value == 1
    assert not models.LocalArea.objects.filter(force=leics, code="leicester").exists()


def test_a_failed_import_leaves_no_area(tmp_path):
    (tmp_path / "2018-10-x-street.csv").write_text(
        HEADER + ",2018-10,x,Leicestershire Police,,,,E01,Melton 001A,Burglary,,\n"
        + ",2018-10,x,Leicestershire Police,,,,E01,Melton 001A,Burglary,,\n")
    run(tmp_path, "--dry-run")
    assert models.LocalArea.objects.count() == 0 and models.Observation.objects.count() == 0


def test_areas_api_and_page_for_an_open_data_measure(client):
    run(DATA, "--publish")
    data = client.get("/api/forces/leicestershire/indicators/policeuk-all-crime/areas/?period=2018-11").json()
    by_name = {a["name"]: a for a in data["areas"]}
    assert (data["force"], data["indicator"], data["period"]) == ("leicestershire", "policeuk-all-crime", "2018-11")
    assert len(by_name) == 22 and by_name["Leicester"]["code"] == "leicester"
    # two months are not a year to date from April: no YTD, never a partial sum or a zero
    assert by_name["Leicester"]["ytd"] is None and by_name["Leicester"]["rate_per_1000"] is None
    html = client.get("/leicestershire/areas/?period=2018-11").content.decode()
    assert "Hinckley and Bosworth" in html and "Leicester" in html
    page = client.get("/leicestershire/areas/leicester/?period=2018-11")
    assert page.status_code == 200 and "Leicester" in page.content.decode()
