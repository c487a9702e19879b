from django import template
from django.utils.html import format_html

from reports import formatting

register = template.Library()


@register.filter
def measure(value, spec):
    """{{ value|measure:row.fmt }} where fmt is "unit:decimals"."""
    unit, _, decimals = str(spec).partition(":")
    return formatting.measure(value, unit, int(decimals or 0))


@register.filter
def change_pct(value):
    return formatting.change_pct(value)


@register.filter
def number(value, decimals=0):
    return formatting.number(value, int(decimals))


@register.simple_tag
def missing(reason):
    """A dash that says why: the reason on hover and in text for screen readers."""
    return format_html('<span class="null" title="{}">{}<span class="visually-hidden"> ({})</span></span>',
                       reason or "Not available", formatting.DASH, reason or "not available")


@register.inclusion_tag("reports/_rag_badge.html")
def rag_badge(rag, source=None, reason=""):
    return {
        "rag": rag or "none", "label": formatting.RAG_LABELS.get(rag, "Not rated"),
        "shape": formatting.RAG_SHAPES.get(rag, "\u2013"), "manual": source == "manual", "reason": reason,
        "meaning": formatting.RAG_MEANINGS.get(rag, ""),
    }
