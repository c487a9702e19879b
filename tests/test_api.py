"""The read-only API (SPEC §4) on the demo data: seed figures, errors, drafts."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db

API_KEYS = {"force", "indicator", "name", "period", "financial_year", "unit", "aggregation", "polarity", "headline",
            "ytd", "last_ytd", "change", "change_pct", "ytd_reason", "target", "rag", "rag_source",
            "projected_outturn", "significance", "spc", "rolling_12", "msg", "rating", "monthly",
            "illustrative",   # SPEC §6: true when any figure a verdict rests on was generated for the demo
            # SPEC §6 "API": every indicator object gains these
            "frequency", "span", "stale", "compare", "baseline", "replaces", "benchmarks", "display"}


def get(client, url):
    response = client.get(url)
    return response.status_code, response.json()


@pytest.mark.parametrize("code,ytd,target,rag", [
    ("all-crime", 15015, 15138, "green"),
    ("vwi", 1517, 1639, "green"),
    ("asb", 13800, 14155, "green"),
    ("domestic-burglary", 519, 688, "green"),
    ("ksi", 100, 98, "green"),          # computed amber; the seed published G (issue 24, item 5)
    ("priority-response", 74.2, 75, "amber"),
    ("public-confidence", 69.1, 71.2, "amber"),
])
def test_west_mercia_q1_2013_14_seed_figures(client, demo, code, ytd, target, rag):
    status, data = get(client, f"/api/forces/west-mercia/indicators/{code}/?period=2013-06")
    assert status == 200
    assert data["ytd"] == pytest.approx(ytd, abs=1e-9)
    assert data["target"]["value"] == pytest.approx(target)
    assert (data["rag"], data["rag_source"]) == (rag, "manual" if code == "ksi" else "computed")


@pytest.mark.parametrize("code,ytd,change_pct", [
    ("all-crime", 15243, 0.8), ("domestic-burglary", 930, 15.8), ("vap-injury", 1021, -4.4),
    ("tfmv", 1326, 3.3), ("tomv", 315, 18.9),
])
def test_leicestershire_q1_2014_15_seed_figures(client, demo, code, ytd, change_pct):
    status, data = get(client, f"/api/forces/leicestershire/indicators/{code}/?period=2014-06")
    assert status == 200 and data["ytd"] == ytd and round(data["change_pct"], 1) == change_pct
    assert data["msg"]["of"] == 8 and 1 <= data["msg"]["position"] <= 8


def test_detail_has_exactly_the_spec_fields_and_unrounded_numbers(client, demo):
    status, data = get(client, "/api/forces/west-mercia/indicators/vwi/?period=2013-06")
    assert set(data) == API_KEYS
    assert data["force"] == "west-mercia" and data["indicator"] == "vwi" and data["headline"] is True
    assert data["financial_year"] == "2013/14" and data["unit"] == "count" and data["polarity"] == "down"
    assert data["change"] == -155 and data["change_pct"] == pytest.approx(-9.270334928229665, rel=1e-15)
    assert data["significance"] == {"test": "binomial", "p_value": pytest.approx(0.006381406487910556),
                                    "result": "improvement"}
    assert set(data["spc"]) == {"mean", "ucl", "lcl", "sigma", "variation", "assurance", "signals"}
    assert set(data["msg"]) == {"rate", "average", "position", "of", "difference_pct", "peers"}
    assert data["monthly"][-1]["month"] == "2013-06"
    assert set(data["monthly"][0]) == {"month", "value", "numerator", "denominator", "status", "illustrative",
                                       "from", "lower", "upper"}   # SPEC §6


def test_list_has_every_indicator_without_monthly(client, demo):
    status, data = get(client, "/api/forces/west-mercia/indicators/?period=2013-06")
    assert status == 200 and data["period"] == "2013-06" and data["financial_year"] == "2013/14"
    assert len(data["indicators"]) == 49
    assert all(set(i) == API_KEYS - {"monthly"} for i in data["indicators"])


def test_default_period_is_the_latest_month_of_published_headline_data(client, demo):
    assert get(client, "/api/forces/west-mercia/indicators/vwi/")[1]["period"] == "2013-06"
    assert get(client, "/api/forces/leicestershire/indicators/")[1]["period"] == "2014-06"
    assert get(client, "/api/forces/essex/indicators/")[1]["period"] == "2014-03"


def test_null_ytd_comes_with_a_reason(client, demo):
    data = get(client, "/api/forces/west-mercia/indicators/iom-drug-tests/?period=2013-06")[1]
    assert data["ytd"] is None and data["ytd_reason"] == "June 2013 unavailable: Tests published to the end of May 2013 only"


@pytest.mark.parametrize("query,message", [
    ("period=2013-13", "period: '2013-13' is not a month; the month part must be 01 to 12"),
    ("period=June", "period: 'June' is not a month"),
    ("period=2999-01", "period: 2999-01 is in the future"),
])
def test_bad_period_is_400_with_a_message(client, demo, query, message):
    status, data = get(client, f"/api/forces/west-mercia/indicators/vwi/?{query}")
    assert status == 400 and message in data["error"]
    assert get(client, f"/api/forces/west-mercia/indicators/?{query}")[0] == 400


def test_unknown_force_or_code_is_404(client, demo):
    assert get(client, "/api/forces/atlantis/indicators/vwi/") == (404, {"error": "no force 'atlantis'"})
    assert get(client, "/api/forces/west-mercia/indicators/nope/") == (
        404, {"error": "force 'west-mercia' has no indicator 'nope'"})
    assert get(client, "/api/forces/atlantis/indicators/")[0] == 404
    assert client.get("/api/forces/atlantis/observations.csv").status_code == 404


def test_csv_download_has_the_return_file_columns_and_full_precision(client, demo):
    response = client.get("/api/forces/west-mercia/observations.csv?from=2013-04&to=2013-06")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # the demo's generated figures say so (issue 30): the optional column `illustrative`, true or false
    assert list(rows[0]) == ["force", "indicator", "month", "value", "numerator", "denominator", "status", "note",
                             "illustrative"]
    assert {r["illustrative"] for r in rows} == {"true", "false"}
    assert all((r["illustrative"] == "true") == r["note"].startswith("Illustrative") for r in rows)
    assert {r["month"] for r in rows} == {"2013-04", "2013-05", "2013-06"}
    assert sum(int(r["value"]) for r in rows if r["indicator"] == "all-crime") == 15015
    ratio = [r for r in rows if r["indicator"] == "priority-response"]
    assert all(float(r["value"]) == 100 * float(r["numerator"]) / float(r["denominator"]) for r in ratio)
    assert sum(int(r["numerator"]) for r in ratio) == 11872


@pytest.mark.parametrize("query,message", [
    ("from=2013-13", "from: '2013-13' is not a month"),
    ("from=2013-06&to=2013-04", "to (2013-04) is before from (2013-06)"),
    ("to=2999-01", "to: 2999-01 is in the future"),
])
def test_csv_bad_range_is_400(client, demo, query, message):
    response = client.get(f"/api/forces/west-mercia/observations.csv?{query}")
    assert response.status_code == 400 and message in response.json()["error"]


