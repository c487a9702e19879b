"""python manage.py export_report --force SLUG --period YYYY-MM [--mode ...] [--format html|pdf] --output FILE"""

import os
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from indicators import periods, selectors
from indicators.access.permissions import can_see_drafts
from indicators.management.commands._common import acting_user
from indicators.plans.bilingual import WELSH
from reports import welsh
from reports.report import FORMATS, MODE_HELP, MODES, ReportError, build_pdf, build_report


class Command(BaseCommand):
    help = (
        "Export the panel report for a force and period as one self-contained HTML file (styles and "
        "server-drawn SVG charts inline, no script, no request to any other address when opened, charts "
        "also as tables, an A4 print layout), or with --format pdf as a tagged A4 PDF (bookmarks, contents "
        f"with page numbers, page n of m). Modes: {MODE_HELP}. "
        "Published data only, unless --user names someone who may see drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", required=True, help="the force's slug, e.g. west-mercia")
        parser.add_argument("--period", required=True, help="the last month covered, YYYY-MM")
        parser.add_argument("--mode", default="full", choices=MODES, help=MODE_HELP)
        parser.add_argument("--theme", type=int, help="with --mode theme: the number of the area of focus (in a plan that lists its priorities directly, with no areas: the number of the priority)")
        parser.add_argument("--format", default="html", choices=FORMATS, dest="file_format",
                            help="html (default): one self-contained file; pdf: the same report as an A4 PDF")
        parser.add_argument("--output", required=True, help="the file to write (.html or .pdf)")
        parser.add_argument("--areas", action="store_true",
                            help="add the local-areas section: each district's figures and the priorities it chose")
        parser.add_argument("--user", help="act as this user (their drafts become visible if they may see them)")
        parser.add_argument("--language", default="en", choices=["en", "cy"],
                            help="en (default): English; cy: Welsh (Cymraeg), for a force whose plan file sets "
                                 "languages: [cy, en]")

    def handle(self, *args, force, period, mode, theme, output, user, file_format="html", areas=False,
               language="en", **options):
        started = time.perf_counter()
        acting = acting_user(user, perms=[])
        force_obj = selectors.force_by_slug(slug=force)
        if force_obj is None:
            known = ", ".join(selectors.force_slugs_with_plans())
            raise CommandError(f"--force {force}: no such force" + (f"; forces with plans: {known}" if known else ""))
        if language == WELSH and WELSH not in (force_obj.languages or []):
            raise CommandError(f"--language cy: {force_obj.name} publishes in English only (its plan file does not "
                               "set languages: [cy, en])")
        try:
            month = periods.parse_past_month(period, timezone.localdate())
        except ValueError as exc:
            raise CommandError(f"--period: {exc}") from None
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"--output {output}: is a folder; give a file name such as report.{file_format}")
        if not path.parent.exists():
            raise CommandError(f"--output {output}: the folder {path.parent} does not exist")
        bar = _Steps(self.stdout, ["reading the figures", "laying out the pages", "writing the PDF"]
                     if file_format == "pdf" else ["reading the figures"])
        try:
            with translation.override(WELSH if language == WELSH else settings.LANGUAGE_CODE):
                welsh.reset()
                html = build_report(force=force_obj, period=month, mode=mode, theme=theme,
                                    drafts=acting is not None and can_see_drafts(acting, force_obj), local_areas=areas)
            bar.step()
            content = build_pdf(html, progress=lambda stage: bar.step(stage)) if file_format == "pdf" \
                else html.encode("utf-8")
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        _write_atomically(path, content)
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {path} ({size / 1_000_000:.2f} MB, {mode}{f' {theme}' if theme else ''}, {file_format.upper()}"
            f"{', in Welsh' if language == WELSH else ''}) "
            f"for {force_obj.name}, "
            f"{periods.month_label(month)}, in {time.perf_counter() - started:.1f} s."))


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves half a report."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CommandError(f"--output {path}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"--output {path}: cannot write there ({exc.strerror})") from None


class _Steps:
    """A tqdm bar of the export's steps (the figures; for a PDF, then the
    layout and the writing), on a terminal only: a full pack's PDF takes
    seconds, and the bar says which part is running."""

    def __init__(self, stdout, steps: list[str]):
        self.bar, self.steps, self.done = None, steps, 0
        if getattr(stdout, "isatty", lambda: False)() or sys.stdout.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=len(steps), desc=steps[0], file=sys.stderr,
                            bar_format="{desc}: {bar} {n_fmt}/{total_fmt} steps [{elapsed}]")

    def step(self, stage: str | None = None) -> None:
        """The current step is done (``stage`` None), or ``stage`` started."""
        if self.bar is None:
            return
        if stage is None or not stage.startswith(self.steps[min(self.done, len(self.steps) - 1)]):
            self.done = min(self.done + 1, len(self.steps))
            self.bar.update(self.done - self.bar.n)
        self.bar.set_description(stage or self.steps[min(self.done, len(self.steps) - 1)])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(len(self.steps) - self.bar.n)
            self.bar.close()
