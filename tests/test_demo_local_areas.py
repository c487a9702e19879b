"""The demo's Essex local areas (issue 18): the 14 Community Safety
Partnership districts with the priorities Annex A of the Essex plan gives
them, checked against the seed's own text, and illustrative district series
that add up exactly to the force's figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from django.db.models import Sum

from indicators import models
from indicators.dataio.demo import LOCAL_SERIES
from tests.factories import SHARED, skip_unless_shared

pytestmark = pytest.mark.django_db
SEED = SHARED / "seeds" / "002_6d4955b99a8e38db.txt"
skip_unless_shared(SEED, f"the Essex plan seed is not at {SEED}", module=True)


def annex_a() -> tuple[list[str], dict[str, set[str]]]:
    """The seed's district x priority matrix, read from its text: the
    priorities (columns) and, for each district, the priorities ticked."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("CSP District\tAnti-Social Behaviour"))
    columns = lines[start].split("\t")[1:]
    ticked = {}
    for line in lines[start + 1:]:
        cells = line.split("\t")
        if len(cells) != len(columns) + 1:
            break
        ticked[cells[0]] = {col for col, cell in zip(columns, cells[1:]) if "✓" in cell}
    return columns, ticked


def test_the_14_districts_and_their_annex_a_priorities_are_the_seeds(demo):
    columns, ticked = annex_a()
    districts = {name: chosen for name, chosen in ticked.items() if name != "Safer Essex"}   # county-wide, not a district
    assert len(districts) == 14 and len(columns) == 18
    areas = {a.name: a for a in models.LocalArea.objects.filter(force__slug="essex")}
    assert set(areas) == set(districts)
    plan = models.Plan.objects.get(force__slug="essex")
    chosen = defaultdict(set)
    titles = []
    for priority in plan.priorities.filter(number__gte=9).order_by("number").prefetch_related("local_areas"):
        titles.append(priority.title)
        for area in priority.local_areas.all():
            chosen[area.name].add(priority.title)
    assert titles == columns
    assert dict(chosen) == {name: picks for name, picks in districts.items() if picks}
    assert chosen["Chelmsford"] == {"Anti-Social Behaviour", "Alcohol/Drugs", "Reducing Crime and Reoffending",
                                    "Dwelling Burglary", "Burglary Other", "Night Time Economy",
                                    "Other Theft/ Handling", "Violent Crime", "Protecting Vulnerable People"}
    assert areas["Southend"].code == "E06000033" and areas["Thurrock"].code == "E06000034"
    # the second table of Annex A: a district's priorities in its own words
    assert "Domestic abuse, dwelling burglary, assaults and ASB" in areas["Harlow"].notes
    assert "(VAWG)" in areas["Thurrock"].notes


def test_district_series_add_up_to_the_force_and_are_illustrative(demo):
    for code in LOCAL_SERIES["essex"]:
        obs = models.Observation.objects.filter(indicator__force__slug="essex", indicator__code=code)
        force = dict(obs.filter(area__isnull=True).values_list("month", "value"))
        areas = dict(obs.filter(area__isnull=False).values("month").annotate(t=Sum("value")).values_list("month", "t"))
        # every month of Essex's own series (to March 2014; later months are Leicestershire's MSG peer figures)
        assert areas == {m: v for m, v in force.items() if v is not None and m <= date(2014, 3, 1)}, code
        assert obs.filter(area__isnull=False).values("area").distinct().count() == 14
        assert all(n.startswith("Illustrative") for n in obs.filter(area__isnull=False).values_list("note", flat=True))
    assert not models.LocalAreaPopulation.objects.filter(area__force__slug="essex").exists()


def test_essex_areas_page_shows_the_districts_and_the_matrix(demo, client):
    html = client.get("/essex/areas/").content.decode()
    assert html.count('<th scope="row">Basildon</th>') == 1            # the matrix row
    for name in ("Castlepoint", "Uttlesford", "Thurrock", "Southend"):
        assert name in html
    matrix = html[html.index('id="matrix-heading"'):]
    assert "Youth Offending (O-17yrs)" in matrix and "Chosen" in matrix and "Not chosen" in matrix
    assert "No rate per 1,000 people" in html                          # no population source: said, not hidden
    assert "All crime</a> by local area" in html
    assert "Illustrative" in html
    page = client.get("/essex/areas/E07000070/").content.decode()
    assert "Chelmsford" in page and "Night Time Economy" in page and "Show the data in this chart" in page
    dashboard = client.get("/essex/").content.decode()
    assert "/essex/areas/?period=" in dashboard


def test_reloading_the_demo_changes_no_area_figure(demo):
    from indicators.dataio.demo import load_demo

    history = models.Observation.history.filter(area__isnull=False).count()
    load_demo()
    assert models.Observation.history.filter(area__isnull=False).count() == history
    assert date(2013, 4, 1) in set(models.Observation.objects.filter(area__isnull=False).values_list("month", flat=True))


def test_the_dashboard_lists_priorities_without_measures_once(demo, client):
    """The 18 Annex A priorities have no measures of their own: the Essex
    dashboard lists them (with the plan's first priority) in one list linking
    to the local areas, not as 19 empty tables."""
    columns, _ = annex_a()
    page = client.get("/essex/?period=2014-03").content.decode()
    assert "No measures are set" not in page
    assert page.count('class="priority unmeasured"') == 1
    listed = page[page.index('class="unmeasured-list"'):]
    listed = listed[:listed.index("</ul>")]
    assert listed.count("<li>") == len(columns) + 1 == 19
    for column in ("Anti-Social Behaviour", "Night Time Economy", "Road Safety"):
        assert f". {column}</a></li>" in listed
    assert 'href="/essex/areas/?period=2014-03">local areas</a>' in page


def test_the_local_areas_pages_have_the_forces_header_links(demo, client):
    for path in ("/essex/areas/?period=2014-03", "/essex/areas/E07000066/?period=2014-03"):
        page = client.get(path).content.decode()
        assert 'href="/essex/report/?period=2014-03"' in page and 'href="/essex/?period=2014-03"' in page
        assert 'href="/essex/report/?period=2014-03&amp;format=pdf"' in page
