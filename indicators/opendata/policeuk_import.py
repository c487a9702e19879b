"""Writing counted data.police.uk figures: shared by `import_policeuk` and the
admin's *Import data.police.uk open data* (issue 27 item 5), so that the
admin's preview is the command's `--dry-run`, line for line, and its import
the command's, check for check.

`write` creates the forces, indicators and local areas the figures need,
checks the rows as a return file's (so a user's scope and permissions are
the file import's) and previews them; then it either rolls everything back
(a dry run) or stages the returns, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from indicators import versioning
from indicators.models import Force, Indicator, LocalArea
from indicators.opendata import policeuk
from indicators.returns.file import COLUMNS_WITH_AREA, check_rows
from indicators.returns.workflow import Summary, catalogue_for, preview, stage, summarise

STAGE_SOURCE = "data.police.uk street-level files"


@dataclass
class Written:
    """What `write` did (or, in a dry run, would do)."""
    figures: int = 0
    lines: list[str] = field(default_factory=list)       # the preview's lines, as --dry-run prints them
    summary: Summary | None = None                       # the staged returns (not in a dry run)


def read_line(counts: policeuk.Counts, rows, seconds: float | None = None) -> str:
    """The "Read N rows from F file(s) ..." line of the command and the admin's preview."""
    speed = (f" in {seconds:.1f} s ({counts.rows / max(seconds, 1e-9):,.0f} rows/s)"
             if seconds is not None else "")
    return (f"Read {counts.rows:,} rows from {len(counts.files)} file(s){speed}: {len(rows):,} figures, "
            f"{policeuk.months_in(rows)}.")


def skipped_line(falls_within: str, n: int) -> str:
    """A "Falls within" value matching no force, left out (--skip-unknown)."""
    return f"skipped \"{falls_within}\": matches no force ({n:,} rows)"


def write(counts: policeuk.Counts, rows, *, only: set[str], user, publish: bool, dry_run: bool,
          compare: str | None = None, compare_existing: bool = False,
          say: Callable[[str], None] = lambda line: None) -> Written:
    """Check the counted figures as ``user`` (None: an operator with every
    permission) and preview them; write them unless ``dry_run``. All or
    nothing; ReturnFileError lists the problems. ``rows``: the force-level
    rows of `policeuk.observation_rows` (unknown forces already dealt with).
    ``say`` hears each line as the command prints it."""
    out = Written()
    with transaction.atomic():
        ensure(rows, compare=compare, compare_existing=compare_existing, say=say)
        area_codes = ensure_areas(policeuk.area_names(counts, only=only))
        rows, _ = policeuk.observation_rows(counts, only=only, skip_unknown=True, area_codes=area_codes)
        checked = check_rows(COLUMNS_WITH_AREA, [(i + 2, r) for i, r in enumerate(rows)],
                             catalogue_for(user), today=timezone.localdate())
        changes = preview(checked)
        out.figures = len(checked)
        for line in summarise(changes).lines():
            out.lines.append(line)
            say(line)
        if dry_run:
            transaction.set_rollback(True)
            return out
        out.summary = stage(checked, user=user, source=STAGE_SOURCE, publish=publish, changes=changes)
    return out


def ensure(rows, *, compare=None, compare_existing=False, say: Callable[[str], None] = lambda line: None):
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
            say(f"Compare {compare}: {len(new)} new indicator(s); {changed} existing one(s) changed, "
                f"{len(old) - changed} had it already.")
        else:
            say(f"Compare {compare}: {len(new)} new indicator(s)"
                + (f"; {len(old)} existing one(s) keep theirs (--compare-existing changes them)." if old else "."))
    versioning.bump()


def ensure_areas(names: dict[str, set[str]]) -> dict[tuple[str, str], str]:
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
