"""python manage.py import_policeuk PATH... [--force SLUG ...] [--dry-run] [--publish] [--skip-unknown]
[--compare BASIS [--compare-existing]]"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from indicators import vocabulary
from indicators.management.commands._common import acting_user, problems_error
from indicators.opendata import policeuk, policeuk_import
from indicators.returns.file import ReturnFileError

# The comparisons a monthly count can be made on; `benchmark` needs benchmark series the import does not file.
COMPARE_CHOICES = [basis for basis in vocabulary.COMPARISONS if basis != "benchmark"]


class Command(BaseCommand):
    help = (
        "Turn data.police.uk street-level crime files into monthly observations: one per force, month and "
        "crime type (indicators policeuk-<category>, e.g. policeuk-burglary) and policeuk-all-crime (every "
        "type but anti-social behaviour). PATH is a street CSV (plain or .gz), a folder searched for "
        "*-street.csv[.gz], or a data.police.uk archive .zip read in place. Each force's figures are also "
        "written per local area, the area being the row's LSOA name less its trailing code (Bromsgrove 004A -> "
        "Bromsgrove; rows without a location count for the force only). Forces, local areas and indicators "
        "it has not seen are created (count, sum, lower is better, compared with the Most Similar Group). A month a "
        "force did not publish stays missing, never zero. Figures go through the same checks and atomic, "
        "history-keeping path as a return file; importing the same files again changes nothing. "
        "--compare rolling-12 makes the new indicators' headline change the 12 months to the period vs the 12 "
        "before (SPEC §6 compare); without it they compare year to date, the monthly default."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help="a data.police.uk archive (.zip, read in place), a street-level CSV "
                                 "(*-street.csv, or .csv.gz), or a folder searched for them; give several to "
                                 "import them together")
        parser.add_argument("--force", action="append", dest="forces", metavar="SLUG",
                            help="only this force (repeat for more)")
        parser.add_argument("--dry-run", action="store_true", help="count and list the changes; write nothing")
        parser.add_argument("--publish", action="store_true", help="publish at once (else a draft return)")
        parser.add_argument("--skip-unknown", action="store_true",
                            help='leave out rows whose "Falls within" matches no force (listed) instead of failing')
        parser.add_argument("--user", help="act as this user, with their permissions")
        parser.add_argument("--compare", choices=COMPARE_CHOICES, metavar="BASIS",
                            help="the comparison the headline change of the indicators this import creates is "
                                 "made on (their `compare`): " + ", ".join(COMPARE_CHOICES) + "; e.g. rolling-12, "
                                 "the 12 months to the period vs the 12 months before. Without it new indicators "
                                 "have none (year to date, the monthly default). Indicators that already exist "
                                 "(defined by a plan, or by an earlier import) keep their compare, so a plan's "
                                 "wins, unless --compare-existing is given too")
        parser.add_argument("--compare-existing", action="store_true",
                            help="with --compare: also set it on the policeuk-* indicators that already exist "
                                 "for the forces imported, overriding the compare a plan or an earlier import "
                                 "gave them")

    def handle(self, *args, paths, forces, dry_run, publish, skip_unknown, user, compare=None,
               compare_existing=False, **options):
        started = time.perf_counter()
        if compare_existing and not compare:
            raise CommandError("--compare-existing needs --compare BASIS (the comparison to set); nothing was "
                               "written")
        acting = acting_user(user, perms=["indicators.add_return"] + (["indicators.publish_return"] if publish else []))
        for slug in forces or []:
            if slug not in policeuk.FORCES:
                raise CommandError(f"--force {slug}: not a data.police.uk force id")
        counts = policeuk.Counts()
        bar = _progress(self.stdout)
        try:
            for label, source in policeuk.street_files(paths):
                policeuk.count_file(label, source, counts, progress=bar)
            rows, unknown = policeuk.observation_rows(counts, only=set(forces or []), skip_unknown=skip_unknown)
        except policeuk.PoliceUkError as exc:
            raise problems_error(exc.problems) from None
        finally:
            bar.close()
        elapsed = time.perf_counter() - started
        for name, n in sorted(unknown.items()):
            self.stdout.write("  " + policeuk_import.skipped_line(name, n))
        self.stdout.write(policeuk_import.read_line(counts, rows, elapsed))
        if not rows:
            raise CommandError("no figures to import; nothing was written")
        try:
            written = policeuk_import.write(counts, rows, only=set(forces or []), user=acting, publish=publish,
                                            dry_run=dry_run, compare=compare, compare_existing=compare_existing,
                                            say=self.stdout.write)
        except ReturnFileError as exc:
            raise problems_error(exc.problems, total=exc.total) from None
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
            return
        state = "published" if publish else "saved as draft returns"
        self.stdout.write(self.style.SUCCESS(
            f"{written.figures:,} figures {state} ({len(written.summary.returns)} return(s)) in "
            f"{time.perf_counter() - started:.1f} s."))


class _progress:
    """A tqdm bar of rows read, on a terminal only."""

    def __init__(self, stdout):
        self.bar = None
        if getattr(stdout, "isatty", lambda: False)() or sys.stdout.isatty():
            from tqdm import tqdm
            self.bar = tqdm(unit=" rows", unit_scale=True, desc="Counting", file=sys.stderr)

    def __call__(self, n):
        if self.bar is not None:
            self.bar.update(n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
