"""The panel pack, ready when asked (issue 27).

A pack (one force, period, mode, theme and format) is built by a job and
stored in the database (`jobs.models.StoredPack`), at the data version of
the force's pages (reports/cache.py `data_version`): every server serves
the same file, and a change to the figures makes it stale. Publishing a
return, a commentary or a summary queues the packs it made stale
(`queue_after_publish`); a pack asked for before it is built is queued then,
and the page says "being prepared" until it is there."""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from indicators import periods
from indicators.models import Force
from indicators.plans import bilingual
from indicators.plans.bilingual import WELSH
from jobs import runner
from jobs.models import Job, StoredPack
from reports import formatting as fmt
from reports import warm, welsh
from reports.cache import data_version
from reports.report import build_pdf, build_report, check_request, one_level, report_filename

logger = logging.getLogger(__name__)
FORMATS = ("html", "pdf")
# A pack whose job failed is asked for again (a new job) only after this long; the operators can retry sooner.
RETRY_FAILED_AFTER = timedelta(minutes=10)


def _language(language: str | None) -> str:
    """A pack's language: Welsh, or English (the default) for anything else."""
    return WELSH if language == WELSH else settings.LANGUAGE_CODE


def _key(force: Force, period: date, mode: str, theme: int | None, file_format: str, drafts: bool,
         language: str | None = None) -> str:
    """One pack, whatever its version: a job reads the data version when it starts. A Welsh pack's key
    ends ":cy" (issue 31); an English one's is as it was."""
    return (f"pack:{force.slug}:{periods.format_month(period)}:{mode}:{theme or 0}:{file_format}:{int(drafts)}"
            + (f":{WELSH}" if _language(language) == WELSH else ""))


# The stages a pack's job reports (below and reports/report.py, jobs/runner.py), for the page that waits on it
STAGES = {"reading the figures": gettext_lazy("reading the figures"),
          "laying out the pages": gettext_lazy("laying out the pages"),
          "storing the file": gettext_lazy("storing the file"), "stored": gettext_lazy("stored"),
          "started": gettext_lazy("started"), "retried": gettext_lazy("retried"),
          "waiting: the queue did not answer": gettext_lazy("waiting: the queue did not answer"),
          "sent again: its worker stopped": gettext_lazy("sent again: its worker stopped")}
_PDF_STAGE = re.compile(r"writing the PDF \((\d+) pages\)")


def stage_words(stage: str) -> str:
    """A job's stage (stored in English, for the operators) in the page's language."""
    stage = stage or "started"
    found = _PDF_STAGE.fullmatch(stage)
    if found:
        return gettext("writing the PDF (%(pages)s pages)") % {"pages": found[1]}
    return str(STAGES.get(stage, stage))


def page_label(job, force: Force, period: date, mode: str, theme: int | None, file_format: str, drafts: bool) -> str:
    """What the waiting page calls the pack: the job's label on an English page (it is stored in
    English, for the operators); on a Welsh page the same words in Welsh."""
    if not bilingual.is_welsh():
        return job.label
    what = (gettext("theme %(theme)s") % {"theme": theme} if mode == "theme"
            else {"exceptions": gettext("exceptions"), "compact": gettext("compact")}.get(mode, gettext("full")))
    return (gettext("%(force)s panel pack, %(period)s, %(what)s, %(format)s") % {
        "force": welsh.plan_text(force.name), "period": fmt.month_label(period), "what": what,
        "format": file_format.upper()} + (gettext(" (with drafts)") if drafts else ""))


def _label(force: Force, period: date, mode: str, theme: int | None, file_format: str, drafts: bool,
           language: str | None = None) -> str:
    what = f"theme {theme}" if mode == "theme" else mode
    return (f"{force.name} panel pack, {periods.format_month(period)}, {what}, {file_format.upper()}"
            + (" (with drafts)" if drafts else "") + (", in Welsh" if _language(language) == WELSH else ""))


def _params(force: Force, period: date, mode: str, theme: int | None, file_format: str, drafts: bool,
            language: str | None, **more) -> dict:
    params = {"force": force.pk, "period": period.isoformat(), "mode": mode, "theme": theme, "format": file_format,
              "drafts": drafts, **more}
    if _language(language) == WELSH:
        params["language"] = WELSH
    return params


def languages_of(force: Force) -> list[str]:
    """The languages a force's packs are made in: English, and Welsh for a force published in both."""
    return [settings.LANGUAGE_CODE] + ([WELSH] if WELSH in (force.languages or []) else [])


def stored(*, force: Force, period: date, mode: str, theme: int | None, file_format: str, drafts: bool,
           version: str | None = None, language: str | None = None) -> StoredPack | None:
    """The stored pack at the force's current data version, if it is built."""
    version = version or data_version(force.slug)
    return StoredPack.objects.filter(force=force, period=period, mode=mode, theme=theme or 0,
                                     file_format=file_format, drafts=drafts, version=version,
                                     language=_language(language)).first()


def ask(*, force: Force, period: date, mode: str, theme: int | None, file_format: str, drafts: bool,
        user=None, language: str | None = None) -> tuple[StoredPack | None, Job | None]:
    """The pack if it is built; otherwise the job building it (queued now if
    none is). Raises ReportError for a pack that cannot be made."""
    check_request(force=force, period=period, mode=mode, theme=theme)
    version = data_version(force.slug)
    pack = stored(force=force, period=period, mode=mode, theme=theme, file_format=file_format, drafts=drafts,
                  version=version, language=language)
    if pack is not None:
        return pack, None
    key = _key(force, period, mode, theme, file_format, drafts, language)
    latest = Job.objects.filter(key=key).order_by("-created").first()
    if latest is not None and latest.status == Job.FAILED and latest.finished \
            and latest.finished > timezone.now() - RETRY_FAILED_AFTER:
        return None, latest                   # it just failed: say so, rather than fail again at every refresh
    job = runner.enqueue("pack", key=key, label=_label(force, period, mode, theme, file_format, drafts, language),
                         params=_params(force, period, mode, theme, file_format, drafts, language, version=version),
                         user=user if drafts else None, urgent=True)
    return None, job


@runner.kind("pack")
def build(job: Job, progress) -> dict:
    """Build one pack and store it in place of the force's previous one."""
    p = job.params
    force = Force.objects.get(pk=p["force"])
    period, mode, theme, file_format = date.fromisoformat(p["period"]), p["mode"], p["theme"], p["format"]
    version = data_version(force.slug)          # read before the figures: a change meanwhile makes it stale
    language = _language(p.get("language"))
    started = time.process_time()
    progress(0, 3, stage="reading the figures")
    with translation.override(language):
        welsh.reset()
        html = build_report(force=force, period=period, mode=mode, theme=theme, drafts=p["drafts"])
    progress(1, 3, stage="laying out the pages" if file_format == "pdf" else "storing the file")
    if file_format == "pdf":
        content = build_pdf(html, progress=lambda stage: progress(2, 3, stage=stage))
    else:
        content = html.encode("utf-8")
    seconds = time.process_time() - started
    with transaction.atomic():
        StoredPack.objects.update_or_create(
            force=force, period=period, mode=mode, theme=theme or 0, file_format=file_format, drafts=p["drafts"],
            language=language,
            defaults={"version": version, "content": content, "size": len(content), "build_seconds": seconds,
                      "filename": report_filename(force, period, mode, theme, file_format, language)})
    progress(3, 3, stage="stored")
    return {"size": len(content), "cpu_seconds": round(seconds, 2), "version": version}


def packs_for(force: Force, period: date) -> list[tuple[str, int | None]]:
    """Every mode of the force's pack for a period: (mode, theme)."""
    from indicators import selectors

    plan = selectors.plan_for(force=force, period=period)
    if plan is None:
        return []
    numbers = ([p.number for a in plan.areas.all() for p in a.priorities.all()] if one_level(plan)
               else [a.number for a in plan.areas.all()])
    return [("full", None), ("exceptions", None)] + [("theme", n) for n in numbers]


_quiet = threading.local()


@contextmanager
def not_after_each_save():
    """Saves inside queue no packs (a bulk load queues them once, at its end)."""
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = False


def quiet() -> bool:
    return getattr(_quiet, "on", False)


def queue_after_publish(force_ids, months=()) -> None:
    """After a publish commits: queue each mode of each force's pack, HTML
    and PDF, for the periods it changed (the latest month published, and the
    period a reader gets by default), and warm the force's pages."""
    force_ids, months = set(force_ids), set(months)

    def queue():
        try:
            _queue()
        except Exception:          # a publish never fails for want of its packs: they are made when asked
            logger.exception("packs after a publish of forces %s could not be queued", sorted(force_ids))

    def _queue():
        from indicators import selectors

        for force in Force.objects.filter(pk__in=force_ids):
            wanted = {max(months)} if months else set()
            default = selectors.default_period(force=force, include_drafts=False)
            if default is not None:
                wanted.add(default)
            for period in sorted(wanted):
                try:
                    check_request(force=force, period=period, mode="full", theme=None)
                except Exception:                 # nothing published for that period: no pack to make
                    continue
                for mode, theme in packs_for(force, period):
                    for file_format in FORMATS:
                        for language in languages_of(force):
                            runner.enqueue("pack", key=_key(force, period, mode, theme, file_format, False, language),
                                           label=_label(force, period, mode, theme, file_format, False, language),
                                           params=_params(force, period, mode, theme, file_format, False, language),
                                           join_running=False)
            if not warm.worth_it():
                continue
            # first: readers meet these pages now; the packs wait for whoever asks for them next
            runner.enqueue("warm", key=f"warm:{force.slug}", label=f"{force.name}: pages rendered for readers",
                           params={"force": force.pk}, join_running=False, urgent=True)

    transaction.on_commit(queue)
