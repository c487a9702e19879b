"""python manage.py export_report --force SLUG --period YYYY-MM [--mode ...] --output FILE.html"""

import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators import periods, selectors
from indicators.access.permissions import can_see_drafts
from indicators.management.commands._common import acting_user
from reports.report import MODES, ReportError, build_report


class Command(BaseCommand):
    help = (
        "Export the panel report for a force and period as one self-contained HTML file: styles, "
        "scripts and charts inline, no request to any other address when opened, charts also as "
        "tables, an A4 print layout. Modes: full; exceptions (only measures that are red or amber, "
        "special-cause concern or significantly worse, with their commentary); theme (one area of "
        "focus, given by --theme N). Published data only, unless --user names someone who may see drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", required=True, help="the force's slug, e.g. west-mercia")
        parser.add_argument("--period", required=True, help="the last month covered, YYYY-MM")
        parser.add_argument("--mode", default="full", choices=MODES, help="full (default), exceptions or theme")
        parser.add_argument("--theme", type=int, help="with --mode theme: the number of the area of focus")
        parser.add_argument("--output", required=True, help="the HTML file to write")
        parser.add_argument("--areas", action="store_true",
                            help="add the local-areas section: each district's figures and the priorities it chose")
        parser.add_argument("--user", help="act as this user (their drafts become visible if they may see them)")

    def handle(self, *args, force, period, mode, theme, output, user, areas=False, **options):
        started = time.perf_counter()
        acting = acting_user(user, perms=[])
        force_obj = selectors.force_by_slug(slug=force)
        if force_obj is None:
            known = ", ".join(selectors.force_slugs_with_plans())
            raise CommandError(f"--force {force}: no such force" + (f"; forces with plans: {known}" if known else ""))
        try:
            month = periods.parse_past_month(period, timezone.localdate())
        except ValueError as exc:
            raise CommandError(f"--period: {exc}") from None
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"--output {output}: is a folder; give a file name such as report.html")
        if not path.parent.exists():
            raise CommandError(f"--output {output}: the folder {path.parent} does not exist")
        try:
            html = build_report(force=force_obj, period=month, mode=mode, theme=theme,
                                drafts=acting is not None and can_see_drafts(acting, force_obj), local_areas=areas)
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        _write_atomically(path, html)
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {path} ({size / 1_000_000:.2f} MB, {mode}{f' {theme}' if theme else ''}) for {force_obj.name}, "
            f"{periods.month_label(month)}, in {time.perf_counter() - started:.1f} s."))


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a failure never leaves half a report."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CommandError(f"--output {path}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"--output {path}: cannot write there ({exc.strerror})") from None
