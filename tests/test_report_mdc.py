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
from tests.test_report_pdf import _subpaths

pytestmark = pytest.mark.django_db

GREY, RED = "#7b7d7d", "#b10e1e"
WM_JUNE_2013 = date(2013, 6, 1)

# horizontal lines: reference lines in the plot (two drawn one after the other alike are one path)
_HLINE = (r'<path d="(?:M[-\d.]+ [-\d.]+H[-\d.]+)+" stroke="([^"]+)" stroke-width="[^"]+"'
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
    legend = _legend(legend_part)
    # a label with its colour, or labels alike in a group that has it
    labels = {name: colour for colour, name in re.findall(
        rf'<text font-size="{svg.NOTE_SIZE}" fill="([^"]+)"[^>]*>([^<]+)</text>', plot)}
    for colour, group in re.findall(rf'<g font-size="{svg.NOTE_SIZE}" fill="([^"]+)"[^>]*>(.*?)</g>', plot):
        labels.update((name, colour) for name in re.findall(r"<text [^>]*>([^<]+)</text>", group))
    lines = [(stroke, dash or None) for stroke, dash in re.findall(_HLINE, plot) if stroke != svg.GRID]
    return legend, labels, lines


def _legend(part: str) -> dict:
    """Each name in a legend with its handle's (stroke, dash): the line as
    long as svg.HANDLE ems ending svg.HANDLE_GAP ems before the name, 0.35 em
    above its baseline (svg._legend; each end written to one decimal). A name
    with no line (markers only) is left out."""
    size = svg.LEGEND_SIZE
    handles = []
    for d, attributes in re.findall(r'<path d="([^"]+)"([^>]*)/>', part):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        for piece in _subpaths(d):
            (x0, y), (x1, y1) = piece[0], piece[-1]
            if len(piece) == 2 and y1 == y and abs(x1 - x0 - svg.HANDLE * size) < 0.15:
                handles.append((x1 + svg.HANDLE_GAP * size, y + 0.35 * size,
                                (attributes["stroke"], attributes.get("stroke-dasharray"))))
    names = [(float(x), float(y), name) for y, row in re.findall(r'<text y="([-\d.]+)"[^>]*>(.*?)</text>', part)
             for x, name in re.findall(r'<tspan x="([-\d.]+)">([^<]*)</tspan>', row)]
    return {name: line for x, y, name in names for hx, hy, line in handles
            if abs(hx - x) < 0.15 and abs(hy - y) < 0.15}


def assert_mdc_lines(chart_id: str, drawn: str) -> bool:
    """One SPC chart's SVG follows Making Data Count: the limits grey dashed,
    the mean grey solid, the target red dashed, the legend the same, nothing
    red but the target. True if it draws a target."""
    legend, labels, lines = _lines(drawn)
    mean_stroke, mean_dash = legend["Average"]
    assert (mean_stroke, mean_dash) == (GREY, None), chart_id
    dashed = legend["Upper limit"][1]
    assert dashed, chart_id
    for name in ("Upper limit", "Lower limit"):
        if name in legend:
            assert legend[name] == (GREY, dashed), (chart_id, name)
    if "Target" in legend:
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
    return "Target" in legend


def test_report_spc_charts_draw_limits_grey_dashed_mean_grey_solid_target_red_dashed(demo):
    """Every SPC chart of West Mercia's full pack (the HTML the PDF prints),
    read from its SVG: the limits grey dashed, the mean grey solid, the target
    red dashed, the legend the same; nothing red but the target."""
    assert (charts.COLOURS["limit"], charts.COLOURS["mean"], charts.COLOURS["target"]) == (GREY, GREY, RED)
    html = build_report(force=models.Force.objects.get(slug="west-mercia"), period=WM_JUNE_2013)
    figures = _spc_figures(html)
    assert len(figures) >= 10
    targets = sum(assert_mdc_lines(chart_id, drawn) for chart_id, drawn in figures.items())
    assert targets >= 1          # priority response's target of 75% at least


# --- item 2: the variation and assurance summary in every mode -----------------------------------------

def _summary(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The report's MDC summary section, checked to sit in the Summary after
    the headline table (when there is one) and before the first area; and its
    rows as (measure, the row's text without markup)."""
    start = html.index('<section class="mdc-glance" aria-labelledby="mdc-heading">')
    summary = html.index('<section id="summary"')
    headline = html.find("<caption>Headline measures</caption>")
    first_area = html.find('<section class="area')
    assert summary < start and (first_area == -1 or start < first_area)
    if headline != -1:
        assert headline < start and html.index("</table>", headline) < start
    assert html.count('id="mdc-heading"') == 1
    section = html[start:html.index("</section>", start)]
    rows = []
    for tr in re.findall(r'<tr><th scope="row">(.*?)</tr>', section, re.S):
        name, rest = tr.split("</th>", 1)
        text = re.sub(r"\s+", " ", re.sub(r"<title>.*?</title>|<[^>]+>", " ", rest)).strip()
        rows.append((re.sub(r"<[^>]+>", "", name).replace("&amp;", "&"), text))
    return section, rows


CONFIDENCE = "Maintain public confidence as measured by WMP Crime & Safety Survey"
VIOLENCE = "Reduction in the volume of violent crime with injury"


def test_full_pack_has_the_summary_with_variation_and_assurance_after_the_headline_table(demo):
    force = models.Force.objects.get(slug="west-mercia")
    html = build_report(force=force, period=WM_JUNE_2013)
    assert "<caption>Headline measures</caption>" in html
    section, rows = _summary(html)
    assert "<h3 id=\"mdc-heading\">Variation and assurance at a glance</h3>" in section
    assert len(rows) == 17                         # every measure with an SPC reading, once, in the plan's order
    by_name = dict(rows)
    # public confidence: latest month, value and average, common cause, hit and miss against its target
    assert by_name[CONFIDENCE].startswith("June 2013 69.1% 70.3% Common cause")
    assert by_name[CONFIDENCE].endswith("Hit and miss")
    assert by_name[VIOLENCE].startswith("June 2013") and "Improvement (L)" in by_name[VIOLENCE]
    assert by_name[VIOLENCE].endswith("No absolute target")
    # the icons themselves, inline SVG with their titles: the assurance icon appears in the pack
    assert "<title>Assurance: hit and miss, the target is within the limits</title>" in section
    assert section.count('<svg class="mdc-svg"') == 17 + sum("Hit and miss" in t for _, t in rows)
    # each measure links to its section in the document, never out of it
    assert '<a href="#m-public-confidence">' in section and 'href="/' not in section


def test_exceptions_pack_summary_has_only_the_measures_that_need_attention(demo):
    from reports.plan_results import plan_results
    from reports.report import is_exception

    force = models.Force.objects.get(slug="west-mercia")
    results = plan_results(force, models.Plan.objects.get(force=force), WM_JUNE_2013, False).results.values()
    with_spc = {r.name: r for r in results if r.spc.variation is not None and r.spc.points}
    bad = {name for name, r in with_spc.items() if is_exception(r)}
    html = build_report(force=force, period=WM_JUNE_2013, mode="exceptions")
    section, rows = _summary(html)
    names = {name for name, _ in rows}
    assert names == {name.replace("&amp;", "&") for name in bad} and 0 < len(names) < len(with_spc)
    assert VIOLENCE not in names                 # an improvement, not an exception
    assert dict(rows)[CONFIDENCE].endswith("Hit and miss")
    assert "<title>Assurance: hit and miss, the target is within the limits</title>" in section
    assert "each measure that needs attention" in section


def test_theme_pack_summary_has_the_theme_measures_only(demo):
    force = models.Force.objects.get(slug="west-mercia")
    html = build_report(force=force, period=WM_JUNE_2013, mode="theme", theme=1)
    section, rows = _summary(html)
    assert [name for name, _ in rows] == [CONFIDENCE, "Response times to attend to emergencies maintained",
                                          "Response times to attend to priority incidents maintained"]
    assert all(text.endswith("Hit and miss") for _, text in rows)
    assert "<title>Assurance: hit and miss, the target is within the limits</title>" in section
    assert VIOLENCE not in section


def test_compact_pack_summary_links_only_to_the_measures_it_draws(demo):
    force = models.Force.objects.get(slug="west-mercia")
    html = build_report(force=force, period=WM_JUNE_2013, mode="compact")
    section, rows = _summary(html)
    assert len(rows) == 17
    for anchor in re.findall(r'<a href="#(m-[^"]+)">', section):
        assert f'id="{anchor}"' in html
    assert f"<th scope=\"row\">{VIOLENCE}</th>" in section      # no section of its own: named, not linked
