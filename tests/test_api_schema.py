"""The API's OpenAPI 3.1 schema describes its real responses (issue 30): the
document is valid OpenAPI 3.1, every operation answers at /api/v1/ and at its
alias, and every JSON response, on the demo and on a §6 plan, validates
against the schema of its path and status."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from reports.api_v1 import openapi_schema

CURRENT = Path(__file__).resolve().parent.parent / "fixtures" / "current"


@pytest.fixture(scope="module")
def schema():
    return openapi_schema()


def check(client, schema, url: str, status: int = 200):
    """GET ``url`` (under /api/v1/) and validate its body against the schema
    of the operation its path matches; returns the JSON."""
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    path = url.split("?")[0]
    for template, item in schema["paths"].items():
        pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"(\{[^}]+\})", template))
        if re.fullmatch(pattern, path):
            spec = item["get"]["responses"][str(status)]
            break
    else:
        pytest.fail(f"{path} is in no path of the schema")
    media = spec["content"]
    if "text/csv" in media:
        assert response["Content-Type"].startswith("text/csv")
        return response.content.decode()
    body = response.json()
    validator = Draft202012Validator({**media["application/json"]["schema"], "components": schema["components"]})
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{url}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return body


def test_the_schema_is_openapi_3_1(schema):
    assert schema["openapi"] == "3.1.0"
    validate_openapi(schema)
    assert set(schema["paths"]) == {
        "/api/v1/forces/", "/api/v1/forces/{force}/", "/api/v1/forces/{force}/indicators/",
        "/api/v1/forces/{force}/indicators/{code}/", "/api/v1/forces/{force}/indicators/{code}/areas/",
        "/api/v1/forces/{force}/observations.csv", "/api/v1/forces/{force}/observations.json"}
    period = next(p for p in schema["paths"]["/api/v1/forces/{force}/indicators/"]["get"]["parameters"]
                  if p["name"] == "date")
    assert "alias" in period["description"] and period["schema"]["pattern"]


def test_schema_and_docs_are_served(client, schema):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and response.json() == schema and response["ETag"]
    assert client.get("/api/schema/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/api/v1/schema/").json() == schema


@pytest.mark.django_db
def test_docs_page_lists_every_operation_under_the_sites_csp(client, schema):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script" not in html and "http://" not in html and "https://" not in html   # no CDN, no script
    for path, item in schema["paths"].items():
        assert f"GET {path}" in html
        for parameter in item["get"].get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in html
    assert 'id="shape-IndicatorDetail"' in html and "ETag" in html and "Retry-After" in html


def test_every_demo_response_validates_against_the_schema(client, demo, schema):
    forces = check(client, schema, "/api/v1/forces/")["forces"]
    assert {"west-mercia", "essex", "leicestershire"} <= {f["force"] for f in forces}
    for slug in ("west-mercia", "essex", "leicestershire"):
        detail = check(client, schema, f"/api/v1/forces/{slug}/")
        listing = check(client, schema, f"/api/v1/forces/{slug}/indicators/")
        assert listing["indicators"]
        for item in listing["indicators"]:
            check(client, schema, f"/api/v1/forces/{slug}/indicators/{item['indicator']}/")
        check(client, schema, f"/api/v1/forces/{slug}/indicators/?date={detail['months'][-1]}")
        check(client, schema, f"/api/v1/forces/{slug}/observations.json?limit=500")
        check(client, schema, f"/api/v1/forces/{slug}/observations.csv")
    areas = check(client, schema, "/api/v1/forces/essex/indicators/all-crime/areas/")
    assert len(areas["areas"]) > 3
    page = check(client, schema, "/api/v1/forces/essex/observations.json?area=E07000066&limit=20")
    check(client, schema, page["next"])
    # the errors are described too
    check(client, schema, "/api/v1/forces/atlantis/", 404)
    check(client, schema, "/api/v1/forces/essex/indicators/nope/", 404)
    check(client, schema, "/api/v1/forces/essex/indicators/?period=2013-13", 400)
    check(client, schema, "/api/v1/forces/essex/observations.json?limit=0", 400)


@pytest.mark.django_db
def test_a_current_plans_responses_validate_against_the_schema(client, schema):
    call_command("load_plan", str(CURRENT / "essex.plan.yaml"), stdout=StringIO())
    call_command("import_return", str(CURRENT / "essex.return.csv"), "--publish", stdout=StringIO(), stderr=StringIO())
    detail = check(client, schema, "/api/v1/forces/essex/")
    assert detail["ons_code"] == "E23000028" and any(p["measures"] for p in detail["plan"]["priorities"])
    listing = check(client, schema, "/api/v1/forces/essex/indicators/")
    frequencies = set()
    for item in listing["indicators"]:
        body = check(client, schema, f"/api/v1/forces/essex/indicators/{item['indicator']}/")
        frequencies.add(body["frequency"])
    assert len(frequencies) > 1
    rows = check(client, schema, "/api/v1/forces/essex/observations.json?indicator=confidence")["observations"]
    assert any(r["from"] != r["month"] for r in rows)
    assert json.dumps(rows)


def test_v1_and_the_old_paths_answer_the_same_bytes(client, demo):
    for path in ("forces/west-mercia/indicators/", "forces/west-mercia/indicators/vwi/",
                 "forces/essex/indicators/all-crime/areas/", "forces/west-mercia/observations.csv?from=2013-04",
                 "forces/", "forces/essex/", "forces/essex/observations.json?limit=3"):
        old, new = client.get(f"/api/{path}"), client.get(f"/api/v1/{path}")
        assert old.status_code == new.status_code == 200
        assert old.content.replace(b"/api/v1/", b"/api/") == new.content.replace(b"/api/v1/", b"/api/"), path
        assert old["Content-Type"] == new["Content-Type"]
