"""A real force's published figures, as pccperf must give them (SPEC §6).

fixtures/current/essex.plan.yaml and essex.return.csv hold the figures of Essex
Police's "Police and Crime Plan 2021-2024 — Monthly Performance Update,
February 2023" (Performance Analysis Unit; see fixtures/current/README.md).
Its Executive Summary publishes, for confidence in the local police (the force's
independent survey):

    75.0% for the 12 months to December 2022,
    down 5.1 percentage points on the 12 months to December 2021 (80.1%),
    up 10.3 percentage points on the 12 months to December 2019 (64.7%).

The test loads the two files as an analyst would (load_plan, then import_return
--publish) and checks that the API gives exactly those comparisons. The report
gives its changes in percentage points to one decimal; the relative change
(``change_pct``, SPEC §3) is not published and is checked as computed from the
published figures."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "current"
PLAN = FIXTURES / "essex.plan.yaml"
RETURN = FIXTURES / "essex.return.csv"

URL = "/api/forces/essex/indicators/confidence/"



@pytest.fixture
def essex(db):
    call_command("load_plan", str(PLAN), stdout=StringIO())
    out = StringIO()
    call_command("import_return", str(RETURN), "--publish", stdout=out, stderr=StringIO())
    assert "essex: 2 new, 0 changed, 0 unchanged" in out.getvalue()


def indicator(client, period: str) -> dict:
    response = client.get(f"{URL}?period={period}")
    assert response.status_code == 200, response.content[:500]
    return response.json()


@pytest.mark.parametrize("period", ["2023-02", "2022-12"])   # the report's month; the figure's own quarter end
def test_confidence_gives_the_reports_comparisons(essex, client, period):
    data = indicator(client, period)
    assert (data["unit"], data["frequency"], data["stale"]) == ("percent", "quarterly", False)

    compare = data["compare"]
    assert compare["basis"] == "previous"
    assert compare["reason"] is None
    assert compare["current"] == {"from": "2022-01", "to": "2022-12", "value": pytest.approx(75.0)}
    assert compare["previous"] == {"from": "2021-01", "to": "2021-12", "value": pytest.approx(80.1)}
    assert round(compare["change"], 1) == -5.1                 # published: down 5.1 percentage points
    assert round(compare["change_pct"], 1) == -6.4             # not published: 100 · -5.1 / 80.1

    baseline = data["baseline"]
    assert baseline["label"] == "12 months to December 2019"
    assert baseline["value"] == pytest.approx(64.7)
    assert round(baseline["change"], 1) == 10.3                # published: up 10.3 percentage points
    assert round(baseline["change_pct"], 1) == 15.9           # not published: 100 · 10.3 / 64.7

    assert data["span"] == {"from": "2022-01", "to": "2022-12", "label": "rolling year to Dec 2022"}
    assert data["display"] == "75.0%"                          # as the report prints it

