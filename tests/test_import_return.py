"""import_return on a plan: drafts, publishing, revisions with history, and bad
files that change nothing (SPEC §4)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators import models
from tests.factories import EXAMPLE_PLAN, make_observation, make_return, make_user

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
EXAMPLE = f"""{HEADER}
west-mercia,vwi,2013-04,512,,,final,
west-mercia,vwi,2013-05,498,,,final,
west-mercia,vwi,2013-06,507,,,provisional,Awaiting quality assurance
west-mercia,vwi-solved,2013-04,,281,512,final,
west-mercia,vwi-solved,2013-05,55.2,275,498,final,
west-mercia,vwi-solved,2013-06,,,,unavailable,Outcome data delayed by system migration
avon-and-somerset,vwi,2013-04,701,,,final,
"""


@pytest.fixture
def plan(plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    return models.Force.objects.get(slug="west-mercia")


@pytest.fixture
def write(tmp_path):
    def _write(text, name="return.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return path
    return _write


def run(path, *args):
    out = StringIO()
    call_command("import_return", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (sorted(models.Observation.objects.values_list("indicator__code", "month", "value", "status")),
            models.Return.objects.count(), models.ReturnLine.objects.count(), models.Observation.history.count())


def test_import_makes_draft_returns_the_public_cannot_see(plan, write, client):
    out = run(write(EXAMPLE))
    assert "west-mercia: 6 new, 0 changed, 0 unchanged" in out and "avon-and-somerset: 1 new" in out
    assert "draft" in out
    returns = models.Return.objects.order_by("force__slug")
    assert [(r.force.slug, r.state, r.period, r.lines.count()) for r in returns] == [
        ("avon-and-somerset", "draft", "2013/14 Q1", 1), ("west-mercia", "draft", "2013/14 Q1", 6)]
    assert models.Observation.objects.count() == 0
    assert client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()["ytd"] is None


def test_publish_makes_the_figures_public(plan, write, client):
    out = run(write(EXAMPLE), "--publish")
    assert "published" in out
    data = client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()
    assert data["ytd"] == 1517
    solved = client.get("/api/forces/west-mercia/indicators/vwi-solved/?period=2013-05").json()
    assert solved["ytd"] == pytest.approx(100 * (281 + 275) / (512 + 498))
    assert models.Observation.objects.get(indicator__code="vwi-solved", month=date(2013, 6, 1)).status == "unavailable"


def test_dry_run_lists_and_writes_nothing(plan, write):
    before = snapshot()
    out = run(write(EXAMPLE), "--dry-run")
    assert "west-mercia: 6 new" in out and "Dry run: 7 rows checked, nothing written." in out
    assert snapshot() == before


def test_reimporting_a_revised_figure_keeps_the_earlier_value(plan, write, client):
    run(write(EXAMPLE), "--publish")
    revised = EXAMPLE.replace("west-mercia,vwi,2013-05,498,,,final,", "west-mercia,vwi,2013-05,512,,,final,Revised")
    out = run(write(revised, "v2.csv"), "--publish")
    assert "west-mercia: 0 new, 1 changed, 5 unchanged" in out
    assert "changed  west-mercia vwi 2013-05: 498 → 512" in out
    obs = models.Observation.objects.get(indicator__code="vwi", indicator__force=plan, month=date(2013, 5, 1))
    assert [h.value for h in obs.history.order_by("history_date")] == [498, 512]
    html = client.get("/west-mercia/indicators/vwi/?period=2013-06").content.decode()
    assert "May 2013: revised from 498 to 512 on" in html


def test_importing_the_same_file_twice_changes_no_figure(plan, write):
    run(write(EXAMPLE), "--publish")
    history = models.Observation.history.count()
    out = run(write(EXAMPLE), "--publish")
    assert "west-mercia: 0 new, 0 changed, 6 unchanged" in out
    assert models.Observation.history.count() == history


def test_a_draft_revision_leaves_the_published_figure_public(plan, write, client):
    run(write(EXAMPLE), "--publish")
    run(write(EXAMPLE.replace(",507,", ",999,"), "draft.csv"))
    assert client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()["ytd"] == 1517


@pytest.mark.parametrize("text,message", [
    ("", "file: the file is empty"),
    (HEADER + "\n", "file: the file has a header but no rows"),
    (HEADER.replace(",", ";") + "\nwest-mercia;vwi;2013-04;5;;;;\n", "file: the columns are separated by semicolons"),
    (HEADER + "\nwest-mercia,vwi,2999-04,5,,,,\n", "row 2, column month: 2999-04 is after the current month"),
    (HEADER + '\nwest-mercia,vwi,2013-04,"1,234",,,,\n', "row 2, column value: '1,234' has a thousands separator"),
    (HEADER + "\nwest-mercia,vwi-solved,2013-04,,0,0,,\n", "row 2, column denominator: must not be zero"),
    (HEADER + '\nwest-mercia,vwi,2013-04,5,,,,"=HYPERLINK(""http://evil"")"\n', "row 2, column note: starts with '='"),
    (EXAMPLE + "west-mercia,vwi,2013-04,513,,,final,\n", "row 9: the same force, indicator and month as row 2"),
])
def test_a_bad_file_is_rejected_whole_and_changes_nothing(plan, write, text, message):
    run(write(EXAMPLE), "--publish")
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        run(write(text, "bad.csv"), "--publish")
    assert message in str(excinfo.value) and "nothing was written" in str(excinfo.value)
    assert snapshot() == before


def test_a_latin1_file_is_rejected(plan, write):
    with pytest.raises(CommandError, match="not UTF-8 text"):
        run(write((HEADER + "\nwest-mercia,vwi,2013-04,5,,,,Café\n").encode("latin-1")))
    assert models.Return.objects.count() == 0


def test_a_100_mb_file_is_refused_by_its_size(plan, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:         # sparse: takes no disk and is never read
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(CommandError, match="huge.csv: file: 100.0 MB is larger than the 20 MB limit"):
        run(path)
    assert models.Return.objects.count() == 0


def test_missing_file(plan):
    with pytest.raises(CommandError, match="cannot read the file"):
        run("/nonexistent/return.csv")


def test_a_user_may_not_import_for_a_force_they_do_not_work_on(plan, write):
    essex = models.Force.objects.create(slug="essex", name="Essex Police")
    models.Indicator.objects.create(force=essex, code="asb", name="ASB", unit="count", aggregation="sum",
                                    polarity="down")
    make_user("wm", role="analyst", forces=[plan])
    with pytest.raises(CommandError) as excinfo:
        run(write(HEADER + "\nessex,asb,2013-04,5,,,,\n"), "--user", "wm")
    assert ("row 2, column force: Essex Police is not one of your forces, nor an MSG peer of one, so you may "
            "not file its figures") in str(excinfo.value)
    assert models.Return.objects.count() == 0
    # their own force's figures are fine; their MSG peer's (no plan of its own) once an administrator granted it
    with pytest.raises(CommandError, match="row 8, column force: Avon and Somerset Constabulary is an MSG peer of "
                                           "West Mercia Police with no plan of its own, but no administrator"):
        run(write(EXAMPLE), "--user", "wm")
    assert models.Return.objects.count() == 0
    plan.files_for.add(models.Force.objects.get(slug="avon-and-somerset"))
    out = run(write(EXAMPLE), "--user", "wm")
    assert "west-mercia: 6 new" in out and "avon-and-somerset: 1 new" in out


def test_a_panel_member_may_not_import(plan, write):
    make_user("panel", role="panel", forces=[plan])
    with pytest.raises(CommandError, match="--user panel: not allowed"):
        run(write(EXAMPLE), "--user", "panel")


def test_an_analyst_without_publish_rights_cannot_publish(plan, write):
    user = make_user("wm", role="analyst", forces=[plan])
    from django.contrib.auth.models import Permission
    user.groups.first().permissions.remove(Permission.objects.get(codename="publish_return"))
    with pytest.raises(CommandError, match="--user wm: not allowed; needs the permission"):
        run(write(EXAMPLE), "--user", "wm", "--publish")


def test_xlsx_import(plan, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for line in EXAMPLE.strip().splitlines():
        book.active.append(line.split(","))
    path = tmp_path / "return.xlsx"
    book.save(path)
    assert "west-mercia: 6 new" in run(path, "--publish")


def test_observation_made_directly_counts_as_published(plan, client):
    ind = models.Indicator.objects.get(force=plan, code="vwi")
    ret = make_return(plan)
    for m, v in ((4, 1), (5, 2), (6, 3)):
        make_observation(ind, date(2013, m, 1), v, source_return=ret)
    assert client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-06").json()["ytd"] == 6
