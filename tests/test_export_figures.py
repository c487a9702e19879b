"""What export_data writes, import_data reads back exactly: figures edited
in the admin, any figure the database can hold, and the renamed commands.
(Apart from tests/test_export.py, whose module loads the demo.)"""

import tempfile
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import models
from indicators.dataio.export import export_folder, import_folder
from tests import factories
from tests.test_export import empty_database

pytestmark = pytest.mark.django_db


def test_the_old_names_still_work_and_say_they_are_renamed(db, tmp_path):
    factories.make_force()
    out, err = StringIO(), StringIO()
    call_command("backup_data", "--output", str(tmp_path / "b"), stdout=out, stderr=err)
    assert "backup_data is now called export_data: it writes plain files, not a full backup" in err.getvalue()
    assert "Exported to" in out.getvalue()
    models.Force.objects.all().delete()
    out, err = StringIO(), StringIO()
    call_command("restore_data", str(tmp_path / "b"), stdout=out, stderr=err)
    assert "restore_data is now called import_data" in err.getvalue()
    assert models.Force.objects.filter(is_benchmark=False).count() == 1    # and the benchmark series (SPEC §6)


def test_help_says_what_an_export_does_not_carry():
    from indicators.management.commands import export_data, import_data

    for command in (export_data.Command, import_data.Command):
        assert "the history of earlier values; draft and submitted returns, and who published what when; " \
               "users, groups, force memberships and login records" in command.help


FIELDS = ("indicator__force__slug", "indicator__code", "month", "value", "numerator", "denominator", "status",
          "note")


def round_trip(folder: Path) -> list[tuple]:
    """Export, empty the database, import: the published figures after."""
    before = list(models.Observation.objects.order_by("indicator__code", "month").values_list(*FIELDS))
    export_folder(folder)
    empty_database()
    import_folder(folder)
    after = list(models.Observation.objects.order_by("indicator__code", "month").values_list(*FIELDS))
    assert after == before
    return after


def test_figures_edited_in_the_admin_export_and_import_exactly(db, tmp_path):
    """One edited figure made an export unrestorable: the export wrote 1e-05
    for a small value, and the import applied the checks for new returns
    (a note starting '=' or '-', a percentage over 100, a future month, a
    row with no figure) to figures already published."""
    force = factories.make_force(slug="west-mercia")
    rate = factories.make_indicator(force, code="rate", unit="rate", aggregation="mean")
    pct = factories.make_indicator(force, code="pct", unit="percent", aggregation="ratio")
    count = factories.make_indicator(force, code="count", unit="count", aggregation="sum")
    factories.make_observation(rate, date(2014, 1, 1), 0.00001, note="=SUM(A1:A3) as the panel asked")
    factories.make_observation(rate, date(2014, 2, 1), 123456789012345678.0, note=" -4% on last year\nsee p.2")
    factories.make_observation(pct, date(2014, 1, 1), 101.5, numerator=7, denominator=7.5)
    factories.make_observation(count, date(2014, 1, 1), -3, status="provisional", note="+ correction")
    factories.make_observation(count, date(2099, 1, 1), None)
    factories.make_observation(count, date(2014, 2, 1), None, status="unavailable", note="@ not collected")
    after = round_trip(tmp_path / "export")
    assert len(after) == 6
    csv_text = (tmp_path / "export" / "observations" / "west-mercia.csv").read_text()
    assert "0.00001" in csv_text and "e-05" not in csv_text and "123456789012345680" in csv_text


NOTES = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
FIGURES = st.floats(allow_nan=False, allow_infinity=False) | st.none()


@st.composite
def stored_figures(draw):
    status = draw(st.sampled_from(["final", "provisional", "unavailable"]))
    note = draw(NOTES.filter(bool) if status == "unavailable" else NOTES)
    value = draw(FIGURES)
    num = den = None
    if draw(st.booleans()):
        den = draw(st.floats(min_value=1e-300, max_value=1e300))
        num = draw(st.floats(min_value=0, max_value=den))
    month = date(draw(st.integers(1990, 2100)), draw(st.integers(1, 12)), 1)
    return {"month": month, "value": value, "numerator": num, "denominator": den, "status": status, "note": note}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(stored_figures(), min_size=1, max_size=4, unique_by=lambda f: f["month"]))
def test_any_figure_the_database_holds_exports_and_imports_exactly(db, rows):
    with transaction.atomic():
        force = factories.make_force(slug="essex")
        indicator = factories.make_indicator(force, code="x", unit="percent", aggregation="ratio")
        for row in rows:
            models.Observation.objects.create(indicator=indicator, **row)
        with tempfile.TemporaryDirectory() as folder:
            assert len(round_trip(Path(folder))) == len(rows)
        transaction.set_rollback(True)
