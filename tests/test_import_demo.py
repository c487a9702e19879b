"""A return on the demo data (its observations came without returns' lines)."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"


def test_demo_observations_are_revised_by_a_return(tmp_path, demo, client):
    # observations without lines (the demo's) are revised like any other
    text = HEADER + "\nwest-mercia,vwi,2013-06,492,,,final,Checked\n"
    path = tmp_path / "r.csv"
    path.write_text(text)
    out = StringIO()
    call_command("import_return", str(path), "--publish", stdout=out)
    out = out.getvalue()
    assert "west-mercia: 0 new, 1 changed, 0 unchanged" in out
    assert "changed  west-mercia vwi 2013-06:" in out and "→ 492" in out
    data = client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()
    assert data["monthly"][-1]["value"] == 492


