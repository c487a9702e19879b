"""The panel report (SPEC §4): one self-contained HTML file.

`build_report` is used by both `export_report` and `/<force>/report/`, so the
two give byte-identical files for the same data apart from the generation
time. Every style, script and chart is inline: the file makes no request
anywhere when opened, and without scripts (e-mail clients strip them) every
chart is still there as a caption and a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from indicators import periods, selectors
from indicators.engine.ratings import needs_attention
from indicators.engine.result import IndicatorResult
from indicators.models import Force, ReportMode
from pccperf.staticfinders import plotly_js_path
from reports import charts
from reports import formatting as fmt
from reports.local_areas import report_section
from reports.plan_results import plan_results
from reports.tables import MeasuresTable, attention, key_context, measures_table, rating_counts

MODES = [m.value for m in ReportMode]
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
    js_path = plotly_js_path()
    if not js_path.exists():
        raise ReportError(f"the chart library {js_path} is missing; run `make install` (it runs `npm ci`)")
    return {
        "css": (STATIC / "css" / "site.css").read_text(encoding="utf-8")
        + (STATIC / "css" / "report.css").read_text(encoding="utf-8"),
        "plotly_js": js_path.read_text(encoding="utf-8"),
        "charts_js": (STATIC / "js" / "charts.js").read_text(encoding="utf-8"),
    }


def check_request(*, force: Force, period: date | None, mode: str, theme: int | None):
    """The plan to report on, or ReportError saying what is wrong."""
    if mode not in MODES:
        raise ReportError(f"mode must be one of {', '.join(MODES)} (got {mode!r})")
    if mode == "theme" and theme is None:
        raise ReportError("mode theme needs --theme N, the number of the area of focus to report on")
    if mode != "theme" and theme is not None:
        raise ReportError(f"--theme only goes with mode theme (the mode is {mode})")
    if period is None:
        raise ReportError(f"{force.name} has no published figures to report on yet")
    plan = selectors.plan_for(force=force, period=period)
    if plan is None:
        raise ReportError(f"{force.name} has no Police and Crime Plan loaded")
    if theme is not None:
        numbers = [a.number for a in plan.areas.all()]
        if theme not in numbers:
            raise ReportError(f"theme {theme} is not in the plan; its {plan.area_label_plural.lower()} are "
                              f"numbered {', '.join(map(str, numbers))}")
    return plan


def build_report(*, force: Force, period: date | None, mode: str = "full", theme: int | None = None,
                 drafts: bool = False, generated_at: datetime | None = None, toolbar: dict | None = None,
                 nonce: str | None = None, local_areas: bool = False) -> str:
    """The report's HTML. ``toolbar`` and ``nonce`` are for viewing it on the
    site (a Download link; the nonce the Content-Security-Policy wants for
    its inline scripts); the exported file has neither. ``local_areas``
    adds the local-areas section (``export_report --areas``)."""
    plan = check_request(force=force, period=period, mode=mode, theme=theme)
    perf = plan_results(force, plan, period, drafts)
    results = perf.results
    areas, shown = [], []
    commentary = selectors.commentary_for(priority_ids=[p.id for a in plan.areas.all() for p in a.priorities.all()],
                                          month=period, include_drafts=drafts)
    for area in plan.areas.all():
        if theme is not None and area.number != theme:
            continue
        sections = []
        for priority in area.priorities.all():
            measures = [m for m in priority.measures.all() if m.indicator_id in results]
            if mode == "exceptions":
                measures = [m for m in measures if is_exception(results[m.indicator_id])]
                if not measures:
                    continue
            prefix = f"fn-{priority.number}"
            table = measures_table(f"Measures for priority {priority.number}", measures, results,
                                   force_slug=force.slug, period=period, footnote_prefix=prefix, anchor_links=True,
                                   method=plan.assessment)
            section = Section(priority, table, fmt.render_markdown(commentary.get(priority.id, "")))
            for m in measures:
                result = results[m.indicator_id]
                drawn = [ch for ch in (charts.trend_chart(result, period), charts.spc_chart(result)) if ch]
                section.measures.append({"result": result, "charts": drawn, "spc": charts.spc_summary(result),
                                         "indicator": m.indicator})
                shown.append(m)
            sections.append({"section": section, "prefix": prefix})
        if sections or mode != "exceptions":
            areas.append({"area": area, "sections": sections})

    scope = [m for m in perf.measures if theme is None or m.priority.area.number == theme]
    exceptions = mode == "exceptions"
    # An exceptions report shows no other measure anywhere: not in the headline table, nor in a count.
    headline = [m for m in scope if m.headline and (not exceptions or is_exception(results[m.indicator_id]))]
    headline_table = measures_table("Headline measures", headline, results, force_slug=force.slug,
                                    period=period, footnote_prefix="fn-h", anchor_links=True,
                                    method=plan.assessment)
    counted = [results[m.indicator_id] for m in (shown if exceptions else scope)]
    counts = rating_counts(counted, plan.assessment)
    if exceptions:
        counts = [c for c in counts if c["count"]]
    attention_items, improved_items = attention(counted, force_slug=force.slug, period=period, anchor_links=True)
    meetings = selectors.meeting_list(force=force)
    meeting = next((m for m in meetings if m.period == period), None)
    schedule = [m for m in meetings if (m.date >= meeting.date if meeting else m.period >= period)]
    generated_at = generated_at or timezone.now()
    context = {
        "force": force, "plan": plan, "period": period, "mode": mode, "theme": theme,
        "theme_area": next((a["area"] for a in areas), None) if theme is not None else None,
        "state": perf.state, "meeting": meeting, "schedule": schedule,
        "counts": counts, "counts_label": f"Measures by rating ({fmt.RATING_METHOD_LABELS.get(plan.assessment, '')})",
        "key": key_context(plan.assessment, exceptions_only=exceptions,
                           present={r.rating.value for r in counted} if exceptions else None),
        "attention": attention_items, "improved": improved_items, "exceptions_only": exceptions,
        "executive_summary": fmt.render_markdown(selectors.executive_summary(force=force, month=period, include_drafts=drafts)),
        "headline_table": headline_table,
        "areas": areas,
        "definitions": _definitions(shown),
        "generated_at": timezone.localtime(generated_at),
        "period_first": periods.month_label(periods.ytd_months(period)[0]),
        "toolbar": toolbar, "nonce": nonce,
        "local_areas": report_section(force, period, drafts) if local_areas else None,
        **_inline_assets(),
    }
    return render_to_string("reports/export/report.html", context)


def _definitions(measures) -> list[dict]:
    seen, out = set(), []
    for m in measures:
        ind = m.indicator
        if ind.pk in seen:
            continue
        seen.add(ind.pk)
        out.append({"code": ind.code, "name": ind.name, "unit": ind.get_unit_display(),
                    "aggregation": ind.get_aggregation_display(), "polarity": ind.get_polarity_display(),
                    "source": ind.source, "notes": ind.notes})
    return out


def report_filename(force: Force, period: date, mode: str, theme: int | None) -> str:
    suffix = f"theme-{theme}" if mode == "theme" else mode
    return f"{force.slug}-panel-report-{periods.format_month(period)}-{suffix}.html"
