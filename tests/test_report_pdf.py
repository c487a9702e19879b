"""The panel report on paper and without scripts (issue 16 items 1-2, SPEC §4):
server-drawn SVG charts, the PDF (page count, contents with page numbers,
"Page n of m", tagged, bookmarks, text size), the compact pack, and the PDF
download scoped exactly like the HTML one."""

import re
import shutil
import subprocess
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from indicators import models
from jobs.runner import run_queued
from tests.factories import make_user

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def export(tmp_path, *args, name):
    out = tmp_path / name
    stdout = StringIO()
    call_command("export_report", *args, "--output", str(out), stdout=stdout)
    return out, stdout.getvalue()


def page_texts(path) -> list[str]:
    """Each page's text, as poppler's pdftotext reads it."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_html_report_draws_every_chart_as_svg_and_needs_no_script(demo, tmp_path):
    path, _ = export(tmp_path, "--force", "west-mercia", "--period", "2013-06", name="wm.html")
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and "plotly" not in html.lower()
    assert "script-src 'none'" in html
    figures = re.findall(r'<figure class="chart".*?</figure>', html, re.S)
    assert len(figures) >= 40
    drawn = [f for f in figures if "<svg" in f]
    # every figure is either a drawn chart (an SVG image with a title naming it) or, when it has too
    # few values to read, its table; every drawn chart keeps its table beside it
    for figure in figures:
        if "<svg" in figure:
            assert re.search(r'<svg [^>]*class="chart-svg"[^>]*role="img" aria-labelledby="(c[0-9a-f]+t)"', figure)
            assert re.search(r'<title id="c[0-9a-f]+t">[^<]+</title>', figure)
            assert "<table" in figure
        else:
            assert 'class="chart-data chart-table-only"' in figure and "<tbody><tr>" in figure
    # 46 charts for West Mercia at June 2013: 34 drawn, 12 of fewer than four values printed as tables
    assert (len(figures), len(drawn)) == (46, 34)
    assert "<title id=\"" in html and "Maintain public confidence as measured by WMP Crime &amp; Safety Survey: " \
                                      "statistical process control</title>" in html
    # no two elements share an id, though every chart has its own markers and clip paths
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1][:5]
    # small: no metadata, no glyph outlines, no plotly bundle (it was 1.54 MB)
    assert "<metadata" not in html and "<!DOCTYPE svg" not in html and "glyph" not in html
    assert len(html.encode()) < 800_000


def test_spc_svg_shows_special_causes_in_making_data_count_colours_and_is_deterministic(demo):
    from reports import charts, svg
    from reports.plan_results import plan_results

    force = models.Force.objects.get(slug="west-mercia")
    plan = models.Plan.objects.get(force=force)
    result = next(r for r in plan_results(force, plan, date(2013, 6, 1), False).results.values()
                  if r.indicator == "all-crime")
    chart = charts.spc_chart(result)
    drawn = svg._draw(chart)
    assert drawn == svg._draw(charts.spc_chart(result))              # same data, same bytes
    # concern orange diamonds and improvement blue circles, each named in the legend; mean and limits labelled
    assert {("#b35c00", "diamond"), ("#1d70b8", "circle")} <= {(group["fill"], shape) for group in
                                                              _svg_parts(drawn)["groups"] for shape in group["shapes"]}
    texts = _svg_parts(drawn)["texts"]
    for words in ("Special cause: concern", "Special cause: improvement", "Average", "Upper limit", "Lower limit"):
        assert words in texts
    assert "font-family=\"Arial, 'Liberation Sans'" in drawn and "style=" not in drawn
    assert len(drawn) < 15_000
    # a chart of three points is not drawn: its table is printed instead
    assert charts.spc_chart(next(r for r in plan_results(force, plan, date(2013, 6, 1), False).results.values()
                                 if r.indicator == "police-cadets")) is None


def _subpaths(d: str) -> list[list[tuple[float, float]]]:
    """A path's subpaths, each as its points in absolute coordinates (M, L, H,
    V, Z, absolute or relative; a repeated command's letter left out, and
    pairs after a moveto read as linetos)."""
    tokens = re.findall(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)", d)
    subpaths, x, y, start, command, k = [], 0.0, 0.0, (0.0, 0.0), "", 0
    while k < len(tokens):
        if tokens[k].isalpha():
            command, k = tokens[k], k + 1
            if command in "Zz":
                x, y = start
            continue
        relative = command.islower()
        if command in "MmLl":
            dx, dy, k = float(tokens[k]), float(tokens[k + 1]), k + 2
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if command in "Mm":
                start, command = (x, y), "l" if relative else "L"
                subpaths.append([])
        elif command in "HhVv":
            v, k = float(tokens[k]), k + 1
            if command in "Hh":
                x = x + v if relative else v
            else:
                y = y + v if relative else v
        subpaths[-1].append((round(x, 2), round(y, 2)))
    return subpaths


def _marker_layer(d: str, attributes: dict) -> tuple[str, str, list] | None:
    """(colour, shape, centres) of a path of markers (svg._markers), or None:
    dots (zero-length round-capped strokes), squares (butt strokes as long as
    they are wide) or diamonds (filled outlines)."""
    subpaths = _subpaths(d)
    width = float(attributes.get("stroke-width", 0))
    if attributes.get("stroke-linecap") == "round" and all(len(p) == 2 and p[0] == p[1] for p in subpaths):
        return attributes["stroke"], "circle", [p[0] for p in subpaths]
    if "stroke-linejoin" not in attributes and all(
            len(p) == 2 and p[0][1] == p[1][1] and abs(p[1][0] - p[0][0] - width) < 0.01 for p in subpaths):
        return attributes["stroke"], "square", [(round(p[0][0] + width / 2, 2), p[0][1]) for p in subpaths]
    if attributes.get("fill", "none") != "none" and all(len(p) == 4 for p in subpaths):
        return attributes["fill"], "diamond", [(p[0][0], p[1][1]) for p in subpaths]  # top corner x, right corner y
    return None


def _svg_parts(drawn: str) -> dict:
    """What a chart's SVG draws, read back from it: each series' markers (its
    fill colour, the marker shapes and their centres in order; a marker with
    an outline is drawn in two layers at the same centres, the fill's on top),
    the series' line paths as lists of points per piece, the texts, the bars."""
    from reports import svg

    plot = drawn.split(f'<g font-size="{svg.LEGEND_SIZE}"')[0]        # the legend's markers are not the series'
    groups = []
    for d, attributes in re.findall(r'<path d="(M[^"]+)"([^>]*)/>', plot):
        layer = _marker_layer(d, dict(re.findall(r'([\w-]+)="([^"]*)"', attributes)))
        if layer is None:
            continue
        colour, shape, centres = layer
        if groups and groups[-1]["points"] == centres and groups[-1]["shapes"] == {shape}:
            groups[-1]["fill"] = colour                               # the fill over its outline
        else:
            groups.append({"fill": colour, "shapes": {shape}, "points": centres})
    lines = [_subpaths(d) for d in re.findall(r'<path d="(M[^"]+)"[^>]* stroke-linejoin="round"/>', drawn)]
    # a text, or a tspan of a row of them (tick labels, a legend's row of names)
    texts = re.findall(r"<(text|tspan) [^>]*>([^<]*)</\1>", drawn)
    texts = [text for _, text in texts]
    bars = [(float(w), fill) for w, fill in re.findall(r'<rect x="[-\d.]+" y="[-\d.]+" width="([-\d.]+)" '
                                                        r'height="[-\d.]+" fill="([^"]+)"/>', drawn)]
    return {"groups": groups, "lines": lines, "texts": texts, "bars": bars}


def test_spc_svg_draws_every_value_in_order_and_special_causes_on_them(demo):
    from reports import charts, svg
    from reports import formatting as fmt
    from reports.plan_results import plan_results

    force = models.Force.objects.get(slug="west-mercia")
    results = plan_results(force, models.Plan.objects.get(force=force), date(2013, 6, 1), False).results.values()
    result = next(r for r in results if r.indicator == "vwi")
    chart = charts.spc_chart(result)
    parts = _svg_parts(svg._draw(chart))
    values = [v for _, v in result.spc.points]
    # the series: one line through every month, left to right, evenly spaced, higher values higher up
    [line] = parts["lines"]
    [points] = line
    assert len(points) == len(values) == len(parts["groups"][0]["points"])
    assert parts["groups"][0]["points"] == points and parts["groups"][0]["fill"] == charts.COLOURS["last"]
    steps = {round(b[0] - a[0], 1) for a, b in zip(points, points[1:])}
    assert max(steps) - min(steps) <= 0.2 and min(steps) > 0
    for (_, ya), (_, yb), va, vb in zip(points, points[1:], values, values[1:]):
        assert (ya - yb) * (va - vb) <= 0.01
    scale = (points[0][1] - points[-1][1]) / (values[-1] - values[0])
    assert all(abs((points[0][1] - y) - (v - values[0]) * scale) < 0.15 for (_, y), v in zip(points, values))
    # each special cause is a marker in its Making Data Count colour and shape, on its month's point
    by_month = dict(zip((m for m, _ in result.spc.points), points))
    meanings = charts.point_meanings(result)
    expected = {"improvement": (fmt.ICON_COLOURS["improve"], "circle"),
                "concern": (fmt.ICON_COLOURS["concern"], "diamond")}
    drawn_meanings = set()
    for group in parts["groups"][1:]:
        meaning = next(m for m, (colour, _) in expected.items() if colour == group["fill"])
        assert group["shapes"] == {expected[meaning][1]}
        assert group["points"] == [by_month[m] for m in sorted(meanings) if meanings[m][0] == meaning]
        drawn_meanings.add(meaning)
    assert drawn_meanings == {meaning for meaning, _, _ in meanings.values()} == {"improvement", "concern"}
    # the mean and limits named at their lines and in the legend, in the font stack
    for words in ("Average", "Upper limit", "Lower limit", "Special cause: improvement",
                  "Special cause: concern", "Monthly value (common cause)"):
        assert words in parts["texts"]
    assert parts["texts"].count("Average") == 2


def _line_chart(names, ys, **layout):
    from reports.charts import Chart, _layout

    data = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": ["Apr", "May", "Jun", "Jul", "Aug"][:len(y)],
             "y": y, "line": {"color": colour}, "marker": {"symbol": symbol}}
            for name, y, colour, symbol in zip(names, ys, ("#505a5f", "#1d70b8"), ("square", "circle"))]
    return Chart("trend-test", "A test", "", {"data": data, "layout": _layout("A test", "number", **layout)}, [], [])


def test_svg_breaks_its_line_at_gaps_escapes_names_and_is_deterministic():
    from reports import svg

    chart = _line_chart(["Last & <year>", "This year"], [[5, None, 7, 8, None], [-2, 0, None, None, None]],
                        from_zero=False)
    drawn = svg._draw(chart)
    assert drawn == svg._draw(_line_chart(["Last & <year>", "This year"],
                                          [[5, None, 7, 8, None], [-2, 0, None, None, None]], from_zero=False))
    parts = _svg_parts(drawn)
    last, this = parts["lines"]
    # a gap splits the line; every value has its marker, at the line's points
    assert [len(piece) for piece in last] == [1, 2] and [len(piece) for piece in this] == [2]
    assert parts["groups"][0]["points"] == [p for piece in last for p in piece]
    assert parts["groups"][1]["points"] == this[0]
    assert [x for x, _ in parts["groups"][1]["points"]] == [x for x, _ in parts["groups"][0]["points"][:1]] + \
        [this[0][1][0]]
    # negative and zero values sit below the larger ones; the axis shows them
    (_, y_minus2), (_, y_zero) = this[0]
    assert y_minus2 > y_zero > parts["groups"][0]["points"][0][1]
    assert "-2.5" in parts["texts"] and "0" in parts["texts"]          # y ticks every 2.5 from -2.5
    # names are escaped, not markup
    assert "Last &amp; &lt;year&gt;" in parts["texts"] and "<year>" not in drawn
    assert "style=" not in drawn and "<metadata" not in drawn and "<!--" not in drawn
    # a single category is drawn too: one point, centred
    single = _svg_parts(svg._draw(_line_chart(["This year"], [[42]])))
    [(x, _)] = single["groups"][0]["points"]
    assert abs(x - (50.4 + 493.2) / 2) < 0.1 and "Apr" in single["texts"]


def test_msg_svg_has_a_bar_and_its_value_for_every_force_and_the_average(demo):
    from indicators import selectors
    from reports import charts, svg
    from reports.plan_results import plan_results

    force = models.Force.objects.get(slug="west-mercia")
    results = plan_results(force, models.Plan.objects.get(force=force), date(2013, 6, 1), False).results.values()
    result = next(r for r in results if r.msg_comparison)
    peers = [p.force for p in result.msg_comparison.peers]
    chart = charts.msg_chart(result, selectors.force_names(slugs=["west-mercia", *peers]))
    drawn = svg._draw(chart)
    parts = _svg_parts(drawn)
    rates = chart.figure["data"][0]["x"]
    assert len(parts["bars"]) == len(rates) == len(peers) + 1
    # bars as long as their rates (one scale), the force's own in its colour, each labelled with its value
    scales = [width / rate for (width, _), rate in zip(parts["bars"], rates)]
    assert max(scales) - min(scales) < 0.01 * max(scales)
    assert [fill for _, fill in parts["bars"]].count(charts.COLOURS["force"]) == 1
    for label in chart.figure["data"][0]["text"]:
        assert parts["texts"].count(label) >= 1
    for name in chart.figure["data"][0]["y"]:
        assert name.replace("&", "&amp;") in parts["texts"]
    assert f"MSG average {result.msg_comparison.average:.2f}" in parts["texts"]
    assert 'stroke-dasharray="3.7,1.6"' in drawn                          # the average's dashed line


@needs_poppler
def test_compact_pdf_pages_contents_page_numbers_bookmarks_and_tags(demo, tmp_path):
    path, out = export(tmp_path, "--force", "west-mercia", "--period", "2013-06", "--mode", "compact",
                       "--format", "pdf", name="wm.pdf")
    assert "MB, compact, PDF" in out
    assert path.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert 5 <= pages < 12                                           # issue 16: compact under 12 pages
    texts = page_texts(path)
    assert len(texts) == pages
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {pages}" in text
    # the contents page lists each section with the page its heading falls on
    # it is the cover report's last section (issue 29), on its first or second page
    contents_page = next(t for t in texts[:2] if "Contents and appendices" in t)
    contents = contents_page[contents_page.index("Contents and appendices"):]
    entries = re.findall(r"^\s*\d+\. (.+?)[ .]+ (\d+)\s*$", contents, re.M)
    titles = [t for t, _ in entries]
    assert "Every measure at a glance" in titles and "Appendix A: definitions and sources" in titles
    assert any(t.startswith("Aim 4: Support victims") for t in titles)
    numbers = [int(p) for _, p in entries]
    assert numbers == sorted(numbers) and numbers[-1] >= 8
    for title, page in entries:
        title = title.rstrip(" .")
        assert 1 <= int(page) <= pages
        assert squash(title)[:40] in squash(texts[int(page) - 1]), (title, page)
    # tagged (PDF/UA), in English, with a bookmark per area of focus and its priorities under it
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    outline = reader.outline
    top = [o.title for o in outline if not isinstance(o, list)]
    assert [t for t in top if t.startswith("Aim ")] == [
        "Aim 1: Provide an effective and visible police service (illustrative title)",
        "Aim 2: Reduce crime and disorder",
        "Aim 3: Bring offenders to justice and protect the vulnerable (illustrative title)",
        "Aim 4: Support victims and keep the roads safe (illustrative title)"]
    # the priorities nested under the first area of focus (the summary's own headings nest under it, before)
    first_aim = next(i for i, o in enumerate(outline) if not isinstance(o, list) and o.title.startswith("Aim "))
    nested = outline[first_aim + 1]
    assert nested[0].title.startswith("1. To provide an effective neighbourhood policing model")
    # no heading is left alone at the foot of a page
    headings = {squash(o.title)[:40] for group in outline for o in (group if isinstance(group, list) else [group])}
    for number, text in enumerate(texts, 1):
        lines = [squash(line).strip() for line in text.splitlines() if line.strip() and "panel report," not in line]
        assert lines[-1][:40] not in headings | {"Commentary"}, (number, lines[-1])
    # one line per measure with its rating, the key printed open, commentary, charts only for attention
    words = squash(" ".join(texts))
    assert "Every measure at a glance" in words and "How to read these tables" in words
    assert "Just off track: it misses the target by no more than the tolerance" in words
    assert "Reducing overall crime rates in West Mercia" in words                  # green: listed, not charted
    assert "The new Alliance Policing Model will be implemented" in words           # commentary
    assert "Show the data in this chart" not in words
    # body text 9.5-10 pt: the commentary is set at 10 pt
    sizes = {}

    def visit(text, cm, tm, font, size):
        if "Alliance Policing Model" in text:
            sizes[text] = abs(size * (tm[3] or 1) * (cm[3] or 1))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert sizes and all(9.5 <= s <= 10.5 for s in sizes.values()), sizes


def _draft_for_july(force):
    vwi = force.indicators.get(code="vwi")
    draft = models.Return.objects.create(force=force, period="2013/14 Q2", source="draft-july.csv")
    models.ReturnLine.objects.create(source_return=draft, indicator=vwi, month=date(2013, 7, 1), value=424242)


def _pdf_text(response) -> str:
    if response["Content-Type"].startswith("text/html"):      # being prepared: a worker builds it, then it is served
        assert response.status_code == 200 and "The panel pack is being prepared" in response.content.decode()
        assert run_queued() >= 1
        response = response.client.get(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return squash(" ".join(page.extract_text() for page in reader.pages)).replace(",", "")


def test_pdf_download_is_for_anyone_who_may_read_the_report_and_hides_drafts_like_it(demo, client):
    wm = models.Force.objects.get(slug="west-mercia")
    url = "/west-mercia/report/?period=2013-07&mode=exceptions&format=pdf"
    _draft_for_july(wm)
    # anonymous readers of published data
    response = client.get(url)
    public = _pdf_text(response)
    response = client.get(url)               # built once, then served from the store
    assert response["Content-Disposition"] == 'attachment; filename="west-mercia-panel-report-2013-07-exceptions.pdf"'

    assert "West Mercia Police" in public and "DRAFT" not in public and "424242" not in public
    # a panel member sees published figures only, as on the HTML report
    client.force_login(make_user("pm", role="panel", forces=[wm]))
    assert "DRAFT" not in _pdf_text(client.get(url))
    # the force's analyst sees the draft, marked
    client.force_login(make_user("ana", role="analyst", forces=[wm]))
    assert "DRAFT: includes 1 unpublished figure" in _pdf_text(client.get(url))
    html = client.get("/west-mercia/report/?period=2013-07&mode=exceptions").content.decode()
    assert "DRAFT: includes 1 unpublished figure" in html


def test_report_page_offers_html_and_pdf_downloads_and_compact_mode(demo, client):
    html = client.get("/west-mercia/report/?period=2013-06&mode=compact").content.decode()
    assert 'href="?period=2013-06&amp;mode=compact&amp;download=1" download>Download this report' in html
    # not a download link: a pack not yet built answers with its "being prepared" page (reports/packs.py)
    assert 'href="?period=2013-06&amp;mode=compact&amp;format=pdf">Download PDF' in html
    assert "Every measure at a glance" in html and "<script" not in html
    response = client.get("/west-mercia/report/?period=2013-06&format=docx")
    assert response.status_code == 400 and "format must be html or pdf" in response.content.decode()
