"""SPEC §4 Warnings through import_return: listed as `row N, column value:
warning: …`, and --publish refuses a file with warnings unless
--accept-warnings is given (nothing written)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators import models
from tests.factories import EXAMPLE_PLAN

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"
HISTORY = f"""{HEADER}
west-mercia,vwi,2012-05,530,,,final,
west-mercia,vwi,2012-06,520,,,final,
west-mercia,vwi,2013-04,512,,,final,
"""
# 5,070 for June is a tenfold typo of 507: more than 3x May's 498 (in the same
# file) and June 2012's 520 (published).
QUARTER = f"""{HEADER}
west-mercia,vwi,2013-05,498,,,final,
west-mercia,vwi,2013-06,5070,,,final,
"""


@pytest.fixture
def published(plan_file, tmp_path):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    path = tmp_path / "history.csv"
    path.write_text(HISTORY)
    call_command("import_return", str(path), "--publish", stdout=StringIO())


def run(tmp_path, text, *args):
    path = tmp_path / "q1.csv"
    path.write_text(text)
    out = StringIO()
    call_command("import_return", str(path), *args, stdout=out)
    return out.getvalue()


def vwi(month):
    return models.Observation.objects.filter(indicator__code="vwi", indicator__force__slug="west-mercia",
                                             month=month).values_list("value", flat=True).first()


def test_warning_names_row_column_and_the_figures_compared(published, tmp_path):
    out = run(tmp_path, QUARTER, "--dry-run")
    assert ("q1.csv: row 3, column value: warning: 5,070 is more than 3× the previous month "
            "(May 2013: 498) and the same month last year (Jun 2012: 520)") in out
    assert out.count("warning:") == 1


def test_publish_with_warnings_is_refused_and_writes_nothing(published, tmp_path):
    before = (models.Return.objects.count(), models.Observation.objects.count())
    with pytest.raises(CommandError, match=r"1 figure\(s\) with warnings .*--accept-warnings.*nothing was written"):
        run(tmp_path, QUARTER, "--publish")
    assert (models.Return.objects.count(), models.Observation.objects.count()) == before
    assert vwi("2013-06-01") is None


def test_accept_warnings_publishes(published, tmp_path):
    out = run(tmp_path, QUARTER, "--publish", "--accept-warnings")
    assert "warning:" in out
    assert vwi("2013-06-01") == 5070


def test_draft_import_lists_warnings_without_refusing(published, tmp_path):
    out = run(tmp_path, QUARTER)
    assert "warning: 5,070" in out and "draft" in out
    assert models.Return.objects.filter(state="draft").count() == 1


def test_corrected_figure_has_no_warning(published, tmp_path):
    out = run(tmp_path, QUARTER.replace("5070", "507"), "--publish")
    assert "warning" not in out
    assert vwi("2013-06-01") == 507


def test_the_files_own_previous_month_is_a_reference(plan_file, tmp_path):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    out = run(tmp_path, QUARTER, "--dry-run")
    # nothing published: May 2013's 498 in the same file is June's only reference
    assert "row 3, column value: warning: 5,070 is more than 3× the previous month (May 2013: 498)\n" in out


def test_first_figures_with_no_references_have_no_warning(plan_file, tmp_path):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=StringIO())
    out = run(tmp_path, f"{HEADER}\nwest-mercia,vwi,2013-06,5070,,,final,\n", "--publish")
    assert "warning" not in out
    assert vwi("2013-06-01") == 5070
