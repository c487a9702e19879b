"""The measures table (SPEC §4 columns), with django-tables2."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from reports import formatting as fmt


def _missing(reason: str | None) -> str:
    return format_html('<span class="null" title="{}">{}<span class="visually-hidden"> ({})</span></span>',
                       reason or "Not available", fmt.DASH, reason or "not available")


def _figure(row: dict, value, reason: str | None = None) -> str:
    if fmt.is_missing(value):
        return _missing(reason)
    unit, _, decimals = row["fmt"].partition(":")
    return fmt.measure(value, unit, int(decimals or 0))


class MeasuresTable(tables.Table):
    """Rows are dicts from `reports.panels.measure_row`."""

    headline = tables.Column(verbose_name="Headline", empty_values=())
    name = tables.Column(verbose_name="Measure", empty_values=())
    wording = tables.Column(verbose_name="Overall target", empty_values=())
    target_value = tables.Column(verbose_name="YTD target", empty_values=())
    ytd = tables.Column(verbose_name="YTD", empty_values=())
    last_ytd = tables.Column(verbose_name="Last YTD", empty_values=())
    change_pct = tables.Column(verbose_name="Change", empty_values=())
    rag = tables.Column(verbose_name="RAG", empty_values=())
    variation = tables.Column(verbose_name="SPC variation", empty_values=())
    significance = tables.Column(verbose_name="Significance", empty_values=())
    footnote = tables.Column(verbose_name="Note", empty_values=())

    class Meta:
        orderable = False
        template_name = "reports/_measures_table.html"
        attrs = {"class": "data measures"}

    def __init__(self, data, *, caption: str = "", footnote_prefix: str = "fn", **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        self.footnote_prefix = footnote_prefix

    def render_headline(self, record):
        if record["headline"]:
            return mark_safe('<span aria-hidden="true">*</span><span class="visually-hidden">Headline measure</span>')
        return ""

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record["url"], record["name"])

    def render_wording(self, record):
        return record["wording"] or fmt.DASH

    def render_target_value(self, record):
        if record["target_kind"] in ("change", "absolute"):
            return _figure(record, record["target_value"], "Needs last year's figure")
        return format_html('<span class="muted">{}</span>', {
            "monitor": "Monitor", "baseline": "Baseline year", "milestone": "Milestone"}.get(record["target_kind"], fmt.DASH))

    def render_ytd(self, record):
        return _figure(record, record["ytd"], record["ytd_reason"])

    def render_last_ytd(self, record):
        return _figure(record, record["last_ytd"], record["last_ytd_reason"])

    def render_change_pct(self, record):
        if fmt.is_missing(record["change_pct"]):
            return _missing("Needs this year's and last year's figures")
        return fmt.change_pct(record["change_pct"])

    def render_rag(self, record):
        # format_html, not a template per row: this cell is on every measure of every table.
        rag = record["rag"]
        badge = format_html(
            '<span class="rag rag-{}" title="{}"><span class="rag-shape" aria-hidden="true">{}</span> {}{}'
            '<span class="visually-hidden">: {}</span></span>',
            rag or "none", record["rag_reason"], fmt.RAG_SHAPES.get(rag, "\u2013"), fmt.RAG_LABELS.get(rag, "Not rated"),
            mark_safe(' <span class="rag-manual">(manual)</span>') if record["rag_source"] == "manual" else "",
            record["rag_reason"])
        if record["status_text"]:
            badge += format_html('<span class="status-text">{}</span>', record["status_text"])
        return badge

    def render_variation(self, record):
        return format_html('<span class="{}">{}</span>', record["variation_class"], record["variation"])

    def render_significance(self, record):
        return format_html('<span class="sig-{}">{}</span>', record["significance_result"], record["significance"])

    def render_footnote(self, record):
        if record["footnote"] is None:
            return ""
        return format_html('<a href="#{}-{}" class="fn-mark"><span class="visually-hidden">Note </span>{}</a>',
                           self.footnote_prefix, record["footnote"], record["footnote"])
