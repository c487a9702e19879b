"""python manage.py import_policeuk PATH... [--force SLUG ...] [--dry-run] [--publish] [--skip-unknown]
[--compare BASIS [--compare-existing]]"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from indicators import versioning, vocabulary
from indicators.management.commands._common import acting_user, problems_error
from indicators.models import Force, Indicator, LocalArea
from indicators.opendata import policeuk
from indicators.returns.file import COLUMNS_WITH_AREA, ReturnFileError, check_rows
from indicators.returns.workflow import catalogue_for, preview, stage, summarise

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
            self.stdout.write(f"  skipped \"{name}\": matches no force ({n:,} rows)")
        self.stdout.write(f"Read {counts.rows:,} rows from {len(counts.files)} file(s) in {elapsed:.1f} s "
                          f"({counts.rows / max(elapsed, 1e-9):,.0f} rows/s): {len(rows):,} figures, "
                          f"{policeuk.months_in(rows)}.")
        if not rows:
            raise CommandError("no figures to import; nothing was written")
        try:
            with transaction.atomic():
                self._ensure(rows, compare=compare, compare_existing=compare_existing)
                area_codes = _ensure_areas(policeuk.area_names(counts, only=set(forces or [])))
                rows, _ = policeuk.observation_rows(counts, only=set(forces or []), skip_unknown=True,
                                                    area_codes=area_codes)
                checked = check_rows(COLUMNS_WITH_AREA, [(i + 2, r) for i, r in enumerate(rows)],
                                     catalogue_for(acting), today=timezone.localdate())
                changes = preview(checked)
                for line in summarise(changes).lines():
                    self.stdout.write(line)
                if dry_run:
                    transaction.set_rollback(True)
                    self.stdout.write("Dry run: nothing written.")
                    return
                summary = stage(checked, user=acting, source="data.police.uk street-level files",
                                publish=publish, changes=changes)
        except ReturnFileError as exc:
            raise problems_error(exc.problems, total=exc.total) from None
        state = "published" if publish else "saved as draft returns"
        self.stdout.write(self.style.SUCCESS(
            f"{len(checked):,} figures {state} ({len(summary.returns)} return(s)) in "
            f"{time.perf_counter() - started:.1f} s."))

    def _ensure(self, rows, *, compare=None, compare_existing=False):
        """Create the forces and indicators the figures need; with
        ``compare``, the new indicators get it as their ``compare``, and the
        existing ones the rows touch too when ``compare_existing``."""
        for slug in sorted({r[0] for r in rows}):
            Force.objects.get_or_create(slug=slug, defaults={"name": policeuk.FORCES[slug]})
        by_slug = dict(Force.objects.filter(slug__in={r[0] for r in rows}).values_list("slug", "id"))
        names = {policeuk.indicator_code(t): policeuk.indicator_name(t) for t in policeuk.CRIME_TYPES}
        names[policeuk.ALL_CRIME] = "All crime, excluding anti-social behaviour (data.police.uk)"
        existing = set(Indicator.objects.filter(force_id__in=by_slug.values(), code__startswith="policeuk-")
                       .values_list("force__slug", "code"))
        touched = sorted({(r[0], r[1]) for r in rows})
        new = [key for key in touched if key not in existing]
        Indicator.objects.bulk_create([
            Indicator(force_id=by_slug[slug], code=code, name=names[code], unit="count", aggregation="sum",
                      polarity="down", msg=True, source=policeuk.SOURCE, compare=compare or "")
            for slug, code in new])
        if compare:
            old = [key for key in touched if key in existing]
            if compare_existing and old:
                changed = 0
                for slug in sorted({s for s, _ in old}):
                    changed += (Indicator.objects.filter(force_id=by_slug[slug], code__in=[c for s, c in old if s == slug])
                                .exclude(compare=compare).update(compare=compare))
                self.stdout.write(f"Compare {compare}: {len(new)} new indicator(s); {changed} existing one(s) changed, "
                                  f"{len(old) - changed} had it already.")
            else:
                self.stdout.write(f"Compare {compare}: {len(new)} new indicator(s)"
                                  + (f"; {len(old)} existing one(s) keep theirs (--compare-existing changes them)."
                                     if old else "."))
        versioning.bump()


def _ensure_areas(names: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """(force slug, area name) -> the code of the force's local area of that
    name, creating the areas not met before. An area the force has already
    (from its plan, with its ONS code) is matched by name, whatever the
    case; a new one's code is the name as a slug ("Central Bedfordshire" ->
    central-bedfordshire), since an LSOA code does not name its local
    authority (docs/decisions.md, Local areas from open data)."""
    forces = dict(Force.objects.filter(slug__in=names).values_list("slug", "id"))
    held: dict[str, dict[str, str]] = {}
    codes: dict[str, set[str]] = {}
    for slug, code, name in LocalArea.objects.filter(force__slug__in=names).values_list("force__slug", "code",
                                                                                         "name"):
        held.setdefault(slug, {})[name.lower()] = code
        codes.setdefault(slug, set()).add(code)
    out: dict[tuple[str, str], str] = {}
    new = []
    for slug in sorted(names):
        for name in sorted(names[slug]):
            code = held.get(slug, {}).get(name.lower())
            if code is None:
                base = slugify(name)[:60] or "area"
                code, n = base, 1
                while code in codes.setdefault(slug, set()):
                    n += 1
                    code = f"{base}-{n}"
                codes[slug].add(code)
                held.setdefault(slug, {})[name.lower()] = code
                new.append(LocalArea(force_id=forces[slug], code=code, name=name[:200]))
            out[(slug, name)] = code
    LocalArea.objects.bulk_create(new)
    return out


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
