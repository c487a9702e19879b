import html
from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

from indicators import periods
from indicators.engine.result import IndicatorResult
from reports import formatting

register = template.Library()


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


@register.simple_tag
def missing(reason):
    """A dash that says why: the reason on hover and in text for screen readers."""
    return format_html('<span class="null" title="{}">{}<span class="visually-hidden"> ({})</span></span>',
                       reason or "Not available", formatting.DASH, reason or "not available")


@lru_cache(maxsize=4096)
def _badge_html(template_name: str, items: tuple) -> str:
    """A badge's HTML, rendered once per process for each distinct content:
    a national dashboard draws 150 badges, most of them alike."""
    return get_template(template_name).render(dict(items))


@register.simple_tag
def rag_badge(result: IndicatorResult, reason: str):
    """The RAG in text, shape and colour, "(manual)" for an assessment, and its status text."""
    return mark_safe(_badge_html("reports/_rag_badge.html", (
        ("rag", result.rag or "none"), ("label", formatting.RAG_LABELS.get(result.rag, "Not rated")),
        ("shape", formatting.RAG_SHAPES.get(result.rag, "\u2013")), ("manual", result.rag_source == "manual"),
        ("reason", reason), ("status_text", result.assessment.status_text if result.assessment else ""))))


_COMMON_DOTS = [(8, 22), (13, 17), (18, 23), (23, 16), (28, 22), (33, 18)]


@lru_cache(maxsize=256)
def _icon_html(kind: str, icon: tuple | None, text: bool, size: int) -> str:
    """An icon's SVG, rendered once per process: there are a dozen icons in
    a few sizes, and a national dashboard shows a hundred or more, so each is
    a dictionary lookup rather than a template render."""
    context = {"icon": dict(icon) if icon else None, "kind": kind, "text": text, "size": size}
    if kind == "variation":
        context["dots"] = _COMMON_DOTS
    return get_template("reports/_mdc_icon.html").render(context)


def _icon(kind: str, icon: dict | None, text, size) -> str:
    return mark_safe(_icon_html(kind, tuple(sorted(icon.items())) if icon else None, bool(text), int(size)))


@register.simple_tag
def variation_icon(result: IndicatorResult, text: bool = False, size: int = 32):
    """The Making Data Count variation icon (inline SVG with a <title>);
    ``text`` adds its words beside it, so colour is never the only signal."""
    return _icon("variation", formatting.variation_icon(result.spc), text, size)


@register.simple_tag
def assurance_icon(result: IndicatorResult, text: bool = False, size: int = 32):
    """The Making Data Count assurance icon: P (pass), F (fail), or hit and miss."""
    return _icon("assurance", formatting.assurance_icon(result.spc.assurance), text, size)


@register.simple_tag
def rating_badge(result: IndicatorResult):
    """The plan's own rating in its words, shape and colour; "(manual)" when an
    analyst's assessment set it, with what the figures say beside it."""
    rating = result.rating
    values = formatting.RATING_VALUES.get(rating.method, formatting.RATING_VALUES["targets"])
    label, shape, tone = values.get(rating.value, values[None])
    computed = getattr(rating, "computed", None)
    return mark_safe(_badge_html("reports/_rating_badge.html", (
        ("key", rating.value or "none"), ("tone", tone), ("label", label), ("shape", shape),
        ("manual", rating.manual), ("meaning", formatting.rating_meaning(rating.method, rating.value)),
        ("computed_label", (formatting.rating_value_label(rating.method, computed)
                            if rating.manual and computed != rating.value else "")))))


@register.simple_tag
def period_options(months, selected):
    """The period menu's <option>s, newest first: built in one pass, since a
    national series has 180 months (each a date formatted twice in a template loop)."""
    # Digits and month names only: nothing to escape.
    return mark_safe("".join(
        f'<option value="{periods.format_month(m)}"{" selected" if m == selected else ""}>{periods.month_label(m)}'
        "</option>" for m in months))


@register.simple_tag
def chart_rows(rows):
    """A chart's data table body: the first cell of each row its header.
    Built in one pass (a full panel report has some 3,000 cells, each a
    nested template loop otherwise); every cell escaped."""
    def esc(cell) -> str:       # conditional_escape without its per-call overhead (Django's escape is html.escape)
        return cell if isinstance(cell, SafeData) else html.escape(str(cell))

    return mark_safe("".join(
        f'<tr><th scope="row">{esc(row[0])}</th>' + "".join(f"<td>{esc(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in rows))


_MEASURE_ROW = (
    '\n    <tr role="row"><td role="cell" class="col-headline">{headline}</td><th scope="row" role="rowheader" '
    'class="col-name"><a href="{url}">{name}</a></th><td role="cell" class="col-wording" data-label="Overall target">'
    '{wording}</td><td role="cell" class="col-target_value" data-label="YTD target">{target}</td><td role="cell" '
    'class="col-ytd" data-label="YTD">{ytd}</td><td role="cell" class="col-last_ytd" data-label="Last YTD">{last_ytd}'
    '</td><td role="cell" class="col-change_pct" data-label="Change">{change}</td>{rating}<td role="cell" '
    'class="col-rag" data-label="RAG">{rag}</td><td role="cell" class="col-variation" data-label="SPC variation">'
    '{icon} <span class="{variation_class}">{variation}</span></td><td role="cell" class="col-significance" '
    'data-label="Significance"><span class="sig-{significance_key}">{significance}</span></td><td role="cell" '
    'class="col-footnote" data-label="Note">{footnote}</td></tr>\n    ')
_HEADLINE_MARK = mark_safe('<span aria-hidden="true">*</span><span class="visually-hidden">Headline measure</span>')
# A template's string literal is safe text: ``{% missing "Needs ..." %}`` printed its apostrophes as they are.
_NEEDS_LAST_YEAR = mark_safe("Needs last year's figure")
_NEEDS_BOTH_YEARS = mark_safe("Needs this year's and last year's figures")
_NO_MEASURES = mark_safe('\n    <tr role="row"><td role="cell" colspan="12" class="empty">No measures.</td></tr>\n    ')


def _esc(value) -> str:
    """As ``{{ value }}`` prints it: safe text as it is, anything else escaped."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


@register.simple_tag
def measure_rows(table):
    """The measures table's body rows (reports/_measures_table.html): one
    string format per row, rather than a template loop with a dozen tags and
    filters per row (the national dashboard has 72 rows; this was a fifth of
    its CPU). The markup is the template's, byte for byte, every value
    escaped as ``{{ }}`` escapes it (tests/test_measure_rows.py renders both)."""
    if not table.rows:
        return _NO_MEASURES
    rating_label = html.escape(str(table.method_label).lower()) if table.method != "targets" else None
    out = []
    for row in table.rows:
        r = row.result
        target = r.target
        kind = target.kind if target is not None else ""
        if kind in ("change", "absolute"):
            target_cell = (missing(_NEEDS_LAST_YEAR) if target.value is None
                           else _esc(formatting.measure(target.value, r.unit, r.decimals)))
        else:
            target_cell = f'<span class="muted">{_esc(row.target_label)}</span>'
        footnote = ""
        if row.footnote:
            footnote = (f'<a href="#{_esc(table.footnote_prefix)}-{_esc(row.footnote)}" class="fn-mark">'
                        f'<span class="visually-hidden">Note </span>{_esc(row.footnote)}</a>')
        out.append(_MEASURE_ROW.format(
            headline=_HEADLINE_MARK if row.headline else "",
            url=_esc(row.url), name=_esc(r.name),
            wording=_esc(target.wording) if target is not None and target.wording else formatting.DASH,
            target=target_cell,
            ytd=missing(r.ytd_reason) if r.ytd is None else _esc(formatting.measure(r.ytd, r.unit, r.decimals)),
            last_ytd=(missing(r.last_ytd_reason) if r.last_ytd is None
                      else _esc(formatting.measure(r.last_ytd, r.unit, r.decimals))),
            change=(missing(_NEEDS_BOTH_YEARS)
                    if r.change_pct is None and r.change_pts is None else _esc(formatting.change(r))),
            rating=("" if rating_label is None else
                    f'<td role="cell" class="col-rating" data-label="Rating ({rating_label})">{rating_badge(r)}</td>'),
            rag=rag_badge(r, row.rag_reason), icon=variation_icon(r, size=28),
            variation_class=_esc(row.variation_class), variation=_esc(row.variation),
            significance_key=_esc(r.significance.result), significance=_esc(row.significance),
            footnote=footnote))
    return mark_safe("".join(out))
