"""Every command says in --help what each argument is (issue 23 item 5):
what a newcomer otherwise had to guess from the code."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from indicators.returns.file import COLUMNS_WITH_AREA, STATUSES

ROOT = Path(__file__).resolve().parents[1]
OURS = sorted(name for name, app in get_commands().items() if app in ("indicators", "reports"))
# Django's own options, which every command has and Django documents.
BASE = {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
        "skip_checks"}


def _help(name: str) -> str:
    command = load_command_class(get_commands()[name], name)
    return command.create_parser("manage.py", name).format_help()


def test_the_project_has_the_commands_the_readme_lists():
    assert {"import_return", "import_policeuk", "load_population", "load_plan", "load_demo", "backup",
            "restore", "export_data", "import_data", "export_report"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_every_argument_of_every_command_has_help(name):
    command = load_command_class(get_commands()[name], name)
    assert command.help, f"{name} has no description"
    parser = command.create_parser("manage.py", name)
    missing = [action.dest for action in parser._actions if action.dest not in BASE and not action.help]
    assert missing == [], f"{name}: no help for {missing}"


def test_import_return_help_lists_every_column_and_the_optional_one():
    text = _help("import_return")
    rows = {line.split()[0] for line in text.splitlines() if line.startswith("  ") and line.split()}
    assert set(COLUMNS_WITH_AREA) <= rows
    assert "optional columns (found by their header names, in any order; any may be left out):\n  area " in text
    assert all(f"\n  {name} " in text for name in ("from", "lower", "illustrative"))   # SPEC §6, issue 30
    assert all(status in text for status in STATUSES)
    assert "YYYY-MM value" in text                         # the wide template is read too
    assert "--accept-warnings" in text and "import_return Q1.csv --dry-run" in text


def test_import_policeuk_help_says_what_a_path_may_be():
    text = _help("import_policeuk")
    assert "PATH" in text and ".zip" in text and "*-street.csv" in text and "folder" in text


def test_import_policeuk_help_explains_compare_and_that_a_plans_compare_wins():
    text = " ".join(_help("import_policeuk").split())
    assert "--compare BASIS" in text and "ytd, rolling-12, rolling-3, previous, sequential" in text
    assert "the 12 months to the period vs the 12 months before" in text
    assert "keep their compare, so a plan's wins, unless --compare-existing is given too" in text
    assert "--compare-existing with --compare: also set it on the policeuk-* indicators that already exist" in text


def test_load_population_help_explains_the_file_and_dry_run():
    text = " ".join(_help("load_population").split())
    assert "first column `year`, then one column per force area" in text
    assert "--dry-run check the file and count what would be written; write nothing" in text


def test_help_keeps_the_column_table_as_written_from_the_command_line():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DEBUG": "1", "COLUMNS": "80"}
    result = subprocess.run([sys.executable, "manage.py", "import_return", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "\n  month        YYYY-MM, e.g. 2013-06; not after the current month\n" in result.stdout
