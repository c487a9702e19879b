"""Export to plain files (export_data) and import them into an empty database
(import_data), to the same figures; the old names still work."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators import models, selectors

pytestmark = pytest.mark.django_db
FORCES = ["west-mercia", "leicestershire", "essex", "dyfed-powys"]


def figures(client):
    out = {}
    for force in FORCES:
        data = client.get(f"/api/forces/{force}/indicators/").json()
        out[force] = (data["period"], data["indicators"])
    return out


def empty_database():
    models.Observation.objects.all().delete()
    models.ReturnLine.objects.all().delete()
    models.Return.objects.all().delete()
    models.Force.objects.all().delete()


def test_round_trip_gives_the_same_figures(demo, client, tmp_path):
    before = figures(client)
    welsh_before = (selectors.welsh_glossary(), list(models.Force.objects.filter(slug="dyfed-powys")
                                                    .values_list("languages", flat=True)),
                    sorted(models.Commentary.objects.exclude(text_cy="").values_list("text_cy", flat=True)))
    out = StringIO()
    call_command("export_data", "--output", str(tmp_path / "backup"), stdout=out)
    # 4,464 force figures and 2,016 of Essex's districts (4 measures x 14 districts x 36 months; issue 18),
    # and Dyfed-Powys's 312 (issue 31)
    assert "4 plans" in out.getvalue() and "6,792 observations" in out.getvalue()
    assert "Not in an export: the history of earlier values; draft and submitted returns" in out.getvalue()
    assert sorted(p.name for p in (tmp_path / "backup" / "plans").iterdir()) == [
        "dyfed-powys-2021-04-01.yaml", "essex-2013-04-01.yaml", "leicestershire-2013-04-01.yaml",
        "west-mercia-2013-04-01.yaml"]
    header = (tmp_path / "backup" / "observations" / "west-mercia.csv").read_text().splitlines()[0]
    assert header == "force,indicator,month,value,numerator,denominator,status,note,area,from,lower,upper"

    empty_database()
    assert client.get("/api/forces/west-mercia/indicators/").status_code == 404
    out = StringIO()
    call_command("import_data", str(tmp_path / "backup"), stdout=out)
    assert "Imported from" in out.getvalue()
    after = figures(client)
    assert after == before
    # the Welsh of the plan and of the writing come back too (issue 31)
    assert (selectors.welsh_glossary(), list(models.Force.objects.filter(slug="dyfed-powys")
                                             .values_list("languages", flat=True)),
            sorted(models.Commentary.objects.exclude(text_cy="").values_list("text_cy", flat=True))) == welsh_before
    assert len(welsh_before[0]) >= 15 and welsh_before[1] == [["cy", "en"]] and welsh_before[2]
    assert models.Observation.objects.filter(area__force__slug="essex").count() == 2016
    areas = client.get("/api/forces/essex/indicators/all-crime/areas/?period=2014-03").json()["areas"]
    assert len(areas) == 14 and all(a["ytd"] is not None for a in areas)
    assert models.PanelMeeting.objects.filter(force__slug="essex").count() == 4
    assert models.Commentary.objects.count() > 20 and models.Assessment.objects.count() > 30
    # the panel paper's front sheet and the period's writing (issue 29) come back too
    meeting = models.PanelMeeting.objects.get(force__slug="west-mercia")
    assert (meeting.reference, meeting.recommendation) == (
        "Agenda item 8", "Members of the Panel are invited to consider the report.")
    summary = models.ExecutiveSummary.objects.get(force__slug="west-mercia", month="2013-06-01")
    assert summary.text.startswith("**Headline measures.** To the end of June")
    assert "Treasury management strategy 2013/14" in summary.key_activity


def test_import_refuses_a_database_that_is_not_empty(demo, tmp_path):
    call_command("export_data", "--output", str(tmp_path / "b"), stdout=StringIO())
    with pytest.raises(CommandError, match="the database is not empty; import into a new database; "
                                           "nothing was imported"):
        call_command("import_data", str(tmp_path / "b"), stdout=StringIO())


def test_import_of_a_folder_that_is_not_an_export(db, tmp_path):
    with pytest.raises(CommandError, match="forces.yaml is missing; is this a folder written by export_data"):
        call_command("import_data", str(tmp_path), stdout=StringIO())
    with pytest.raises(CommandError, match="no such folder"):
        call_command("import_data", str(tmp_path / "nope"), stdout=StringIO())
