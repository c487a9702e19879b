from django import template
from django.utils.html import format_html

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


@register.inclusion_tag("reports/_rag_badge.html")
def rag_badge(result: IndicatorResult, reason: str):
    """The RAG in text, shape and colour, "(manual)" for an assessment, and its status text."""
    return {
        "rag": result.rag or "none", "label": formatting.RAG_LABELS.get(result.rag, "Not rated"),
        "shape": formatting.RAG_SHAPES.get(result.rag, "\u2013"), "manual": result.rag_source == "manual",
        "reason": reason, "status_text": result.assessment.status_text if result.assessment else "",
    }


_COMMON_DOTS = [(8, 22), (13, 17), (18, 23), (23, 16), (28, 22), (33, 18)]


@register.inclusion_tag("reports/_mdc_icon.html")
def variation_icon(result: IndicatorResult, text: bool = False, size: int = 32):
    """The Making Data Count variation icon (inline SVG with a <title>);
    ``text`` adds its words beside it, so colour is never the only signal."""
    return {"icon": formatting.variation_icon(result.spc), "kind": "variation", "text": text, "size": size,
            "dots": _COMMON_DOTS}


@register.inclusion_tag("reports/_mdc_icon.html")
def assurance_icon(result: IndicatorResult, text: bool = False, size: int = 32):
    """The Making Data Count assurance icon: P (pass), F (fail), or hit and miss."""
    return {"icon": formatting.assurance_icon(result.spc.assurance), "kind": "assurance", "text": text,
            "size": size}


@register.inclusion_tag("reports/_rating_badge.html")
def rating_badge(result: IndicatorResult):
    """The plan's own rating in its words, shape and colour; "(manual)" when an
    analyst's assessment set it, with what the figures say beside it."""
    rating = result.rating
    values = formatting.RATING_VALUES.get(rating.method, formatting.RATING_VALUES["targets"])
    label, shape, tone = values.get(rating.value, values[None])
    computed = getattr(rating, "computed", None)
    return {"key": rating.value or "none", "tone": tone, "label": label, "shape": shape, "manual": rating.manual,
            "meaning": formatting.rating_meaning(rating.method, rating.value),
            "computed_label": (formatting.rating_value_label(rating.method, computed)
                               if rating.manual and computed != rating.value else "")}
