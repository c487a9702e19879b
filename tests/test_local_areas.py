"""Local areas (issue 18, SPEC §1 and §4 "Local areas"): the force's own
figure stays what was returned for the force; areas' figures are computed by
the same engine; pages, API and the return file's area column."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from indicators import models
from indicators.periods import add_months
from indicators.returns.file import ReturnFileError, check_rows, read_table
from indicators.returns.workflow import catalogue_for, stage
from tests.factories import make_force, make_indicator, make_return, make_user

pytestmark = pytest.mark.django_db
PERIOD = date(2013, 6, 1)


def months(first=date(2011, 4, 1), last=PERIOD):
    m = first
    while m <= last:
        yield m
        m = add_months(m, 1)


@pytest.fixture
def world():
    """West Mercia with two local areas (Worcester with a population), all
    crime for the force and each area from April 2011 to June 2013."""
    force = make_force()
    worcester = models.LocalArea.objects.create(force=force, code="E07000237", name="Worcester")
    bromsgrove = models.LocalArea.objects.create(force=force, code="E07000234", name="Bromsgrove")
    models.LocalAreaPopulation.objects.create(area=worcester, year=2012, population=99_000)
    crime = make_indicator(force, code="all-crime", name="All crime")
    make_indicator(force, code="sat", name="Satisfaction", unit="percent", aggregation="ratio", polarity="up")
    published = make_return(force)
    rows = []
    for k, m in enumerate(months()):
        w, b = 100 + (k % 5), 50 + (k % 3)
        rows += [models.Observation(indicator=crime, month=m, value=w + b + 7, source_return=published),
                 models.Observation(indicator=crime, area=worcester, month=m, value=w, source_return=published),
                 models.Observation(indicator=crime, area=bromsgrove, month=m, value=b, source_return=published)]
    models.Observation.objects.bulk_create(rows)
    return {"force": force, "worcester": worcester, "bromsgrove": bromsgrove, "crime": crime}


def test_one_figure_per_indicator_area_and_month(world):
    crime, worcester = world["crime"], world["worcester"]
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Observation.objects.create(indicator=crime, area=worcester, month=PERIOD, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Observation.objects.create(indicator=crime, month=PERIOD, value=1)     # the force's, twice
    other = models.LocalArea.objects.create(force=world["force"], code="E07000235", name="Malvern Hills")
    models.Observation.objects.create(indicator=crime, area=other, month=PERIOD, value=1)


def test_force_figures_are_the_forces_own_not_the_sum_of_areas(client, world):
    data = client.get("/api/forces/west-mercia/indicators/all-crime/?period=2013-06").json()
    force_ytd = sum(100 + (k % 5) + 50 + (k % 3) + 7 for k, m in enumerate(months()) if m >= date(2013, 4, 1))
    assert data["ytd"] == force_ytd
    assert len(data["monthly"]) == len(list(months(date(2011, 4, 1))))    # one figure a month: the force's
    text = client.get("/api/forces/west-mercia/observations.csv?indicator=all-crime&from=2013-06").content.decode()
    # the force's row is what was returned for it; each area has its own row (issue 30), never summed in
    assert text.splitlines()[1:] == [f"west-mercia,all-crime,2013-06,{100 + 26 % 5 + 50 + 26 % 3 + 7},,,final,,",
                                     f"west-mercia,all-crime,2013-06,{50 + 26 % 3},,,final,,E07000234",
                                     f"west-mercia,all-crime,2013-06,{100 + 26 % 5},,,final,,E07000237"]


def test_api_areas_by_the_same_engine(client, world):
    data = client.get("/api/forces/west-mercia/indicators/all-crime/areas/?period=2013-06").json()
    assert set(data) == {"force", "indicator", "period", "areas"}
    assert (data["force"], data["indicator"], data["period"]) == ("west-mercia", "all-crime", "2013-06")
    by_code = {a["code"]: a for a in data["areas"]}
    assert set(by_code) == {"E07000237", "E07000234"}
    w = by_code["E07000237"]
    assert set(w) == {"code", "name", "ytd", "last_ytd", "change", "change_pct", "significance", "spc",
                      "rate_per_1000", "rolling_12"}
    ytd = [100 + (k % 5) for k, m in enumerate(months()) if m >= date(2013, 4, 1)]
    last = [100 + (k % 5) for k, m in enumerate(months()) if date(2012, 4, 1) <= m <= date(2012, 6, 1)]
    r12 = [100 + (k % 5) for k, m in enumerate(months()) if m > date(2012, 6, 1)]
    assert (w["ytd"], w["last_ytd"], w["change"]) == (sum(ytd), sum(last), sum(ytd) - sum(last))
    assert w["rolling_12"] == sum(r12)
    assert w["rate_per_1000"] == pytest.approx(1000 * sum(r12) / 99_000)
    assert by_code["E07000234"]["rate_per_1000"] is None                  # no population
    assert w["significance"]["test"] == "binomial" and w["spc"]["variation"] is not None
    # the same numbers as the engine gives a force with those figures: the one engine
    force_api = client.get("/api/forces/west-mercia/indicators/all-crime/?period=2013-06").json()
    assert force_api["significance"]["test"] == w["significance"]["test"]
    assert client.get("/api/forces/west-mercia/indicators/nope/areas/").status_code == 404
    assert client.get("/api/forces/west-mercia/indicators/all-crime/areas/?period=2013-13").status_code == 400
    assert client.get("/api/forces/west-mercia/indicators/sat/areas/?period=2013-06").json()["areas"] == []


def test_areas_page_lists_every_area_sorted_and_the_difference(client, world):
    html = client.get("/west-mercia/areas/?period=2013-06").content.decode()
    assert "Worcester" in html and "Bromsgrove" in html and "All crime" in html
    # the areas add up to 21 fewer than the force's own figure (7 a month over 3 months)
    assert "21 more than the areas" in html
    by_name = client.get("/west-mercia/areas/?period=2013-06&sort=name").content.decode()
    table = by_name[by_name.index("by local area"):]
    assert table.index("Bromsgrove") < table.index("Worcester")
    by_ytd = client.get("/west-mercia/areas/?period=2013-06&sort=ytd").content.decode()
    table = by_ytd[by_ytd.index("by local area"):]
    assert table.index("Worcester") < table.index("Bromsgrove")
    assert 'aria-sort="descending"' in by_ytd
    assert client.get("/west-mercia/areas/?sort=bogus").status_code == 400
    models.Plan.objects.create(force=world["force"], title="Plan", start=date(2013, 4, 1), end=date(2017, 3, 31))
    dashboard = client.get("/west-mercia/?period=2013-06").content.decode()
    assert "/west-mercia/areas/?period=2013-06" in dashboard


def test_area_page_has_charts_tables_and_comparison(client, world):
    response = client.get("/west-mercia/areas/E07000237/?period=2013-06")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Worcester (this area)" in html and "Bromsgrove" in html
    assert "Show the data in this chart" in html
    assert client.get("/west-mercia/areas/nowhere/").status_code == 404


def test_drafts_of_areas_are_seen_by_the_forces_analyst_only(client, world):
    draft = make_return(world["force"], state=models.ReturnState.DRAFT, period="2013/14 Q2")
    models.ReturnLine.objects.create(source_return=draft, indicator=world["crime"], area=world["worcester"],
                                     month=date(2013, 7, 1), value=999)
    url = "/api/forces/west-mercia/indicators/all-crime/areas/?period=2013-07"
    public = {a["code"]: a for a in client.get(url).json()["areas"]}
    assert public["E07000237"]["ytd"] is None                            # July is not published
    client.force_login(make_user("ana", role="analyst", forces=[world["force"]]))
    mine = {a["code"]: a for a in client.get(url).json()["areas"]}
    assert mine["E07000237"]["ytd"] == 999 + sum(100 + (k % 5) for k, m in enumerate(months())
                                                 if m >= date(2013, 4, 1))


# --- the return file's area column -------------------------------------------------------------------------

def _check(text: str, user=None):
    header, body = read_table(text.encode())
    return check_rows(header, body, catalogue_for(user), today=date(2026, 1, 1))


def test_return_file_area_column(world):
    other = make_force(slug="essex", name="Essex Police")
    models.LocalArea.objects.create(force=other, code="E07000066", name="Basildon")
    make_indicator(other, code="all-crime", name="All crime")
    head = "force,indicator,month,value,numerator,denominator,status,note,area\n"
    rows = _check(head + "west-mercia,all-crime,2013-07,5,,,final,,E07000237\n"
                         "west-mercia,all-crime,2013-07,9,,,final,,\n"
                         "west-mercia,all-crime,2013-07,4,,,final,,E07000234\n")
    assert [(r.area, r.area_id is not None, r.value) for r in rows] == [
        ("E07000237", True, 5), ("", False, 9), ("E07000234", True, 4)]
    with pytest.raises(ReturnFileError) as exc:
        _check(head + "west-mercia,all-crime,2013-07,5,,,final,,E07000066\n"
                      "west-mercia,all-crime,2013-07,5,,,final,,E0000\n"
                      "west-mercia,all-crime,2013-08,5,,,final,,E07000237\n"
                      "west-mercia,all-crime,2013-08,6,,,final,,E07000237\n")
    assert [str(p) for p in exc.value.problems] == [
        "row 2, column area: 'E07000066' is a local area of essex, not of 'west-mercia'; a figure is for an "
        "area of its own force",
        "row 3, column area: force 'west-mercia' has no local area 'E0000' (its areas: E07000234, E07000237)",
        "row 5: the same force, indicator, area and month as row 4",
    ]
    stage(rows, user=None, source="test", publish=True)
    july = dict(models.Observation.objects.filter(month=date(2013, 7, 1)).values_list("area__code", "value"))
    assert july == {"E07000237": 5, None: 9, "E07000234": 4}
    again = stage(rows, user=None, source="test", publish=True)
    assert again.nothing_changed
    changed = _check(head + "west-mercia,all-crime,2013-07,6,,,final,,E07000237\n")
    summary = stage(changed, user=None, source="test", publish=True)
    assert summary.counts["west-mercia"]["changed"] == 1
    obs = models.Observation.objects.get(area__code="E07000237", month=date(2013, 7, 1))
    assert obs.value == 6 and obs.history.count() == 2
    assert models.Observation.objects.get(area__isnull=True, indicator=world["crime"], month=date(2013, 7, 1)).value == 9


def test_staged_area_lines_publish_per_area(world):
    from indicators.returns.workflow import publish_return

    head = "force,indicator,month,value,numerator,denominator,status,note,area\n"
    rows = _check(head + "west-mercia,all-crime,2013-07,5,,,final,,E07000237\n"
                         "west-mercia,all-crime,2013-07,4,,,final,,E07000234\n")
    summary = stage(rows, user=None, source="test")
    ret = summary.returns[0]
    assert ret.lines.filter(area__isnull=False).count() == 2
    assert not models.Observation.objects.filter(month=date(2013, 7, 1)).exists()
    publish_return(ret, user=None)
    assert dict(models.Observation.objects.filter(month=date(2013, 7, 1)).values_list("area__code", "value")) == {
        "E07000237": 5, "E07000234": 4}


def test_export_import_round_trip_keeps_areas(world, tmp_path):
    call_command("export_data", "--output", str(tmp_path / "out"), stdout=io.StringIO())
    text = (tmp_path / "out" / "observations" / "west-mercia.csv").read_text()
    assert text.splitlines()[0].endswith(",area,from,lower,upper") and ",E07000237" in text
    def figures():
        return sorted((c, a or "", m, v) for c, a, m, v in
                      models.Observation.objects.values_list("indicator__code", "area__code", "month", "value"))

    before = figures()
    models.Observation.objects.all().delete()
    models.Return.objects.all().delete()
    models.LocalArea.objects.all().delete()
    models.Indicator.objects.all().delete()
    models.Force.objects.all().delete()
    call_command("import_data", str(tmp_path / "out"), stdout=io.StringIO())
    assert figures() == before
    assert models.LocalAreaPopulation.objects.get(area__code="E07000237").population == 99_000


# --- plans -------------------------------------------------------------------------------------------------

PLAN = """\
force:
  slug: west-mercia
  name: West Mercia Police
  local_areas:
{areas}
plan:
  title: Plan
  start: 2013-04-01
  end: 2017-03-31
  areas:
    - number: 1
      title: Crime
      priorities:
        - number: 1
          title: Less crime
          local_areas: [{chosen}]
          indicators:
            - {{code: all-crime, name: All crime, unit: count, aggregation: sum, polarity: down}}
"""


def _load(areas: str, chosen: str):
    from indicators.plans.file import parse_plan_file
    from indicators.plans.load import load_plan

    return load_plan(parse_plan_file(PLAN.format(areas=areas, chosen=chosen)))


def test_a_plan_that_drops_an_area_with_figures_keeps_the_area(world):
    _load("    - {code: E07000237, name: Worcester}\n    - {code: E07000234, name: Bromsgrove}",
          "E07000237, E07000234")
    priority = models.StrategicPriority.objects.get(number=1)
    assert set(priority.local_areas.values_list("code", flat=True)) == {"E07000237", "E07000234"}
    _load("    - {code: E07000237, name: Worcester}", "E07000237")
    # Bromsgrove, which has figures, is kept with them; it is no longer one of the priority's areas
    assert models.LocalArea.objects.filter(code="E07000234").exists()
    assert models.Observation.objects.filter(area__code="E07000234").count() == len(list(months()))
    assert list(priority.local_areas.values_list("code", flat=True)) == ["E07000237"]
    with pytest.raises(models.models.ProtectedError):
        world["bromsgrove"].delete()                     # figures protect their area


def test_an_area_name_in_two_forces_is_two_areas(world):
    essex = make_force(slug="essex", name="Essex Police")
    models.LocalArea.objects.create(force=essex, code="worcester", name="Worcester")
    assert models.LocalArea.objects.filter(name="Worcester").count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        models.LocalArea.objects.create(force=essex, code="other", name="Worcester")


# --- the panel report's optional section ---------------------------------------------------------------

def test_export_report_with_areas(world, tmp_path):
    models.Plan.objects.create(force=world["force"], title="Plan", start=date(2013, 4, 1), end=date(2017, 3, 31))
    plain, with_areas = tmp_path / "plain.html", tmp_path / "areas.html"
    call_command("export_report", "--force", "west-mercia", "--period", "2013-06", "--output", str(plain),
                 stdout=io.StringIO())
    call_command("export_report", "--force", "west-mercia", "--period", "2013-06", "--output", str(with_areas),
                 "--areas", stdout=io.StringIO())
    assert 'id="local-areas"' not in plain.read_text()
    html = with_areas.read_text()
    section = html[html.index('id="local-areas"'):]
    assert "All crime by local area" in section and "Worcester" in section and "Bromsgrove" in section
    assert "21 more than the areas" in section


def test_a_stale_area_draft_names_its_area(world):
    from indicators.returns.workflow import StaleDraft, publish_return

    head = "force,indicator,month,value,numerator,denominator,status,note,area\n"
    older = stage(_check(head + "west-mercia,all-crime,2013-07,5,,,final,,E07000237\n"), user=None,
                  source="older").returns[0]
    stage(_check(head + "west-mercia,all-crime,2013-07,6,,,final,,E07000237\n"
                        "west-mercia,all-crime,2013-07,8,,,final,,\n"), user=None, source="newer", publish=True)
    with pytest.raises(StaleDraft) as exc:
        publish_return(older, user=None)
    [conflict] = exc.value.conflicts                  # the force's own July figure is no conflict
    assert conflict.area == "E07000237" and "all-crime E07000237 July 2013" in conflict.describe()
    publish_return(older, user=None, confirm=[conflict.key])
    assert models.Observation.objects.get(area__code="E07000237", month=date(2013, 7, 1)).value == 5
    assert models.Observation.objects.get(area__isnull=True, indicator=world["crime"], month=date(2013, 7, 1)).value == 8


def test_a_figure_for_another_forces_area_is_refused_by_the_model(world):
    from django.core.exceptions import ValidationError

    essex = make_force(slug="essex", name="Essex Police")
    basildon = models.LocalArea.objects.create(force=essex, code="E07000066", name="Basildon")
    obs = models.Observation(indicator=world["crime"], area=basildon, month=date(2013, 7, 1), value=1)
    with pytest.raises(ValidationError, match="another force"):
        obs.full_clean()


def test_admin_lists_area_figures(world, client):
    client.force_login(make_user("root", superuser=True))
    html = client.get("/admin/indicators/observation/?area__isnull=False").content.decode()
    assert "Worcester (E07000237)" in html


def test_a_local_areas_figure_is_warned_against_that_areas_own_figures(world):
    """SPEC §4 Warnings per area: Bromsgrove's 200 is over 3x Bromsgrove's June
    (about 50) and July last year; the force's ~160 a month must not hide it,
    and the force's own 160 is no warning."""
    from indicators.returns.figure_warnings import find_warnings

    head = "force,indicator,month,value,numerator,denominator,status,note,area\n"
    rows = _check(head + "west-mercia,all-crime,2013-07,200,,,final,,E07000234\n"
                         "west-mercia,all-crime,2013-07,160,,,final,,\n"
                         "west-mercia,all-crime,2013-07,104,,,final,,E07000237\n")
    warnings = find_warnings(rows)
    assert [str(w) for w in warnings] == [
        "row 2, column value: warning: 200 is more than 3× the previous month (Jun 2013: 52) and the same month "
        "last year (Jul 2012: 50)"]
