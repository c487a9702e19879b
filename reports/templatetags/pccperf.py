import html
from functools import lru_cache
from typing import NamedTuple

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _

from indicators import periods
from indicators.engine.result import IndicatorResult
from indicators.plans.bilingual import English
from reports import formatting
from reports.welsh import area_label, note_text, plan_text
from reports.welsh import plain as _plain

register = template.Library()

# Words this module translates where makemessages cannot see them (inside f-strings, or passed by name):
# listed here so that they are in the catalogue (locale/cy/LC_MESSAGES/django.po).
_WORDS = (gettext_noop("Headline measure"), gettext_noop("No measures."), gettext_noop("No absolute target"),
          gettext_noop("Demo data, partly illustrative"), gettext_noop("No published figures yet."),
          gettext_noop("show these measures"))


@register.filter
def pt(text):
    """{{ plan.title|pt }}: a plan's own text in the page's language (reports/welsh.py);
    on an English page the text itself."""
    return plan_text(text)


@register.filter
def note(text):
    """{{ m.note|note }}: an observation's note; on a Welsh page the demo's own notes in Welsh (reports/welsh.py)."""
    return note_text(text)


@register.filter
def revision(r, decimals=0):
    """{{ r|revision:decimals }}: one revision of a figure, in words."""
    def value(status, number):
        return _("unavailable") if status == "unavailable" else formatting.number(number, int(decimals))
    words = _("%(month)s: revised from %(old)s to %(new)s on %(when)s") % {
        "month": dateformat.format(r["month"], "F Y"), "old": value(r["old_status"], r["old"]),
        "new": value(r["new_status"], r["new"]), "when": dateformat.format(template_localtime(r["when"]), "j F Y")}
    return words + (f" ({r['reason']})" if r.get("reason") else "")


# indicators.vocabulary.REPORT_MODES, as the schedule of panel meetings shows a meeting's report
_MEETING_MODES = {"full": gettext_lazy("Full"), "exceptions": gettext_lazy("Exceptions only"),
                  "theme": gettext_lazy("One area of focus")}


@register.filter
def meeting_mode(meeting) -> str:
    """{{ meeting|meeting_mode }}: the report a panel meeting takes, in the page's language."""
    return str(_MEETING_MODES.get(meeting.mode, meeting.get_mode_display()))


@register.filter("area_label")
def area_label_filter(plan, form: str = ""):
    """{{ plan|area_label }}: what the plan calls its areas of focus, in the
    page's language (reports.welsh.area_label); ``"lower"``, ``"plural"``."""
    return area_label(plan, plural="plural" in form, lower="lower" in form)


@register.filter
def reason(text):
    """{{ result.ytd_reason|reason }}: why there is no figure, in the page's language."""
    return formatting.reason_words(text)


@register.filter
def plain(text):
    """{{ text|plain }}: where no markup can go (an attribute, <title>, <option>)."""
    return _plain(text)


@register.filter
def measure(value, result: IndicatorResult):
    """{{ value|measure:result }}: a figure in the unit and decimals of ``result``'s indicator."""
    return formatting.measure(value, result.unit, result.decimals)


@register.filter
def change_pct(value):
    return formatting.change_pct(value)


@register.filter
def change(result):
    return formatting.change(result)


@register.filter
def number(value, decimals=0):
    return formatting.number(value, int(decimals))


# Beside every verdict that rests on a figure generated for the demo (issue 24,
# item 4): words, not only colour, and the reason on hover and for screen readers.
@lru_cache(maxsize=8)
def _illustrative_mark(language: str) -> str:
    return mark_safe(
        ' <span class="tag tag-illustrative" title="{}">{}<span class="visually-hidden"> ({})</span></span>'.format(
            html.escape(_("Built on figures generated for the demo, not published")), html.escape(_("illustrative")),
            html.escape(_("built on figures generated for the demo, not published"))))


def illustrative_mark_html() -> str:
    """The "illustrative" tag in the page's language."""
    return _illustrative_mark(get_language())


@register.simple_tag
def illustrative_mark(flag):
    """The "illustrative" tag when ``flag``: a verdict built on an illustrative figure."""
    return _illustrative_mark(get_language()) if flag else ""


@register.simple_tag
def missing(reason):
    """A dash that says why: the reason on hover and in text for screen readers."""
    reason = formatting.reason_words(reason)
    return format_html('<span class="null" title="{}">{}<span class="visually-hidden"> ({})</span></span>',
                       reason or _("Not available"), formatting.DASH, reason or _("not available"))


@lru_cache(maxsize=4096)
def _badge_html(template_name: str, items: tuple) -> str:
    """A badge's HTML, rendered once per process for each distinct content:
    a national dashboard draws 150 badges, most of them alike."""
    return get_template(template_name).render(dict(items))   # "language" is in the key: the words differ


@register.simple_tag
def rag_badge(result: IndicatorResult, reason: str, labels=None):
    """The RAG in text, shape and colour, "(manual)" for an assessment, and its status text;
    ``labels``: the plan's own words for its ratings (Plan.rating_labels, SPEC §6)."""
    label = formatting.RAG_LABELS.get(result.rag, formatting.RAG_LABELS[None])
    if labels and result.rag in labels:
        label = labels[result.rag]
    return mark_safe(_badge_html("reports/_rag_badge.html", (
        ("rag", result.rag or "none"), ("label", label),
        ("shape", formatting.RAG_SHAPES.get(result.rag, "\u2013")), ("manual", result.rag_source == "manual"),
        ("reason", reason), ("status_text", result.assessment.status_text if result.assessment else ""),
        ("language", get_language()))))


_COMMON_DOTS = [(8, 22), (13, 17), (18, 23), (23, 16), (28, 22), (33, 18)]


@lru_cache(maxsize=256)
def _icon_html(kind: str, icon: tuple | None, text: bool, size: int, language: str) -> str:
    """An icon's SVG, rendered once per process: there are a dozen icons in
    a few sizes, and a national dashboard shows a hundred or more, so each is
    a dictionary lookup rather than a template render."""
    context = {"icon": dict(icon) if icon else None, "kind": kind, "text": text, "size": size}
    if kind == "variation":
        context["dots"] = _COMMON_DOTS
    return get_template("reports/_mdc_icon.html").render(context)


@register.simple_tag
def variation_icon(result: IndicatorResult, text: bool = False, size: int = 32):
    """The Making Data Count variation icon (inline SVG with a <title>);
    ``text`` adds its words beside it, so colour is never the only signal."""
    spc = result.spc
    return mark_safe(_variation_icon_html(spc.variation, spc.direction, bool(text), int(size), get_language()))


@register.simple_tag
def assurance_icon(result: IndicatorResult, text: bool = False, size: int = 32):
    """The Making Data Count assurance icon: P (pass), F (fail), or hit and miss."""
    return mark_safe(_assurance_icon_html(result.spc.assurance, bool(text), int(size), get_language()))


# The icons by what they depend on (formatting.variation_icon reads only the
# reading's variation and direction): a national dashboard draws 130 icons,
# and building each one's description to look it up cost more than the lookup.
@lru_cache(maxsize=256)
def _variation_icon_html(variation: str | None, direction: str | None, text: bool, size: int, language: str) -> str:
    icon = formatting.variation_icon(_SpcKey(variation, direction))
    return _icon_html("variation", tuple(sorted(icon.items())) if icon else None, text, size, language)


@lru_cache(maxsize=256)
def _assurance_icon_html(assurance: str | None, text: bool, size: int, language: str) -> str:
    icon = formatting.assurance_icon(assurance)
    return _icon_html("assurance", tuple(sorted(icon.items())) if icon else None, text, size, language)


class _SpcKey(NamedTuple):
    variation: str | None
    direction: str | None


@register.simple_tag
def rating_badge(result: IndicatorResult, labels=None):
    """The plan's own rating in its words, shape and colour; "(manual)" when an
    analyst's assessment set it, with what the figures say beside it.
    ``labels``: the plan's own words for its ratings (Plan.rating_labels, SPEC
    §6), which replace the SPEC's words for readers."""
    rating = result.rating
    values = formatting.RATING_VALUES.get(rating.method, formatting.RATING_VALUES["targets"])
    label, shape, tone = values.get(rating.value, values[None])
    if labels and rating.value in labels:
        label = labels[rating.value]
    computed = getattr(rating, "computed", None)
    meaning = formatting.rating_meaning(rating.method, rating.value)
    if rating.value is None and rating.method != "targets":
        meaning = formatting.not_rated_reason(result) or meaning
    return mark_safe(_badge_html("reports/_rating_badge.html", (
        ("key", rating.value or "none"), ("tone", tone), ("label", label), ("shape", shape),
        ("manual", rating.manual), ("meaning", meaning), ("language", get_language()),
        ("computed_label", ((labels or {}).get(computed) or formatting.rating_value_label(rating.method, computed)
                            if rating.manual and computed != rating.value else "")))))


@register.simple_tag
def period_options(months, selected):
    """The period menu's <option>s, newest first: built in one pass, since a
    national series has 180 months (each a date formatted twice in a template loop)."""
    # A period asked for by URL beyond the months with data (a stale figure's page, a link) is offered too,
    # in its place, so the menu shows the period the page is for and "Show" keeps it.
    if selected is not None and selected not in months:
        months = sorted([*months, selected], reverse=True)
    # Digits and month names only: nothing to escape.
    return mark_safe("".join(
        f'<option value="{periods.format_month(m)}"{" selected" if m == selected else ""}>{formatting.month_label(m)}'
        "</option>" for m in months))


@register.simple_tag
def chart_rows(rows, end_tags: bool = True):
    """A chart's data table body: the first cell of each row its header.
    Built in one pass (a full panel report has some 3,000 cells, each a
    nested template loop otherwise); every cell escaped. ``end_tags=False``
    leaves out the end tags of cells and rows, which HTML makes optional
    there (the next cell, row or ``</tbody>`` ends them, and every parser,
    browser and WeasyPrint builds the same table): the panel report's 3,000
    data rows are 60 KB smaller (issue 27 item 8)."""
    if not end_tags:
        return mark_safe("".join(
            f'<tr><th scope="row">{_esc(row[0])}' + "".join(f"<td>{_esc(cell)}" for cell in row[1:]) for row in rows))
    return mark_safe("".join(
        f'<tr><th scope="row">{_esc(row[0])}</th>' + "".join(f"<td>{_esc(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in rows))



@register.simple_tag
def report_chart(chart):
    """A chart in the panel report (what reports/export/_chart.html was, less
    its indentation: a report has some 120, and an include of two templates
    each cost a third of the report's template time): the server-drawn SVG with
    its caption and its data in a table that opens on screen, or, for a
    chart of too few values to draw, its table instead. No script."""
    chart_id, title = _esc(chart.id), _esc(chart.title)
    head = (f'<figure class="chart" aria-labelledby="{chart_id}-caption">\n<figcaption id="{chart_id}-caption">'
            f"<strong>{title}.</strong> {_esc(chart.summary)}</figcaption>\n")
    columns = "".join(f'<th scope="col">{_esc(col)}</th>' for col in chart.columns)
    if chart.svg:
        body = (f'<div class="chart-image">{chart.svg}</div>\n<details class="chart-data">'
                f"<summary>{_esc(_('Show the data in this chart'))}</summary>\n{_chart_table(title, columns, chart.rows)}"
                "</details>")
    else:
        body = f'<div class="chart-data chart-table-only">\n{_chart_table(title, columns, chart.filled_rows)}</div>'
    return mark_safe(f"{head}{body}\n</figure>\n")


def _chart_table(title: str, columns: str, rows) -> str:
    return (f'<table class="data compact"><caption class="visually-hidden">{_esc(_("Data:"))} {title}</caption>'
            f"<thead><tr>{columns}</tr></thead>\n<tbody>{chart_rows(rows, end_tags=False)}</tbody></table>\n")



@lru_cache(maxsize=1024)
def _month_year(day, language: str = "") -> str:
    """``{{ day|date:"M Y" }}``: "Apr 2021" (in the page's language: the key has it)."""
    return dateformat.format(day, "M Y")


@register.simple_tag
def home_cards(cards):
    """The home page's plan cards (what a template loop over 44 cards drew,
    byte for byte, at a third of a millisecond a card): each plan with its
    dates, size, and its headline measures counted by the plan's rating."""
    dashboard = reverse("reports:force-dashboard", args=["-slug-"])
    out = []
    for card in cards:
        plan = card["plan"]
        name = plan_text(plan.force.name)
        force_name = _esc(name)
        label = area_label(plan, plural=plan.area_count != 1, lower=True)
        demo = (f' <span class="tag tag-demo">{_esc(_("Demo data, partly illustrative"))}</span>' if plan.is_demo
                else "")
        language = get_language()
        measures = _esc(_("%(count)s measures") % {"count": plan.indicator_count})
        out.append(
            f'\n  <li class="card">\n    <h2><a href="{_esc(dashboard.replace("-slug-", plan.force.slug))}">'
            f"{force_name}</a></h2>\n    <p class=\"plan-title\">{_esc(plan_text(plan.title))}{demo}</p>\n"
            f'    <p class="muted">{_month_year(plan.start, language)} \u2013 {_month_year(plan.end, language)} '
            f"\u00b7 {plan.area_count} {_esc(label)} \u00b7 {measures}</p>\n    ")
        if card["counts"]:
            items = "".join(_count_item(c) for c in card["counts"])
            heading = _("Headline measures to %(period)s, %(method)s:") % {"period": card["period_label"],
                                                                           "method": str(card["method_label"]).lower()}
            ratings = _("Headline ratings for %(force)s (%(method)s)") % {"force": name,
                                                                          "method": str(card["method_label"]).lower()}
            out.append(f'\n    <p>{_esc(heading)}</p>\n'
                       f'    <ul class="rag-counts" aria-label="{html.escape(ratings)}">\n'
                       f"      {items}\n    </ul>\n    ")
        elif card["period_label"]:
            none = _("No headline measures to %(period)s.") % {"period": card["period_label"]}
            out.append(f'<p class="muted">{_esc(none)}</p>\n    ')
        else:
            out.append(f'<p class="muted">{_esc(_("No published figures yet."))}</p>')
        out.append("\n  </li>\n  ")
    return mark_safe("".join(out))


def _count_item(c) -> str:
    badge = (f'<span class="rag rating-{_esc(c["tone"])} rag-{_esc(c["key"])}"><span class="rag-shape" '
             f'aria-hidden="true">{_esc(c["shape"])}</span> {_esc(c["label"])}</span> <strong>{c["count"]}</strong>')
    if c["url"]:
        return (f'<li><a class="count-link" href="{_esc(c["url"])}">{badge}'
                f'<span class="visually-hidden"> ({_esc(_("show these measures"))})</span></a></li>')
    return f"<li>{badge}</li>"


def _linked(url: str, name: str) -> str:
    """A measure's name (in the page's language), linked to ``url``; plain when it has none (in the
    exported report, a measure with no detail block: no dangling anchor)."""
    name = plan_text(name)
    return f'<a href="{_esc(url)}">{_esc(name)}</a>' if url else _esc(name)


class _Words(NamedTuple):
    """The measures table's fixed words in one language, made once per process and language."""

    row: str
    headline: str
    needs_last_year: str
    needs_both_years: str
    no_measures: str
    table_head: str
    table_tail: str
    note: str


@lru_cache(maxsize=8)
def _words(language: str) -> _Words:
    def a(text):            # an attribute's value
        return html.escape(_(text)).replace("{", "{{").replace("}", "}}")

    def t(text):            # a heading's text
        return html.escape(_(text))
    row = (
        '\n    <tr role="row"><td role="cell" class="col-headline">{headline}</td><th scope="row" role="rowheader" '
        f'class="col-name">{{name}}</th><td role="cell" class="col-wording" data-label="{a("Overall target")}">'
        f'{{wording}}</td><td role="cell" class="col-target_value" data-label="{a("YTD target")}">{{target}}</td>'
        f'<td role="cell" class="col-ytd" data-label="{a("YTD")}">{{ytd}}</td><td role="cell" class="col-last_ytd" '
        f'data-label="{a("Last YTD")}">{{last_ytd}}</td><td role="cell" class="col-change_pct" '
        f'data-label="{a("Change")}">{{change}}</td>{{rating}}<td role="cell" '
        f'class="col-rag" data-label="{a("RAG")}">{{rag}}{{rag_mark}}</td><td role="cell" class="col-variation" '
        f'data-label="{a("SPC variation")}">'
        '{icon} <span class="{variation_class}">{variation}</span>{spc_mark}</td><td role="cell" '
        f'class="col-significance" data-label="{a("Significance")}"><span class="sig-{{significance_key}}">'
        '{significance}</span>{significance_mark}</td>'
        f'<td role="cell" class="col-footnote" data-label="{a("Note")}">{{footnote}}</td></tr>\n    ')
    table_head = (
        f'<tr role="row"><th scope="col" role="columnheader" class="col-headline">{t("Headline")}</th><th scope="col" '
        f'role="columnheader" class="col-name">{t("Measure")}</th><th scope="col" role="columnheader" '
        f'class="col-wording">{t("Overall target")}</th><th scope="col" role="columnheader" class="col-target_value">'
        f'{t("YTD target")}</th><th scope="col" '
        f'role="columnheader" class="col-ytd">{t("YTD")}</th><th scope="col" role="columnheader" class="col-last_ytd">'
        f'{t("Last YTD")}</th><th scope="col" role="columnheader" class="col-change_pct">{t("Change")}</th>')
    table_tail = (
        f'<th scope="col" role="columnheader" class="col-rag">{t("RAG")}</th><th scope="col" role="columnheader" '
        f'class="col-variation">{t("SPC variation")}</th><th scope="col" role="columnheader" class="col-significance">'
        f'{t("Significance")}</th><th scope="col" role="columnheader" class="col-footnote">{t("Note")}</th></tr>')
    return _Words(
        row=row,
        headline=mark_safe(f'<span aria-hidden="true">*</span><span class="visually-hidden">{t("Headline measure")}'
                           "</span>"),
        # A template's string literal is safe text: ``{% missing "Needs ..." %}`` printed its apostrophes as they are.
        needs_last_year=mark_safe(_("Needs last year's figure")),
        needs_both_years=mark_safe(_("Needs this year's and last year's figures")),
        no_measures=mark_safe(f'\n    <tr role="row"><td role="cell" colspan="12" class="empty">{t("No measures.")}'
                              "</td></tr>\n    "),
        table_head=table_head, table_tail=table_tail, note=t("Note"))


def words() -> _Words:
    return _words(get_language())


def _esc(value) -> str:
    """As ``{{ value }}`` prints it: safe text as it is, a plan's English on a
    Welsh page marked ``lang="en"`` (reports/welsh.py), anything else escaped."""
    if isinstance(value, SafeData):
        return value
    if isinstance(value, English):
        return value.__html__()
    return html.escape(str(value))


def _rating_heading(method_label) -> str:
    """The rating column's heading, escaped: "Rating (continuous improvement)"."""
    return html.escape(_("Rating (%(method)s)") % {"method": method_label})


@register.simple_tag
def measure_rows(table):
    """The measures table's body rows (reports/_measures_table.html): one
    string format per row, rather than a template loop with a dozen tags and
    filters per row (the national dashboard has 72 rows; this was a fifth of
    its CPU). The markup is the template's, byte for byte, every value
    escaped as ``{{ }}`` escapes it (tests/test_measure_rows.py renders both)."""
    if table.current:
        return _current_rows(table)
    w = words()
    if not table.rows:
        return w.no_measures
    rating_label = str(table.method_label).lower() if table.method != "targets" else None
    labels = table.labels
    out = []
    for row in table.rows:
        r = row.result
        target = r.target
        kind = target.kind if target is not None else ""
        if kind in ("change", "absolute"):
            target_cell = (missing(w.needs_last_year) if target.value is None
                           else _esc(formatting.measure(target.value, r.unit, r.decimals)))
        else:
            target_cell = f'<span class="muted">{_esc(row.target_label)}</span>'
        footnote = ""
        if row.footnote:
            footnote = (f'<a href="#{_esc(table.footnote_prefix)}-{_esc(row.footnote)}" class="fn-mark">'
                        f'<span class="visually-hidden">{w.note} </span>{_esc(row.footnote)}</a>')
        out.append(w.row.format(
            headline=w.headline if row.headline else "",
            name=_linked(row.url, r.name),
            wording=_esc(plan_text(target.wording)) if target is not None and target.wording else formatting.DASH,
            target=target_cell,
            ytd=missing(r.ytd_reason) if r.ytd is None else _esc(formatting.measure(r.ytd, r.unit, r.decimals)),
            last_ytd=(missing(r.last_ytd_reason) if r.last_ytd is None
                      else _esc(formatting.measure(r.last_ytd, r.unit, r.decimals))),
            change=(missing(w.needs_both_years)
                    if r.change_pct is None and r.change_pts is None else _esc(formatting.change(r))),
            rating=("" if rating_label is None else
                    f'<td role="cell" class="col-rating" data-label="{_rating_heading(rating_label)}">'
                    f'{rating_badge(r, labels)}{illustrative_mark(r.rating.illustrative)}</td>'),
            rag=rag_badge(r, row.rag_reason, labels), icon=variation_icon(r, size=28),
            rag_mark=illustrative_mark(rag_is_illustrative(r)),
            spc_mark=illustrative_mark(r.illustrative.spc and r.spc.variation is not None),
            significance_mark=illustrative_mark(significance_is_illustrative(r)),
            variation_class=_esc(row.variation_class), variation=_esc(row.variation),
            significance_key=_esc(r.significance.result), significance=_esc(row.significance),
            footnote=footnote))
    return mark_safe("".join(out))


# --- The measures table of a current plan (SPEC §6) -----------------------------------------------
#
# One "Latest figure" cell (the span its figure is for, the figure in its
# unit's form, "stale" in words) and one "Compared with" cell (the other
# window's span, its figure and the change in the unit's form, or why there
# is no comparison) instead of YTD / last YTD / change, so a table of §6
# measures fits a 1366 px screen without scrolling. Every value is escaped.

def _line(content: str, cls: str = "") -> str:
    return f'<span class="cell-line{" " + cls if cls else ""}">{content}</span>'


def _span_label(label) -> str:
    return f'<span class="span-label">{_esc(label)}</span>'


def _window_value(r: IndicatorResult, window) -> str:
    """A window's figure in the unit's form ("2nd of 43", "31 s", "6.4 / 10")."""
    of = window.denominator if r.unit == "rank" else None
    return formatting.display(window.value, r.unit, r.decimals, r.scale, of)


change_text = formatting.change_text


@register.simple_tag
def stale_mark(r: IndicatorResult) -> str:
    """"stale" in words (not colour only) beside a figure whose span ended more
    than two of its own periods before the page's period (SPEC §6)."""
    if not r.stale:
        return ""
    why = _esc(formatting.stale_words(r))
    return mark_safe(f' <span class="tag tag-stale" title="{why}">{_esc(_("stale"))}<span class="visually-hidden">: '
                     f"{why}</span></span>")


def _latest_cell(r: IndicatorResult) -> str:
    current = r.compare.current if r.compare is not None else r.span
    if current is None:
        return missing(r.ytd_reason)
    if current.value is None:
        figure = missing(current.reason or (r.compare.reason if r.compare else None))
    else:
        figure = f'<strong class="figure">{_esc(r.display or _window_value(r, current))}</strong>'
    out = _line(_span_label(current.label)) + _line(figure + stale_mark(r))
    if current.lower is not None and current.upper is not None:
        low, high = (formatting.display(v, r.unit, r.decimals) for v in (current.lower, current.upper))
        out += _line(_esc(_("95%% interval %(low)s to %(high)s") % {"low": low, "high": high}), "muted")
    if r.frequency == "monthly" and r.compare is not None and r.compare.basis != "ytd":
        # SPEC §6: YTD and last YTD are still shown for monthly measures
        ytd = missing(r.ytd_reason) if r.ytd is None else _esc(formatting.measure(r.ytd, r.unit, r.decimals))
        last = (missing(r.last_ytd_reason) if r.last_ytd is None
                else _esc(formatting.measure(r.last_ytd, r.unit, r.decimals)))
        out += _line(_esc(_("YTD")) + f" {ytd} · " + _esc(_("last YTD")) + f" {last}", "ytd-line")
    return out


def _benchmark_lines(r: IndicatorResult) -> str:
    out = []
    for b in r.benchmarks:
        value = missing(_("No benchmark figure for this span")) if b.value is None else _esc(
            formatting.display(b.value, r.unit, r.decimals, r.scale))
        diff = ("" if b.difference is None else
                f' <span class="change">{_esc(change_text(r.unit, r.decimals, b.difference, b.difference_pct))}'
                "</span>")
        out.append(_line(f"{_esc(formatting.benchmark_name(b.force))}: {value}{diff}", "benchmark"))
    return "".join(out)


def _compared_cell(r: IndicatorResult) -> str:
    cmp = r.compare
    if cmp is None:
        return missing(words().needs_both_years) if r.change_pct is None else _esc(formatting.change(r))
    if cmp.basis == "benchmark":
        return _benchmark_lines(r) or _line(_esc(formatting.reason_words(cmp.reason) or _("No benchmark figure")), "reason")
    if cmp.previous is None:
        return _line(_esc(formatting.reason_words(cmp.reason) or _("No earlier figure to compare with")), "reason")
    prev = cmp.previous
    value = _esc(_window_value(r, prev)) if prev.value is not None else ""
    out = _line(_span_label(prev.label) + (f" {value}" if value else ""))
    if cmp.change is not None:
        out += _line(f'<span class="change">{_esc(change_text(r.unit, r.decimals, cmp.change, cmp.change_pct))}'
                     "</span>")
    else:
        out += _line(_esc(formatting.reason_words(cmp.reason or prev.reason) or _("Not yet available")), "reason")
    return out


def _baseline_cell(r: IndicatorResult) -> str:
    out = ""
    b = r.baseline
    if b is not None:
        value = "" if b.value is None else " " + _esc(formatting.display(b.value, r.unit, r.decimals, r.scale))
        out += _line(f"{_span_label(plan_text(b.label))}{value}", "baseline")
        if b.change is not None:
            out += _line(f'<span class="change">{_esc(change_text(r.unit, r.decimals, b.change, b.change_pct))}'
                         "</span>")
        else:
            out += _line(_esc(formatting.reason_words(b.reason) or _("No figure for the baseline")), "reason")
        if b.significance.result in formatting.SIGNIFICANT:
            out += _line(_esc(formatting.SIGNIFICANCE_LABELS[b.significance.result]), f"sig-{b.significance.result}")
    if r.compare is None or r.compare.basis != "benchmark":
        out += _benchmark_lines(r)
    return out or formatting.DASH


def _target_cell(row, r: IndicatorResult, show_rag: bool, labels: dict) -> str:
    target = r.target
    out = _line(_esc(plan_text(target.wording)) if target is not None and target.wording else formatting.DASH)
    kind = target.kind if target is not None else ""
    if kind in ("change", "absolute"):
        value = (missing(mark_safe(_("Needs the earlier figure"))) if target.value is None
                 else _esc(formatting.display(target.value, r.unit, r.decimals, r.scale)))
        out += _line(f"{_esc(_('Target'))} {value}")
    elif target is not None:
        out += _line(_esc(row.target_label), "muted")
    if show_rag:
        out += _line(f"{rag_badge(r, row.rag_reason, labels)}{illustrative_mark(rag_is_illustrative(r))}")
    return out


def current_columns(table) -> list[tuple[str, str]]:
    """The §6 table's columns (class suffix, heading): a Target column only
    when a measure has a target (or an analyst's RAG), a Rating column only
    for a plan rated otherwise than by the RAG, none for ``assessment: none``."""
    results = [row.result for row in table.rows]
    show_rag = table.method != "none"
    columns = [("headline", _("Headline")), ("name", _("Measure"))]
    if any(r.target is not None or (show_rag and r.rag_source == "manual") for r in results):
        columns.append(("target", _("Target and RAG") if show_rag else _("Target")))
    columns += [("latest", _("Latest figure")), ("compared", _("Compared with"))]
    if any(r.baseline is not None or (r.benchmarks and (r.compare is None or r.compare.basis != "benchmark"))
           for r in results):
        columns.append(("baseline", _("Baseline and benchmarks")))
    if table.method not in ("targets", "none"):
        columns.append(("rating", _("Rating (%(method)s)") % {"method": str(table.method_label).lower()}))
    columns += [("significance", _("Significance")), ("variation", _("SPC variation")), ("footnote", _("Note"))]
    return columns


def _current_rows(table) -> str:
    columns = current_columns(table)
    if not table.rows:
        return mark_safe(f'\n    <tr role="row"><td role="cell" colspan="{len(columns)}" class="empty">'
                         f'{_esc(_("No measures."))}</td></tr>\n    ')
    keys = [key for key, _ in columns]
    label_of = dict(columns)
    show_rag = table.method != "none"
    w = words()
    out = []
    for row in table.rows:
        r = row.result
        cells = []
        for key in keys:
            if key == "headline":
                cells.append(f'<td role="cell" class="col-headline">{w.headline if row.headline else ""}</td>')
                continue
            if key == "name":
                cells.append(f'<th scope="row" role="rowheader" class="col-name">{_linked(row.url, r.name)}</th>')
                continue
            if key == "target":
                content = _target_cell(row, r, show_rag, table.labels)
            elif key == "latest":
                content = _latest_cell(r)
            elif key == "compared":
                content = _compared_cell(r)
            elif key == "baseline":
                content = _baseline_cell(r)
            elif key == "rating":
                content = f"{rating_badge(r, table.labels)}{illustrative_mark(r.rating.illustrative)}"
            elif key == "significance":
                content = (f'<span class="sig-{_esc(r.significance.result)}">{_esc(formatting.significance_words(r.significance))}</span>'
                           f"{illustrative_mark(significance_is_illustrative(r))}")
            elif key == "variation":
                content = (f'{variation_icon(r, size=28)} <span class="{_esc(row.variation_class)}">'
                           f"{_esc(row.variation)}</span>"
                           f"{illustrative_mark(r.illustrative.spc and r.spc.variation is not None)}")
            else:
                content = ""
                if row.footnote:
                    content = (f'<a href="#{_esc(table.footnote_prefix)}-{_esc(row.footnote)}" class="fn-mark">'
                               f'<span class="visually-hidden">{w.note} </span>{_esc(row.footnote)}</a>')
            cells.append(f'<td role="cell" class="col-{key}" data-label="{_esc(label_of[key])}">{content}</td>')
        out.append(f'\n    <tr role="row">{"".join(cells)}</tr>\n    ')
    return mark_safe("".join(out))


def _current_head(table) -> str:
    return ('<tr role="row">' + "".join(
        f'<th scope="col" role="columnheader" class="col-{key}">{_esc(label)}</th>'
        for key, label in current_columns(table)) + "</tr>")


@register.simple_tag
def mdc_summary_rows(rows):
    """The body rows of the icon summary (reports/_mdc_summary.html) in one
    pass, as `measure_rows` does for the measures tables: the template loop
    it replaces (kept in tests/test_measure_rows.py) printed, per row, a link,
    two figures and two icons; the markup is the loop's, byte for byte. A row
    with no ``url`` (the report: a measure with no section in it) is named
    without a link."""
    out = []
    no_absolute_target = f'<span class="muted">{_esc(_("No absolute target"))}</span>'
    for row in rows:
        r = row["result"]
        name = _esc(plan_text(r.name))
        name = f'<a href="{_esc(row["url"])}">{name}</a>' if row["url"] else name
        out.append(
            f'<tr><th scope="row">{name}</th><td>{_esc(row["month"])}</td>'
            f'<td>{_esc(formatting.measure(row["value"], r.unit, r.decimals))}</td>'
            f'<td>{_esc(formatting.measure(r.spc.mean, r.unit, r.decimals))}</td>'
            f'<td>{variation_icon(r, text=True)}{illustrative_mark(r.illustrative.spc)}</td>'
            f'<td>{assurance_icon(r, text=True) if r.spc.assurance else no_absolute_target}</td></tr>')
    return mark_safe("".join(out))


def _lower(value) -> str:
    """``{{ value|lower }}``: lower-cased and escaped, safe text kept safe."""
    return value.lower() if isinstance(value, SafeData) else html.escape(str(value).lower())


def measures_table_html(table) -> str:
    """What reports/_measures_table.html draws for ``table``, byte for byte
    (tests/test_page_tags.py renders both on every demo table): the dashboard
    draws a dozen tables, and an include with its own variables, filters and
    footnote loop cost more than the table's rows."""
    caption, prefix = _esc(table.caption), _esc(table.footnote_prefix)
    if table.current:
        head = _current_head(table)
    else:
        w = words()
        rating = ("" if table.method == "targets" else
                  f'<th scope="col" role="columnheader" class="col-rating">{_rating_heading(str(table.method_label).lower())}'
                  "</th>")
        head = f"{w.table_head}{rating}{w.table_tail}"
    notes = ""
    if table.footnotes:
        notes = (f'<ol class="footnotes" aria-label="{html.escape(_("Notes"))}">' + "".join(
            f'<li id="{prefix}-{_esc(number)}" value="{_esc(number)}">{_esc(plan_text(text))}</li>'
            for number, text in table.footnotes) + "</ol>")
    return (f'<div class="table-wrap" role="region" aria-label="{caption}" id="{prefix}-region" tabindex="0">\n'
            f'<table class="data measures{" measures-current" if table.current else ""}" role="table">\n'
            f"  <caption>{caption}</caption>\n"
            f'  <thead role="rowgroup">\n    {head}\n  </thead>\n'
            f'  <tbody role="rowgroup">\n    {measure_rows(table)}\n  </tbody>\n</table>\n</div>\n{notes}\n')


@register.simple_tag
def measures_table(table):
    """``{% include "reports/_measures_table.html" %}`` in one string (see measures_table_html)."""
    return mark_safe(measures_table_html(table))


@lru_cache(maxsize=1024)
def _priorities_path(force_slug: str, prefix: str, language: str) -> str:
    """Keyed by language too: a Welsh page's links are /cy/… (issue 31)."""
    path = reverse("reports:priority", args=[force_slug, 7])
    assert path.endswith("/7/"), path
    return path[:-2]


@register.simple_tag
def priority_sections(tables, force, period_param):
    """The dashboard's priority sections of one area (what a template loop
    drew, byte for byte): each priority's heading, linked to its page, and
    its measures table. The priority pages' address is reversed once per
    process and force (as reports.tables.indicator_url does), not once per
    priority: numbers are integers, put in the path as they are."""
    out = []
    if tables:
        prefix, query = _priorities_path(force.slug, get_script_prefix(), get_language()), _esc(period_param)
        for priority, table in tables:
            number = _esc(priority.number)
            out.append(
                f'\n  <section class="priority" aria-labelledby="priority-{number}">\n    <h3 id="priority-{number}">'
                f'<a href="{_esc(f"{prefix}{priority.number}/")}?period={query}">{number}. {_esc(plan_text(priority.title))}'
                f"</a></h3>\n    {measures_table_html(table)}\n  </section>\n  ")
    return mark_safe("".join(out))


@register.filter("rag_illustrative")
def rag_is_illustrative(result) -> bool:
    """A RAG the figures gave (not an analyst's) from an illustrative figure."""
    return result.rag is not None and result.rag_source == "computed" and result.illustrative.comparison


@register.filter("significance_illustrative")
def significance_is_illustrative(result) -> bool:
    """A significance test run on an illustrative figure."""
    return result.significance.test is not None and result.illustrative.comparison


@register.simple_tag
def attention_items(items):
    """The <li>s of a "what needs attention" or "what improved" list
    (reports/_attention.html) in one pass: a national dashboard lists forty.
    A line whose verdict rests on an illustrative figure says so."""
    return mark_safe("".join(
        f'<li>{_linked(item.url, item.result.name)}: {_esc(item.why)}.'
        f'{illustrative_mark(item.illustrative)}</li>' for item in items))


@register.simple_tag(takes_context=True)
def rating_count_items(context, counts):
    """The <li>s of the rating counts (reports/_rating_counts.html) in one
    pass; the count the page is filtered by is marked current."""
    current = context.get("filter_rating")
    out = []
    for c in counts:
        url = c.get("url")
        badge = (f'<span class="rag rating-{_esc(c["tone"])} rag-{_esc(c["key"])}"><span class="rag-shape" '
                 f'aria-hidden="true">{_esc(c["shape"])}</span> {_esc(c["label"])}</span> '
                 f'<strong>{_esc(c["count"])}</strong>')
        if url:
            mark = ' aria-current="true"' if c["key"] == current else ""
            out.append(f'<li><a class="count-link" href="{_esc(url)}"{mark}>{badge}'
                       f'<span class="visually-hidden"> ({_esc(_("show only these"))})</span></a></li>')
        else:
            out.append(f"<li>{badge}</li>")
    return mark_safe("".join(out))
