"""The figures pccperf holds, as a return file and as JSON (issue 30):
local areas' rows, the §6 columns and `illustrative`; exporting a force's
figures and importing the file into an empty copy of its plan gives the same
figures, labelled alike; observations.json pages through the same rows by
cursor."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from indicators import models
from indicators.returns.file import ALL_COLUMNS

CURRENT = Path(__file__).resolve().parent.parent / "fixtures" / "current"
pytestmark = pytest.mark.django_db


def export(client, slug: str, query: str = "") -> str:
    response = client.get(f"/api/v1/forces/{slug}/observations.csv{query}")
    assert response.status_code == 200
    return response.content.decode()


def empty_the_plan(slug: str) -> None:
    """Keep the force, its plan, measures and local areas; remove every figure and return."""
    models.Observation.objects.filter(indicator__force__slug=slug).delete()
    models.ReturnLine.objects.filter(indicator__force__slug=slug).delete()
    models.Return.objects.filter(force__slug=slug).exclude(observations__isnull=False).delete()
    assert not models.Observation.objects.filter(indicator__force__slug=slug).exists()


def flags(slug: str) -> list:
    """Every figure of the force by (code, area, month), with its flag and its §6 fields."""
    return sorted(models.Observation.objects.filter(indicator__force__slug=slug).values_list(
        "indicator__code", "area__code", "month", "first_month", "value", "numerator", "denominator", "status",
        "note", "lower", "upper", "illustrative"), key=repr)


def every_page(client, slug: str) -> list[dict]:
    rows, _ = _pages(client, f"/api/v1/forces/{slug}/observations.json?limit=5000")
    return rows


def round_trip(client, slug: str, tmp_path) -> tuple[str, str]:
    """The CSV before and after; the figures (flags included) and the JSON are equal too."""
    held, pages = flags(slug), every_page(client, slug)
    before = export(client, slug)
    empty_the_plan(slug)
    path = tmp_path / f"{slug}.csv"
    path.write_text(before)
    out = StringIO()
    call_command("import_return", str(path), "--publish", "--accept-warnings", stdout=out, stderr=out)
    assert flags(slug) == held
    assert every_page(client, slug) == pages
    return before, export(client, slug)


def test_a_current_plan_round_trips_with_its_from_lower_and_upper(client, tmp_path):
    """First in the module: before the demo is loaded for the tests below."""
    call_command("load_plan", str(CURRENT / "essex.plan.yaml"), stdout=StringIO())
    call_command("import_return", str(CURRENT / "essex.return.csv"), "--publish", stdout=StringIO(), stderr=StringIO())
    ind = models.Indicator.objects.get(force__slug="essex", code="confidence")
    area, _ = models.LocalArea.objects.get_or_create(force=ind.force, code="E07000070",
                                                     defaults={"name": "Chelmsford"})
    models.Observation.objects.create(indicator=ind, area=area, month="2022-12-01", first_month="2022-01-01",
                                      value=71.5, lower=68.25, upper=74.75, note="a survey wave", illustrative=True)
    before, after = round_trip(client, "essex", tmp_path)
    header = before.splitlines()[0]
    assert header == ("force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper,"
                      "illustrative")
    assert "essex,confidence,2022-12,71.5,,,final,a survey wave,E07000070,2022-01,68.25,74.75,true" in before
    assert before.count(",true\n") == 1 and before.count(",false\n") == before.count("\n") - 2
    assert after == before
    figure = models.Observation.objects.get(indicator=ind, area=area)
    assert (figure.first_month.isoformat(), figure.lower, figure.upper, figure.illustrative) == (
        "2022-01-01", 68.25, 74.75, True)
    assert models.Observation.objects.filter(indicator__force__slug="essex", illustrative=True).count() == 1


def test_without_an_illustrative_figure_the_export_has_no_such_column(client, plan_file):
    from tests.factories import EXAMPLE_PLAN, make_observation

    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    make_observation(models.Indicator.objects.get(force__slug="west-mercia", code="vwi"), "2013-04-01", 512)
    assert export(client, "west-mercia").splitlines() == [
        "force,indicator,month,value,numerator,denominator,status,note", "west-mercia,vwi,2013-04,512,,,final,"]


def test_the_export_has_local_areas_rows_and_is_a_return_file(client, demo):
    text = export(client, "essex")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:8] == ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note"]
    assert set(rows[0]) <= set(ALL_COLUMNS) and "area" in rows[0]
    areas = {r["area"] for r in rows}
    assert "" in areas and "E07000066" in areas and len(areas) > 10
    # a local area's figures never change the force's: the force's own rows are as before
    whole = [r for r in rows if r["area"] == "" and r["indicator"] == "all-crime"]
    held = models.Observation.objects.filter(indicator__force__slug="essex", indicator__code="all-crime",
                                             area__isnull=True)
    assert len(whole) == held.count()
    one = list(csv.DictReader(io.StringIO(export(client, "essex", "?area=E07000066&indicator=all-crime"))))
    assert one and {r["area"] for r in one} == {"E07000066"} and {r["indicator"] for r in one} == {"all-crime"}
    assert client.get("/api/v1/forces/essex/observations.csv?area=nowhere").status_code == 404


def test_a_demo_force_round_trips_through_an_empty_copy_of_its_plan(client, demo, tmp_path):
    """Essex's demo figures are mostly illustrative: they come back so, and the page still says so."""
    illustrative = models.Observation.objects.filter(indicator__force__slug="essex", illustrative=True).count()
    assert illustrative > models.Observation.objects.filter(indicator__force__slug="essex").count() / 2
    before, after = round_trip(client, "essex", tmp_path)
    assert before.count("\n") > 1000 and ",E07000066" in before
    assert before.splitlines()[0].endswith(",area,illustrative")
    assert before.count(",true\n") == illustrative
    assert after == before
    assert models.Observation.objects.filter(indicator__force__slug="essex", illustrative=True).count() == illustrative
    page = client.get("/essex/").content.decode()
    state = page[page.index('<dl class="state">'):page.index("</dl>")]
    assert "Illustrative</span> generated for the demo, not published" in state


def _pages(client, url: str) -> tuple[list[dict], int]:
    rows, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["observations"]
        url = body["next"]
        pages += 1
    return rows, pages


def test_observations_json_pages_through_the_csvs_rows(client, demo):
    every, pages = _pages(client, "/api/v1/forces/essex/observations.json?from=2012-04&limit=700")
    csv_rows = list(csv.DictReader(io.StringIO(export(client, "essex", "?from=2012-04"))))
    assert pages > 2 and len(every) == len(csv_rows)
    assert [(r["indicator"], r["area"] or "", r["month"]) for r in every] == \
           [(r["indicator"], r["area"], r["month"]) for r in csv_rows]
    assert all(r["illustrative"] in (True, False) for r in every) and any(r["illustrative"] for r in every)
    first = every[0]
    assert set(first) == {"indicator", "area", "month", "from", "value", "numerator", "denominator", "status",
                          "note", "lower", "upper", "illustrative"}


def test_observations_json_pages_include_drafts_for_an_analyst_only(client, demo):
    from datetime import date

    from tests.factories import make_observation, make_return, make_user

    essex = models.Force.objects.get(slug="essex")
    ind = models.Indicator.objects.get(force=essex, code="all-crime")
    latest = models.Observation.objects.filter(indicator=ind, area__isnull=True).latest("month").month
    month = date(latest.year + (latest.month == 12), latest.month % 12 + 1, 1)
    make_observation(ind, month, 4321, source_return=make_return(essex, state=models.ReturnState.DRAFT,
                                                                   period="draft"))
    url = "/api/v1/forces/essex/observations.json?indicator=all-crime&limit=50"
    public, _ = _pages(client, url)
    assert 4321 not in [r["value"] for r in public]
    client.force_login(make_user("essex-analyst", role="analyst", forces=[essex]))
    drafts, _ = _pages(client, url)
    assert [r["value"] for r in drafts].count(4321) == 1 and len(drafts) == len(public) + 1
    keys = [(r["indicator"], r["area"] or "", r["month"]) for r in drafts]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize("query,message", [
    ("limit=0", "limit: '0' is not a whole number from 1 to 5000"),
    ("limit=5001", "limit: '5001'"),
    ("limit=ten", "limit: 'ten'"),
    ("cursor=nonsense", "cursor: not a cursor this API gave"),
    ("from=2013-13", "from: '2013-13' is not a month"),
])
def test_observations_json_bad_parameters_are_400_naming_them(client, demo, query, message):
    response = client.get(f"/api/v1/forces/essex/observations.json?{query}")
    assert response.status_code == 400 and message in response.json()["error"]
