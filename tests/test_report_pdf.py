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
    assert 'fill="#b35c00"' in drawn and 'fill="#1d70b8"' in drawn
    for words in ("Special cause: concern", "Special cause: improvement", "Average", "Upper limit", "Lower limit"):
        assert f">{words}</text>" in drawn
    assert "font-family=\"Arial, &#x27;Liberation Sans&#x27;" in drawn and "style=" not in drawn
    assert len(drawn) < 15_000
    # a chart of three points is not drawn: its table is printed instead
    assert charts.spc_chart(next(r for r in plan_results(force, plan, date(2013, 6, 1), False).results.values()
                                 if r.indicator == "police-cadets")) is None


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
    contents = texts[0][texts[0].index("Contents"):]
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
    nested = next(o for o in outline if isinstance(o, list))
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
    assert response["Content-Disposition"] == 'attachment; filename="west-mercia-panel-report-2013-07-exceptions.pdf"'
    public = _pdf_text(response)
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
    assert 'href="?period=2013-06&amp;mode=compact&amp;format=pdf" download>Download PDF' in html
    assert "Every measure at a glance" in html and "<script" not in html
    response = client.get("/west-mercia/report/?period=2013-06&format=docx")
    assert response.status_code == 400 and "format must be html or pdf" in response.content.decode()
