"""Every indicator in the API carries the plan's rating (SPEC §3 "Ratings",
§4 `rating`): Leicestershire's plan judges by significance (no numerical
targets: "continuous improvement"), West Mercia's by targets."""

import pytest

from indicators import models

pytestmark = pytest.mark.django_db


def judge(force: str, method: str) -> None:
    """Set the plan's assessment in the test database (not from the demo files)."""
    models.Plan.objects.filter(force__slug=force).update(assessment=method)


def indicators(client, force, period):
    response = client.get(f"/api/forces/{force}/indicators/?period={period}")
    assert response.status_code == 200
    return response.json()["indicators"]


def test_every_indicator_has_a_rating_by_its_plans_method(client, demo):
    judge("leicestershire", "significance")
    judge("west-mercia", "targets")
    leics = indicators(client, "leicestershire", "2014-06")
    wm = indicators(client, "west-mercia", "2013-06")
    assert leics and wm
    assert all(set(i["rating"]) == {"method", "value", "manual"} for i in leics + wm)
    assert {i["rating"]["method"] for i in leics} == {"significance"}
    assert {i["rating"]["method"] for i in wm} == {"targets"}
    for i in leics:      # the rating is the significance result; not-tested gives none
        expected = None if i["significance"]["result"] == "not-tested" else i["significance"]["result"]
        assert i["rating"] == {"method": "significance", "value": expected, "manual": False}, i["indicator"]
    for i in wm:         # the rating is the RAG
        assert i["rating"]["value"] == i["rag"], i["indicator"]
        assert i["rating"]["manual"] == (i["rag_source"] == "manual"), i["indicator"]


def test_most_leicestershire_measures_with_a_ytd_and_a_test_are_rated(client, demo):
    judge("leicestershire", "significance")
    rows = indicators(client, "leicestershire", "2014-06")
    tested = [i for i in rows if i["ytd"] is not None and i["significance"]["test"] is not None]
    rated = [i for i in tested if i["rating"]["value"] is not None]
    assert len(tested) >= 5
    assert len(rated) >= 0.8 * len(tested), [(i["indicator"], i["significance"]) for i in tested if i not in rated]


def test_west_mercia_vwi_is_rated_green_by_targets(client, demo):
    judge("west-mercia", "targets")
    data = client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()
    assert data["rating"] == {"method": "targets", "value": "green", "manual": False}


def test_the_detail_carries_the_rating_of_the_plan_in_force(client, demo):
    judge("leicestershire", "significance")
    data = client.get("/api/forces/leicestershire/indicators/?period=2014-06").json()
    code = next(i["indicator"] for i in data["indicators"] if i["significance"]["test"] == "binomial")
    detail = client.get(f"/api/forces/leicestershire/indicators/{code}/?period=2014-06").json()
    assert detail["rating"]["method"] == "significance"
    assert detail["rating"]["value"] == detail["significance"]["result"]


def test_an_analysts_rating_is_marked_manual(client, demo):
    judge("leicestershire", "significance")
    rows = indicators(client, "leicestershire", "2014-06")
    row = next(i for i in rows if i["significance"]["result"] not in ("not-tested", "deterioration"))
    indicator = models.Indicator.objects.get(force__slug="leicestershire", code=row["indicator"])
    models.Assessment.objects.create(indicator=indicator, month="2014-06-01", rating="deterioration",
                                     reason="Under-recording found by the audit")
    detail = client.get(f"/api/forces/leicestershire/indicators/{row['indicator']}/?period=2014-06").json()
    assert detail["rating"] == {"method": "significance", "value": "deterioration", "manual": True}
