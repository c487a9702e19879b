"""Making Data Count in the panel pack (issue 29, items 2 and 3): the
variation and assurance summary after the headline table in every mode, and
the SPC charts' lines in MDC's colours (limits grey dashed, mean grey solid,
target red dashed), on the chart and in its legend."""

import re
from datetime import date

import pytest

from indicators import models
from reports import charts, svg
from reports.report import build_report

pytestmark = pytest.mark.django_db

GREY, RED = "#7b7d7d", "#b10e1e"
WM_JUNE_2013 = date(2013, 6, 1)

# a horizontal line: a reference line in the plot, or a legend's handle
_HLINE = (r'<path d="M[-\d.]+ [-\d.]+H[-\d.]+" fill="none" stroke="([^"]+)" stroke-width="[^"]+"'
          r'(?: stroke-dasharray="([^"]+)")?/>')


def _spc_figures(html: str) -> dict[str, str]:
    """Each drawn SPC chart's SVG in the report, by its chart id."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<figure class="chart" aria-labelledby="(spc-[^"]+)-caption">.*?(<svg .*?</svg>)', html, re.S)}


def _lines(drawn: str) -> tuple[dict, dict, dict]:
    """(legend, labels, plot lines): each line's name with (stroke, dash) in
    the legend; each label written on the plot with its colour; the plot's
    reference lines as (stroke, dash) in the order drawn."""
    plot, legend_part = drawn.split(f'<g font-size="{svg.LEGEND_SIZE}"', 1)
    legend = {name: (stroke, dash or None) for stroke, dash, name in re.findall(
        _HLINE + r'(?:<path [^>]*/>)?<text [^>]*>([^<]+)</text>', legend_part)}
    labels = {name: colour for colour, name in re.findall(
        rf'<text font-size="{svg.NOTE_SIZE}" fill="([^"]+)"[^>]*>([^<]+)</text>', plot)}
    lines = [(stroke, dash or None) for stroke, dash in re.findall(_HLINE, plot) if stroke != svg.GRID]
    return legend, labels, lines


def test_report_spc_charts_draw_limits_grey_dashed_mean_grey_solid_target_red_dashed(demo):
    """Every SPC chart of West Mercia's full pack (the HTML the PDF prints),
    read from its SVG: the limits grey dashed, the mean grey solid, the target
    red dashed, the legend the same; nothing red but the target."""
    assert (charts.COLOURS["limit"], charts.COLOURS["mean"], charts.COLOURS["target"]) == (GREY, GREY, RED)
    html = build_report(force=models.Force.objects.get(slug="west-mercia"), period=WM_JUNE_2013)
    figures = _spc_figures(html)
    assert len(figures) >= 10
    targets = 0
    for chart_id, drawn in figures.items():
        legend, labels, lines = _lines(drawn)
        mean_stroke, mean_dash = legend["Average"]
        assert (mean_stroke, mean_dash) == (GREY, None), chart_id
        dashed = legend["Upper limit"][1]
        assert dashed, chart_id
        for name in ("Upper limit", "Lower limit"):
            if name in legend:
                assert legend[name] == (GREY, dashed), (chart_id, name)
        if "Target" in legend:
            targets += 1
            assert legend["Target"] == (RED, dashed), chart_id
            assert labels["Target"] == RED
            assert (RED, dashed) in lines
        # on the plot: the same lines as the legend (a line off the axis is not drawn)
        assert set(lines) <= {(GREY, None), (GREY, dashed), (RED, dashed)}, chart_id
        assert (GREY, None) in lines and (GREY, dashed) in lines, chart_id
        # the grey lines are named in the text's grey (a label is text: 4.5:1 on white)
        assert labels["Average"] == charts.COLOURS["line_label"] == "#505a5f"
        # nothing green, nothing dotted, and red only for the target (its line and its legend handle)
        assert 'stroke="#00703c"' not in drawn and f'stroke-dasharray="{dashed}"' in drawn
        assert drawn.count(f'stroke="{RED}"') == (2 if "Target" in legend else 0), chart_id
    assert targets >= 1          # priority response's target of 75% at least
