"""Rule-based pagination of the panel pack (issue 29, item 4; report.css
@media print): on every demo force's full, exceptions and theme PDF no page
ends with a heading or a caption, and no table's notes, nor a definition, are
split across pages. Each PDF is built once for the module (about 20 s of CPU
for the nine)."""

import html as html_lib
import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.django_db

PACKS = [(force, period, mode, theme)
         for force, period in (("west-mercia", "2013-06"), ("essex", "2014-03"), ("leicestershire", "2014-06"))
         for mode, theme in (("full", None), ("exceptions", None), ("theme", 1))]
FOOTER = re.compile(r"Page \d+ of \d+\s*$")


def bare(text: str) -> str:
    """Text without tags, entities or any whitespace: a PDF wraps lines where the HTML does not."""
    return re.sub(r"\s+", "", html_lib.unescape(re.sub(r"<[^>]+>", "", text)))


@pytest.fixture(scope="module")
def packs(demo_data, django_db_blocker):
    from indicators.models import Force
    from reports.report import build_pdf, build_report

    built = {}
    with django_db_blocker.unblock():
        for force, period, mode, theme in PACKS:
            html = build_report(force=Force.objects.get(slug=force), period=date.fromisoformat(f"{period}-01"),
                                mode=mode, theme=theme)
            reader = PdfReader(BytesIO(build_pdf(html)))
            built[(force, mode)] = (html, [page.extract_text() for page in reader.pages])
    return built


def last_line(page: str) -> str:
    """The page's last line of text above its footer ("… Page n of m")."""
    lines = [line for line in page.splitlines() if line.strip()]
    while lines and FOOTER.search(lines[-1]):
        lines.pop()
    return bare(lines[-1]) if lines else ""


def page_of(pages: list[str], text: str, start: int = 0) -> list[int]:
    return [n for n, page in enumerate(pages) if text in page]


@pytest.mark.parametrize("force,mode", [(f, m) for f, _, m, _ in PACKS])
def test_no_page_ends_with_a_heading_or_caption(packs, force, mode):
    html, pages = packs[(force, mode)]
    headings = {bare(t) for t in re.findall(r"<(?:h[234]|figcaption|caption)\b(?![^>]*visually-hidden)[^>]*>(.*?)</(?:h[234]|figcaption|caption)>",
                                            html, re.S)} - {""}
    assert len(headings) > 5
    for number, page in enumerate(pages[:-1], start=1):
        end = last_line(page)
        # the last line is a whole heading, or the last line of one that wrapped
        hit = [h for h in headings if h == end or (len(end) >= 12 and h.endswith(end))]
        assert not hit, f"{force} {mode}: page {number} of {len(pages)} ends with the heading {hit[0]!r}"


@pytest.mark.parametrize("force,mode", [(f, m) for f, _, m, _ in PACKS])
def test_no_notes_or_definition_split_across_pages(packs, force, mode):
    html, pages = packs[(force, mode)]
    flat = [bare(page) for page in pages]
    blocks = []
    for notes in re.findall(r'<ol class="footnotes"[^>]*>(.*?)</ol>', html, re.S):
        blocks.append(("notes", [bare(t)[:40] for t in re.findall(r"<li\b[^>]*>(.*?)</li>", notes, re.S)]))
    for term, definition in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S):
        text = bare(definition)
        blocks.append(("definition", [bare(term) + text[:30], text[-30:]] if text else [bare(term)]))
    assert blocks
    for kind, parts in blocks:
        where = []
        for part in parts:
            found = [n for n, page in enumerate(flat) if part in page]
            assert found, f"{force} {mode}: {part!r} is not in the PDF's text"
            where.append(found)
        # some one page holds every part of the block
        assert set.intersection(*map(set, where)), f"{force} {mode}: a {kind} is split: {parts} on pages {where}"
