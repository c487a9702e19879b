"""The panel report (SPEC §4): one self-contained HTML file, or the same as
an A4 PDF.

`build_report` is used by both `export_report` and `/<force>/report/`, so the
two give byte-identical files for the same data apart from the generation
time. Every style and chart is inline: the file makes no request anywhere
when opened, and it needs no script at all: its charts are SVG drawn on the
server (reports/svg.py), each with a caption and its data as a table, so it
reads the same in a mail client that strips scripts and on paper.
`build_pdf` prints that HTML with WeasyPrint (tagged PDF/UA, bookmarks,
contents with page numbers, "Page n of m").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from indicators import periods, selectors
from indicators.engine.ratings import needs_attention
from indicators.engine.result import IndicatorResult
from indicators.models import Force, ReportMode
from indicators.plans import bilingual
from reports import charts, svg, welsh
from reports import formatting as fmt
from reports.local_areas import report_section
from reports.plan_results import page_state, plan_results
from reports.tables import (
    MeasuresTable,
    attention,
    key_context,
    mdc_rows,
    measures_table,
    needs_current_layout,
    rating_counts,
)

# The modes a panel meeting can ask for (SPEC §4), and compact, for exception
# meetings: one line per measure with its rating, what needs attention, the
# commentary, and charts only for the measures that need attention
# (docs/decisions.md, "The compact panel pack").
MIN_POINTS_TO_DRAW = 4   # a chart of fewer values is too small to read: its table is shown instead
MODES = [m.value for m in ReportMode] + ["compact"]
MODE_HELP = ("full (default); exceptions (only measures whose rating, RAG, SPC or significance is bad, with "
             "their commentary); theme (one area of focus, --theme N; one priority in a plan with no areas); "
             "compact (one line per measure with its rating, then what needs attention and the commentary, "
             "with charts only for the measures that need attention)")
FORMATS = ("html", "pdf")
STATIC = Path(settings.BASE_DIR) / "static"


class ReportError(Exception):
    """A request the report cannot satisfy, in words for the user."""


def is_exception(result: IndicatorResult) -> bool:
    """Shown in an exceptions-only report (SPEC §4): the plan's rating, the
    RAG, the SPC or the significance is bad (`engine.ratings.needs_attention`)."""
    return needs_attention(result)


@dataclass
class Section:
    priority: object
    table: MeasuresTable
    commentary: str
    measures: list = field(default_factory=list)       # {"result", "charts"}


def _inline_assets() -> dict:
    return {"css": (STATIC / "css" / "site.css").read_text(encoding="utf-8")
            + (STATIC / "css" / "report.css").read_text(encoding="utf-8")}


def check_request(*, force: Force, period: date | None, mode: str, theme: int | None):
    """The plan to report on, or ReportError saying what is wrong."""
    if mode not in MODES:
        raise ReportError(gettext("mode must be one of %(modes)s (got %(mode)s)") % {"modes": ", ".join(MODES),
                                                                                     "mode": repr(mode)})
    if mode == "theme" and theme is None:
        raise ReportError(gettext("mode theme needs --theme N, the number of the area of focus to report on"))
    if mode != "theme" and theme is not None:
        raise ReportError(gettext("--theme only goes with mode theme (the mode is %(mode)s)") % {"mode": mode})
    if period is None:
        raise ReportError(gettext("%(force)s has no published figures to report on yet") % {
            "force": welsh.plan_text(force.name)})
    plan = selectors.plan_for(force=force, period=period)
    if plan is None:
        raise ReportError(gettext("%(force)s has no Police and Crime Plan loaded") % {"force": welsh.plan_text(force.name)})
    if theme is not None:
        if one_level(plan):
            numbers = [p.number for a in plan.areas.all() for p in a.priorities.all()]
            if theme not in numbers:
                raise ReportError(gettext("theme %(theme)s is not in the plan; it has no areas of focus, so --theme "
                                          "names one of its priorities, numbered %(numbers)s") % {
                    "theme": theme, "numbers": ", ".join(map(str, numbers))})
            return plan
        numbers = [a.number for a in plan.areas.all()]
        if theme not in numbers:
            raise ReportError(gettext("theme %(theme)s is not in the plan; its %(areas)s are numbered %(numbers)s") % {
                "theme": theme, "areas": welsh.area_label(plan, plural=True, lower=True),
                "numbers": ", ".join(map(str, numbers))})
    return plan


def one_level(plan) -> bool:
    """A plan that lists its priorities directly (SPEC §6 Plan shape): one area with no title."""
    areas = list(plan.areas.all())
    return len(areas) == 1 and not areas[0].title.strip()


def _in_theme(plan_is_one_level: bool, theme: int | None, area, priority) -> bool:
    """Whether a priority is reported in mode theme: its area's number, or in a
    one-level plan its own (theme mode becomes "one priority")."""
    if theme is None:
        return True
    return priority.number == theme if plan_is_one_level else area.number == theme


def build_report(*, force: Force, period: date | None, mode: str = "full", theme: int | None = None,
                 drafts: bool = False, generated_at: datetime | None = None, toolbar: dict | None = None,
                 local_areas: bool = False) -> str:
    """The report's HTML. ``toolbar`` is for viewing it on the site (the
    Download links); the exported file has none. ``local_areas`` adds the
    local-areas section (``export_report --areas``)."""
    plan = check_request(force=force, period=period, mode=mode, theme=theme)
    perf = plan_results(force, plan, period, drafts)
    results = perf.results
    areas, shown, drawn_charts = [], [], []
    detailed: set[str] = set()     # the codes of the measures with a detail block (#m-<code>)
    commentary = selectors.commentary_for(priority_ids=[p.id for a in plan.areas.all() for p in a.priorities.all()],
                                          month=period, include_drafts=drafts)
    flat = one_level(plan)
    for area in plan.areas.all():
        if theme is not None and not flat and area.number != theme:
            continue
        sections, unmeasured = [], []
        for priority in area.priorities.all():
            if not _in_theme(flat, theme, area, priority):
                continue
            measures = [m for m in priority.measures.all() if m.indicator_id in results]
            if not measures and not commentary.get(priority.id):
                # No measures and nothing said (Essex's Annex A district priorities): listed once below.
                if mode not in ("exceptions", "compact"):
                    unmeasured.append(priority)
                continue
            if mode in ("exceptions", "compact"):
                measures = [m for m in measures if is_exception(results[m.indicator_id])]
                if not measures and (mode == "exceptions" or not commentary.get(priority.id)):
                    continue
            prefix = f"fn-{priority.number}"
            section = Section(priority, None, fmt.render_markdown(commentary.get(priority.id, "")))
            for m in measures:
                result = results[m.indicator_id]
                shown.append(m)
                # an SPC chart with no limits would only repeat the trend: the row says "Not enough data"
                drawn = [ch for ch in (charts.trend_chart(result, period),
                                       charts.spc_chart(result) if result.spc.mean is not None else None) if ch]
                if not drawn:
                    # Nothing to chart: the table row says it (SPC "Not enough data"); no empty block (issue 29).
                    continue
                drawn_charts.extend(ch for ch in drawn if ch.points >= MIN_POINTS_TO_DRAW)
                detailed.add(result.indicator)
                section.measures.append({"result": result, "charts": drawn, "spc": _spc_words(result, mode, drawn),
                                         "indicator": m.indicator})
            section.table = measures_table(gettext("Measures for priority %(number)s") % {"number": priority.number},
                                           measures, results,
                                           force_slug=force.slug, period=period, footnote_prefix=prefix,
                                           anchor_links=True, anchored=detailed, method=plan.assessment,
                                           labels=plan.rating_labels)
            sections.append({"section": section, "prefix": prefix})
        if sections or mode not in ("exceptions", "compact"):
            areas.append({"area": area, "sections": sections, "unmeasured": unmeasured})
    svg.render_many(drawn_charts)

    scope = [m for m in perf.measures if _in_theme(flat, theme, m.priority.area, m.priority)]
    exceptions = mode == "exceptions"
    # An exceptions report shows no other measure anywhere: not in the headline table, nor in a count.
    headline = [m for m in scope if m.headline and (not exceptions or is_exception(results[m.indicator_id]))
                and mode != "compact"]       # compact: every measure is on one line in the list instead
    seen: set[int] = set()     # each measure once, though listed under two priorities (SPEC §6 Plan shape)
    headline = [m for m in headline if not (m.indicator_id in seen or seen.add(m.indicator_id))]
    headline_table = measures_table(gettext("Headline measures"), headline, results, force_slug=force.slug,
                                    period=period, footnote_prefix="fn-h", anchor_links=True, anchored=detailed,
                                    method=plan.assessment, labels=plan.rating_labels)
    counted = [results[m.indicator_id] for m in (shown if exceptions else scope)]
    # The Making Data Count summary (issue 29, item 2): every measure in scope with an SPC reading, in the
    # plan's order; an exceptions report, only those that need attention (as everywhere in it).
    in_scope = [results[m.indicator_id] for m in scope]
    summary_rows = mdc_rows([r for r in in_scope if not exceptions or is_exception(r)], force_slug=force.slug,
                            period=period, anchors={results[m.indicator_id].indicator for m in shown})
    counts = rating_counts(counted, plan.assessment, labels=plan.rating_labels)
    current = headline_table.current or any(s["section"].table.current for a in areas for s in a["sections"])
    plan_areas = list(plan.areas.all())
    if exceptions:
        counts = [c for c in counts if c["count"]]
    attention_items, improved_items = attention(counted, force_slug=force.slug, period=period, anchor_links=True,
                                                anchored=detailed)
    if mode == "compact":      # only the measures that need attention have charts; the others, a line in the list
        improved_items = [replace(item, url=f"#g-{item.result.indicator}") for item in improved_items]
    meetings = selectors.meeting_list(force=force)
    meeting = next((m for m in meetings if m.period == period), None)
    schedule = [m for m in meetings if (m.date >= meeting.date if meeting else m.period >= period)]
    generated_at = generated_at or timezone.now()
    summary_text, key_activity = selectors.period_writing(force=force, month=period, include_drafts=drafts)
    compact_rows = _compact_rows(scope, results, plan.rating_labels) if mode == "compact" else []
    context = {
        "force": force, "plan": plan, "period": period, "mode": mode, "theme": theme,
        "theme_area": (None if theme is None else next((p for a in plan.areas.all() for p in a.priorities.all()
                                                       if p.number == theme), None) if flat
                       else next((a["area"] for a in areas), None)),
        "theme_label": gettext("Priority") if flat else welsh.area_label(plan),
        # a theme's pack counts its own figures (issue 29, item 5), not the whole force's
        "state": (page_state(sorted({m.indicator_id for m in scope}), period, drafts) if mode == "theme"
                  else perf.state),
        "meeting": meeting, "schedule": schedule,
        "counts": counts, "counts_label": gettext("Measures by rating (%(method)s)") % {
            "method": fmt.RATING_METHOD_LABELS.get(plan.assessment, "")},
        "key": key_context(plan.assessment, exceptions_only=exceptions,
                           present={r.rating.value for r in counted} if exceptions else None, open=True,
                           labels=plan.rating_labels, current=current),
        # SPEC §6 Plan shape: priorities listed directly are one area with no title, and no area heading
        "one_level": len(plan_areas) == 1 and not plan_areas[0].title.strip(),
        "compact_rows": compact_rows,
        "compact_current": plan.assessment == "none" or any(row["current"] for row in compact_rows),
        "attention": attention_items, "improved": improved_items, "exceptions_only": exceptions,
        "executive_summary": fmt.render_markdown(summary_text),
        "cover": cover_report(plan=plan, meeting=meeting, mode=mode, theme=theme, flat=flat, scope=scope,
                              period=period, key_activity=fmt.render_markdown(key_activity),
                              has_summary=bool(summary_text), current=bool(current)),
        "headline_table": headline_table,
        "mdc_rows": summary_rows,
        "areas": areas,
        "detailed": detailed,
        "definitions": _definitions(shown),
        "generated_at": timezone.localtime(generated_at),
        "period_first": fmt.month_label(periods.ytd_months(period)[0]),
        "toolbar": toolbar,
        "local_areas": report_section(force, period, drafts) if local_areas else None,
        # the document's language (issue 31): the PDF's /Lang comes from it too
        "html_lang": "cy" if bilingual.is_welsh() else "en-GB",
        "language_switch": (toolbar or {}).get("languages", []),
        **_inline_assets(),
    }
    return render_to_string("reports/export/report.html", context)


MODE_PURPOSE = {
    "full": gettext_lazy("every measure in the plan, with its rating, the comparison with last year, its statistical process "
               "control (SPC) chart and the commentary"),
    "exceptions": gettext_lazy("only the measures that need attention (whose rating, RAG, SPC or significance is bad), with "
                     "their charts and commentary"),
    "compact": gettext_lazy("every measure on one line with its rating, then what needs attention, the commentary, and charts "
                  "for the measures that need attention"),
    "theme": gettext_lazy("the measures of one part of the plan, with their ratings, charts and commentary"),
}
# The words of units and polarities (indicators.vocabulary) in Appendix A, translated where they are shown
_VOCABULARY_WORDS = (gettext_noop("Count"), gettext_noop("Percent"), gettext_noop("Rate"), gettext_noop("Number"),
                     gettext_noop("Duration (seconds)"), gettext_noop("Rank (position of N)"), gettext_noop("Score"),
                     gettext_noop("Higher is better"), gettext_noop("Lower is better"), gettext_noop("Neither"))
# The front sheet's defaults (indicators.models), translated where they are shown
_DEFAULT_WORDS = (gettext_noop("The Police and Crime Commissioner"),
                  gettext_noop("The Panel is invited to note the report and to comment on the performance it shows."))


def _method_sentence(method: str, current: bool) -> str:
    meanings = fmt.RATING_METHOD_MEANINGS_CURRENT if current and method in fmt.RATING_METHOD_MEANINGS_CURRENT \
        else fmt.RATING_METHOD_MEANINGS
    meaning = str(meanings.get(method, ""))
    if not meaning:
        return ""
    return f"{meaning[0].upper()}{meaning[1:]}." if method == "none" else gettext("It judges %(meaning)s.") % {
        "meaning": meaning}


def cover_report(*, plan, meeting, mode: str, theme: int | None, flat: bool, scope, period: date,
                 key_activity: str, has_summary: bool, current: bool = False) -> dict:
    """The committee front sheet that opens the pack (issue 29), as the real
    packs open (Essex EPCP/15(a)/13, West Mercia's monitoring report,
    Leicestershire's Q1 report): the meeting's reference, author and contact
    (blank ones are left off), the purpose and background written from the
    plan and the period, the PCC's key activity for the period, the
    recommendation (the meeting's, or the default); the template adds the
    executive summary and the contents."""
    from indicators.models import DEFAULT_MEETING_AUTHOR, DEFAULT_RECOMMENDATION

    measures = {m.indicator_id for m in scope}
    priorities = {m.priority_id for m in scope}
    what = str(MODE_PURPOSE[mode])
    if mode == "theme":
        part = next((p for a in plan.areas.all() for p in a.priorities.all() if p.number == theme), None) if flat \
            else next((a for a in plan.areas.all() if a.number == theme), None)
        what += f": {gettext('priority') if flat else welsh.area_label(plan, lower=True)} {theme}"
        what += f", {welsh.plan_text(part.title)}" if part is not None and part.title else ""
    first = periods.ytd_months(period)[0]
    title = str(welsh.plan_text(plan.title))
    purpose = gettext("This report gives the Panel the performance of the %(plan)s from %(first)s to %(period)s "
                      "(%(year)s, %(reach)s): %(what)s.") % {
        "plan": title, "first": fmt.month_label(first), "period": fmt.month_label(period),
        "year": periods.financial_year(period), "reach": fmt.quarter_reach(period), "what": what}
    areas = [a for a in plan.areas.all() if a.title.strip()]
    shape = (f"{len(areas)} {welsh.area_label(plan, plural=len(areas) != 1, lower=True)}, "
             if areas and not flat else "")
    if bilingual.is_welsh():
        start, end = (date_format(d, "j F Y") for d in (plan.start, plan.end))
    else:
        start, end = f"{plan.start:%-d %B %Y}", f"{plan.end:%-d %B %Y}"
    has = (ngettext("this part of the plan has %(count)s measure", "this part of the plan has %(count)s measures",
                    len(measures)) if mode == "theme" else
           ngettext("it has %(count)s measure", "it has %(count)s measures", len(measures))) % {"count": len(measures)}
    under = ngettext("under %(count)s priority", "under %(count)s priorities", len(priorities)) % {
        "count": len(priorities)}
    background = (gettext("The %(plan)s runs from %(start)s to %(end)s. It sets %(shape)s%(priorities)s priorities "
                          "and the measures by which the Panel follows them; %(has)s %(under)s.") % {
        "plan": title, "start": start, "end": end, "shape": shape,
        "priorities": sum(len(a.priorities.all()) for a in plan.areas.all()), "has": has, "under": under}
        + f" {_method_sentence(plan.assessment, current)}").strip()
    # its sections, numbered as a committee paper numbers them: those not written are left out
    parts = ["purpose", "background"] + (["summary"] if has_summary else []) + (
        ["key_activity"] if key_activity else []) + ["recommendation", "contents"]
    def said(text: str | None, default: str) -> str:
        """The meeting's words; the default (no meeting, or the default kept) in the page's language."""
        return gettext(default) if text is None or text == default else text

    return {
        "reference": meeting.reference if meeting is not None else "",
        # a blank author is left off the sheet; a blank recommendation is the default one
        "author": said(meeting.author if meeting is not None else None, DEFAULT_MEETING_AUTHOR),
        "contact": meeting.contact if meeting is not None else "",
        "purpose": purpose, "background": background,
        "key_activity": key_activity,
        "recommendation": fmt.render_markdown(said(meeting.recommendation if meeting is not None else None,
                                                   DEFAULT_RECOMMENDATION) or gettext(DEFAULT_RECOMMENDATION)),
        "numbers": {part: number for number, part in enumerate(parts, 1)},
    }


def _spc_words(result: IndicatorResult, mode: str, drawn) -> str:
    """The SPC sentence under a measure's heading, where no SPC chart among
    ``drawn`` has it in its caption. With no limits it would only repeat its
    table row's "Not enough data" (issue 29: said once per measure); a
    compact report has no such row, so it keeps the sentence."""
    if any(chart.id.startswith("spc-") for chart in drawn) or (result.spc.mean is None and mode != "compact"):
        return ""
    return charts.spc_summary(result)


def _compact_rows(measures, results, labels: dict | None = None) -> list[dict]:
    """The compact pack's one line per measure, under its area of focus: the
    plan's rating in words and shape (its computed reading and status text
    are in the full pack), in the plan's own words (``labels``)."""
    labels = labels or {}
    rows, area = [], None
    for m in measures:
        result = results.get(m.indicator_id)
        if result is None:
            continue
        this_area = m.priority.area
        values = fmt.RATING_VALUES.get(result.rating.method, fmt.RATING_VALUES["targets"])
        label, shape, tone = values.get(result.rating.value, values[None])
        label = labels.get(result.rating.value, label)
        latest = change = ""
        if result.compare is not None:
            # SPEC §6: the span the figure is for and the change on its own comparison, in the unit's form
            cmp = result.compare
            latest = f"{fmt.span_words(cmp.current.label)}: {result.display or fmt.DASH}" + (
                f" ({gettext('stale')})" if result.stale else "")
            change = (fmt.change_text(result.unit, result.decimals, cmp.change, cmp.change_pct)
                      if cmp.change is not None else (fmt.reason_words(cmp.reason) or fmt.DASH))
        rows.append({"latest": latest, "change": change, "current": needs_current_layout(result),
                     "area": this_area if this_area != area and this_area.title.strip() else None, "priority": m.priority, "result": result,
                     "headline": m.headline, "attention": is_exception(result),
                     "rating": {"key": result.rating.value or "none", "label": label, "shape": shape, "tone": tone,
                                "manual": result.rating.manual}})
        area = this_area
    return rows


def _definitions(measures) -> list[dict]:
    seen, out = set(), []
    for m in measures:
        ind = m.indicator
        if ind.pk in seen:
            continue
        seen.add(ind.pk)
        out.append({"code": ind.code, "name": ind.name, "unit": gettext(ind.get_unit_display()),
                    "aggregation": ind.get_aggregation_display(), "figures": fmt.figures_words(ind),
                    "polarity": gettext(ind.get_polarity_display()),
                    "source": ind.source, "notes": ind.notes})
    return out


def report_filename(force: Force, period: date, mode: str, theme: int | None, fmt_: str = "html",
                    language: str | None = None) -> str:
    """The file's name; a Welsh report's ends "-cy" (issue 31)."""
    suffix = f"theme-{theme}" if mode == "theme" else mode
    welsh = "-cy" if language == "cy" else ""
    return f"{force.slug}-panel-report-{periods.format_month(period)}-{suffix}{welsh}.{fmt_}"


# What print never shows (report.css, @media print) but WeasyPrint would still parse and style: each chart's
# data table (display: none on paper; 39% of the full pack's elements) and the charts' JSON for plotly.
_NOT_PRINTED = re.compile(r'<details class="chart-data">.*?</details>|<script type="application/json"[^>]*>.*?</script>',
                          re.S)


def _for_print(html: str) -> str:
    return _NOT_PRINTED.sub("", html)


def build_pdf(html: str, progress=None) -> bytes:
    """The report's HTML printed as an A4 PDF by WeasyPrint: tagged (PDF/UA-1,
    so a screen reader can follow headings, lists and tables), with
    bookmarks from the headings, a contents page with page numbers and
    "Page n of m" (report.css, @media print). The HTML needs nothing from
    outside, so no URL is fetched."""
    from weasyprint import HTML

    def no_fetching(url, *args, **kwargs):
        raise ReportError(f"the report asked for {url}; it must be self-contained")

    # The site's stylesheet has screen-only properties WeasyPrint does not
    # know (overflow-x, clip); it logs each as a warning, which is noise here.
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        from weasyprint import DEFAULT_OPTIONS

        options = {**DEFAULT_OPTIONS, "pdf_variant": "pdf/ua-1"}
        if progress:
            progress(stage="laying out the pages")
        document = HTML(string=_for_print(html), url_fetcher=no_fetching, media_type="print").render(**options)
        if progress:
            progress(stage=f"writing the PDF ({len(document.pages)} pages)")
        return document.write_pdf(**options)
    finally:
        log.setLevel(level)
