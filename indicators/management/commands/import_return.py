"""python manage.py import_return FILE.csv|xlsx [--dry-run] [--publish] [--accept-warnings] [--user NAME]"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.management.commands._common import EpilogHelpFormatter, acting_user, problems_error
from indicators.returns.figure_warnings import find_warnings
from indicators.returns.file import (
    AREA,
    COLUMNS,
    FROM,
    ILLUSTRATIVE,
    LOWER,
    MAX_BYTES,
    MAX_CELLS,
    UPPER,
    ReturnFileError,
    check_rows,
    read_table,
    too_large,
)
from indicators.returns.workflow import ReturnError, catalogue_for, preview, stage, summarise

SHOW_CHANGES = 20

# What a newcomer needs to fill in a file, in --help (issue 23 item 5); the
# column names come from returns/file.py, which reads them.
EPILOG = f"""\
columns (a header row first, in any order and any case; these {len(COLUMNS)} must all be there,
even when a column's cells are empty):
  force        the force's slug, e.g. west-mercia
  indicator    the indicator's code in that force's plan, e.g. vwi
  month        YYYY-MM, e.g. 2013-06; not after the current month
  value        the figure, a plain decimal with a dot (512, 55.2; no thousands separator,
               no % sign); may be empty for a ratio measure given by numerator and denominator
  numerator    ratio and weighted-mean measures only, with denominator: value = 100 x numerator /
               denominator (ratio), numerator / denominator (weighted-mean)
  denominator  ratio and weighted-mean measures: not zero, not less than the numerator (ratio);
               rank measures: how many were ranked (value is the position, 1 = best)
  status       final (empty means final), provisional or unavailable
  note         free text; required when status is unavailable (then value, numerator and
               denominator stay empty); must not begin with = + - or @
optional columns (found by their header names, in any order; any may be left out):
  {AREA:<12} a local area code of that force (its /<force>/areas/ page lists them);
               empty, or no such column: the whole force
  {FROM:<12} YYYY-MM, the first month of the span a non-monthly figure covers (month is its
               last); needed for irregular measures; without it a quarterly figure is the
               quarter ending at month (Jun, Sep, Dec or Mar), an annual one the 12 months
               ending at month; spans of one measure never overlap (unless it sets covers)
  {LOWER:<12} and {UPPER}: a survey figure's published 95% confidence interval, both or
               neither, lower <= value <= upper
  {ILLUSTRATIVE:<12} true for a figure generated for the demo, not a published one (true, false,
               yes, no, 1 or 0; empty: false); pages and reports label such figures.
               observations.csv writes it, so its files import as they were exported. Without
               the column a new or revised figure is a real one, and one equal to the figure
               held keeps its label

A row whose value, numerator, denominator and note are all empty (status empty or final) is
a template row left blank: it is skipped. The admin's wide quarterly template (one row per
measure, columns "YYYY-MM value", "YYYY-MM numerator", "YYYY-MM denominator",
"YYYY-MM status", "YYYY-MM note" for each month of the quarter) is read too.
Limits: {MAX_BYTES // 1024 // 1024} MB; an XLSX sheet of at most {MAX_CELLS:,} cells.

examples:
  python manage.py import_return Q1.csv --dry-run      # check and list; write nothing
  python manage.py import_return Q1.csv                # draft returns, published in the admin
  python manage.py import_return Q1.xlsx --publish --user ana
"""


class Command(BaseCommand):
    help = (
        "Import a return file (CSV with a header row, or the first sheet of an XLSX) in the columns "
        "force,indicator,month,value,numerator,denominator,status,note. The whole file is checked first: "
        "any bad row rejects the whole file, every problem listed as 'row N, column C: message', and "
        "nothing is written. A good file becomes a draft return per force holding the figures it changes "
        "(new, changed and unchanged figures are listed; a file that changes nothing makes no return); "
        "--publish makes its figures public at once. A figure more than 3x or under a third of both the "
        "previous month and the same month last year is a warning, not an error: warnings are listed, and "
        "--publish refuses a file with warnings unless --accept-warnings is given. --dry-run checks and lists "
        "without writing. With --user NAME the import acts with that user's permissions."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, formatter_class=EpilogHelpFormatter, epilog=EPILOG,
                                     **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="the return file, .csv (UTF-8, comma-separated) or .xlsx (its first "
                            "sheet)")
        parser.add_argument("--dry-run", action="store_true", help="check and list the changes; write nothing")
        parser.add_argument("--publish", action="store_true", help="publish the return at once")
        parser.add_argument("--accept-warnings", action="store_true",
                            help="publish even though some figures are far from their reference figures")
        parser.add_argument("--user", help="act as this user, with their permissions (default: an operator)")

    def handle(self, *args, file, dry_run, publish, user, accept_warnings=False, **options):
        started = time.perf_counter()
        acting = acting_user(user, perms=["indicators.add_return"] + (["indicators.publish_return"] if publish else []))
        path = Path(file)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror})") from None
        problem = too_large(size)          # refused before reading: no memory blow-up
        if problem:
            raise CommandError(f"{path.name}: {problem}; nothing was written")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror})") from None
        try:
            header, body = read_table(data, path.name)
            skipped: list[int] = []
            rows = check_rows(header, body, catalogue_for(acting), today=timezone.localdate(), skipped=skipped)
        except ReturnFileError as exc:
            raise problems_error(exc.problems, name=path.name, total=exc.total) from None
        changes = preview(rows)
        warnings = find_warnings(c.row for c in changes if c.kind != "unchanged")
        for warning in warnings:
            self.stdout.write(self.style.WARNING(f"{path.name}: {warning}"))
        if skipped:
            self.stdout.write(f"{len(skipped):,} row(s) with no figure skipped (rows {_ranges(skipped)}).")
        for change in [c for c in changes if c.kind == "changed"][:SHOW_CHANGES]:
            self.stdout.write(f"  changed  {change.describe()}")
        if dry_run:
            for line in summarise(changes).lines():
                self.stdout.write(line)
            self.stdout.write(f"Dry run: {len(rows):,} rows checked, nothing written.")
            return
        if warnings and publish and not accept_warnings:
            raise CommandError(
                f"{path.name}: {len(warnings):,} figure(s) with warnings (listed above); check them, then "
                "publish with --accept-warnings if they are right, or import without --publish to keep a "
                "draft; nothing was written")
        try:
            summary = stage(rows, user=acting, source=path.name, publish=publish, changes=changes)
        except ReturnError as exc:
            raise CommandError(f"{path.name}: {exc}; nothing was written") from None
        for line in summary.lines():
            self.stdout.write(line)
        if summary.nothing_changed:
            self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary.nothing_changed_message()}."))
            return
        state = "published" if publish else "draft (publish it in the admin, or import again with --publish)"
        numbers = ", ".join(f"#{r.pk} {r.force.slug}" for r in summary.returns)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Imported {len(rows):,} rows from {path.name} in {elapsed:.1f} s ({len(rows) / elapsed:,.0f} rows/s): "
            f"return {numbers}, {state}."))


def _ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 7] -> "2-4, 7"."""
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(f"{start}-{n}" if n != start else str(n))
            start = None
    return ", ".join(out[:10]) + (" …" if len(out) > 10 else "")
