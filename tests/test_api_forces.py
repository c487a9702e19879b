"""Discovery (issue 30): /api/v1/forces/ and /api/v1/forces/<force>/, with
ONS codes for forces and GSS codes for local areas, and their query budgets."""

import re

import pytest

from indicators import models, vocabulary
from indicators.opendata.policeuk import FORCES
from tests.factories import make_force
from tests.test_query_budgets import grow_world, small_world

pytestmark = pytest.mark.django_db


def test_every_territorial_force_has_its_ons_police_force_area_code():
    codes = {slug: code for slug, code in vocabulary.FORCE_ONS_CODES.items() if code[:3] in ("E23", "W15")}
    assert len(codes) == 43 and len(set(codes.values())) == 43
    assert sorted(c for c in codes.values() if c.startswith("E23")) == [f"E23{n:06d}" for n in range(1, 40)]
    assert sorted(c for c in codes.values() if c.startswith("W15")) == [f"W15{n:06d}" for n in range(1, 5)]
    # keyed by the data.police.uk ids pccperf reads street files with (all but British Transport Police)
    assert set(codes) == set(FORCES) - {"btp"}
    assert codes["west-mercia"] == "E23000016" and codes["metropolitan"] == "E23000001"
    assert vocabulary.FORCE_ONS_CODES["england-and-wales"] == "K04000001"


def test_an_area_whose_code_is_not_a_gss_code_has_none(client):
    force = make_force()
    models.LocalArea.objects.create(force=force, code="bromsgrove", name="Bromsgrove")
    models.LocalArea.objects.create(force=force, code="E07000234", name="Bromsgrove district")
    areas = client.get(f"/api/v1/forces/{force.slug}/").json()["local_areas"]
    assert {a["code"]: a["gss_code"] for a in areas} == {"bromsgrove": None, "E07000234": "E07000234"}


def test_a_force_with_no_plan_or_data(client):
    make_force(slug="atlantis", name="Atlantis Constabulary")
    body = client.get("/api/v1/forces/atlantis/").json()
    assert body["ons_code"] is None and body["plan"] is None and body["months"] == [] and body["period"] is None


@pytest.mark.parametrize("path,queries", [
    ("/api/v1/forces/", 3),                          # the data version, the forces, the plans
    ("/api/v1/forces/west-mercia/", 9),              # see reports.api.force_detail
    ("/api/v1/forces/west-mercia/observations.json?limit=20", 3),   # the version, the force, the observations
])
def test_api_queries_are_the_same_for_1_plan_and_44(client, django_assert_num_queries, path, queries):
    main = small_world()
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    grow_world(main)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


# The demo, once loaded, stays for the module's later tests: these come last.

def test_the_forces_listing_names_each_force_with_its_code_and_plans(client, demo):
    body = client.get("/api/v1/forces/").json()
    by_slug = {f["force"]: f for f in body["forces"]}
    wm = by_slug["west-mercia"]
    assert wm["ons_code"] == "E23000016" and wm["name"] and wm["benchmark"] is False
    assert wm["plans"][0]["title"].startswith("Police and Crime Plan") and wm["plans"][0]["demo"] is True
    assert wm["url"] == "/api/v1/forces/west-mercia/"
    assert by_slug["england-and-wales"]["benchmark"] is True
    assert client.get("/api/forces/").json()["forces"][0]["url"].startswith("/api/forces/")


def test_a_forces_detail_has_its_plan_areas_peers_and_months(client, demo):
    body = client.get("/api/v1/forces/essex/").json()
    assert body["ons_code"] == "E23000028"
    assert body["months"] == sorted(body["months"], reverse=True) and body["period"] in body["months"]
    assert all(p["ons_code"] for p in body["msg_peers"]) and len(body["msg_peers"]) >= 3
    areas = {a["code"]: a for a in body["local_areas"]}
    assert areas["E07000066"]["gss_code"] == "E07000066" and areas["E07000066"]["name"] == "Basildon"
    assert all(re.fullmatch(r"E0[678]\d{6}", a["gss_code"]) for a in areas.values())
    plan = body["plan"]
    assert plan["areas"] and plan["priorities"] and plan["assessment"] in vocabulary.ASSESSMENT_METHODS
    measures = [m for p in plan["priorities"] for m in p["measures"]]
    assert any(m["headline"] for m in measures)
    assert client.get(measures[0]["url"]).status_code == 200
    assert any(p["local_areas"] for p in plan["priorities"])
    assert set(sum((p["local_areas"] for p in plan["priorities"]), [])) <= set(areas)
    assert client.get(body["links"]["observations_json"]).status_code == 200
