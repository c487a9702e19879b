"""Every demo force's full, exceptions and theme PDF, checked as a committee
paper (issue 29): it opens with the cover report and has the Making Data
Count summary; rule-based pagination (item 4; report.css @media print): no
page ends with a heading or a caption, and no table's notes, nor a
definition, are split across pages; no internal words (item 5) and no glyph
from a fallback font; and the PDF/UA-1 structure (item 6). Each PDF is built
once for the module (about 20 s of CPU for the nine)."""

import html as html_lib
import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.django_db

# each force's theme pack is its first area of focus with measures (Essex's first has none: its 26 local
# priorities are for the districts)
PACKS = [(force, period, mode, theme if mode == "theme" else None)
         for force, period, theme in (("west-mercia", "2013-06", 1), ("essex", "2014-03", 2),
                                      ("leicestershire", "2014-06", 1))
         for mode in ("full", "exceptions", "theme")]
FOOTER = re.compile(r"Page \d+ of \d+\s*$")
FORCE_NAMES = {"west-mercia": "West Mercia Police", "essex": "Essex Police", "leicestershire": "Leicestershire Police"}


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
            pdf = build_pdf(html)
            reader = PdfReader(BytesIO(pdf))
            built[(force, mode)] = (html, [page.extract_text() for page in reader.pages], pdf)
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
    html, pages, _ = packs[(force, mode)]
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
    html, pages, _ = packs[(force, mode)]
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


# What each demo meeting's front sheet says (fixtures/demo/*.data.yaml, from the seeds' own front sheets).
FRONT_SHEETS = {
    "west-mercia": ["Agenda item 8", "The Police and Crime Commissioner for West Mercia",
                    "Members of the Panel are invited to consider the report.",
                    "Treasury management strategy 2013/14", "To the end of June the measures in the plan"],
    "leicestershire": ["The Police and Crime Commissioner and the Chief Constable",
                       "The Panel are recommended to note the contents of the report."],
    "essex": ["The Police and Crime Commissioner",
              "The Panel is invited to note the report and to comment on the performance it shows."],
}


@pytest.mark.parametrize("force,mode", [(f, m) for f, _, m, _ in PACKS])
def test_each_pack_opens_with_the_cover_report_and_has_the_mdc_summary(packs, force, mode):
    html, pages, _ = packs[(force, mode)]
    first = bare(pages[0])
    # (the kicker is printed in capitals)
    assert first.lower().startswith(bare(f"{FORCE_NAMES[force]}: Police and Crime Panel").lower()), pages[0][:200]
    assert bare("1. Purpose of the report") in first and bare("2. Background") in first
    words = bare(" ".join(pages))
    cover = words[:words.index(bare("Contents and appendices"))]
    assert bare("Recommendation") in cover
    for said in FRONT_SHEETS[force]:
        assert bare(said) in cover, (force, mode, said)
    # the performance report follows the cover, on a page of its own
    contents = next(n for n, page in enumerate(pages) if "Contents and appendices" in page)
    attention = next(n for n, page in enumerate(pages) if n > contents and "What needs attention" in page)
    assert attention == contents + 1 and "Purpose of the report" not in pages[attention]
    # the Making Data Count summary, with its variation and assurance columns
    assert bare("Variation and assurance at a glance") in words
    if 'class="data compact mdc-summary"' in html:
        assert re.search(r"<th scope=\"col\">Variation</th><th scope=\"col\">Assurance</th>", html)
    else:
        assert mode == "exceptions" and "No measure that needs attention has enough monthly figures" in html


@pytest.mark.parametrize("force,mode", [(f, m) for f, _, m, _ in PACKS])
def test_each_pack_has_no_internal_words_and_no_fallback_glyph(packs, force, mode):
    from tests.test_public_words import internal_words

    html, pages, pdf = packs[(force, mode)]
    assert not internal_words(html), internal_words(html)[:3]
    assert not internal_words(" ".join(pages)), internal_words(" ".join(pages))[:3]
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in PdfReader(BytesIO(pdf)).pages for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"Liberation-Sans", "Liberation-Sans-Bold", "Liberation-Sans-Italic",
                     "Liberation-Sans-BoldItalic"}, fonts


def _elements(node, out):
    """The structure tree's elements, depth first, as (type, element)."""
    node = node.get_object()
    if isinstance(node, dict) and "/S" in node:
        out.append((str(node["/S"]), node))
    kids = node.get("/K") if isinstance(node, dict) else None
    for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
        if isinstance(kid.get_object(), dict):
            _elements(kid, out)
    return out


@pytest.mark.parametrize("force,mode", [(f, m) for f, _, m, _ in PACKS])
def test_each_pack_is_tagged_pdf_ua_1_with_language_title_and_bookmarks(packs, force, mode):
    """What PDF/UA-1 (ISO 14289-1) asks that a program can check, read from the
    file itself (docs/decisions.md, "Accessible PDF"): identification, language,
    title shown by the viewer, a structure tree that holds every page's content,
    headings in order, every figure with alternative text, table cells tied to
    their headers, and the bookmarks."""
    html, pages, pdf = packs[(force, mode)]
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp                                        # identified as PDF/UA-1
    assert root["/Lang"] == "en-GB"
    title = html_lib.unescape(re.search(r"<title>(.*?)</title>", html).group(1))
    assert reader.metadata.title == title and f">{html_lib.escape(title, quote=False)}<" in xmp
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean object)
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    tree = root["/StructTreeRoot"]
    elements = _elements(tree, [])
    kinds = [kind for kind, _ in elements]
    assert kinds[0] == "/Document" and kinds.count("/H1") == 1
    # every page's marked content belongs to the tree (its entry in the parent tree)
    parents = tree["/ParentTree"]["/Nums"]
    keys = set(parents[0::2])
    assert all(page["/StructParents"] in keys for page in reader.pages)
    # headings never skip a level going down (h1, h2, h3, h4)
    levels = [int(kind[2]) for kind in kinds if re.fullmatch(r"/H[1-6]", kind)]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    # charts: figures with alternative text; tables: header cells and data cells tied to them
    figures = [e for kind, e in elements if kind == "/Figure"]
    assert len(figures) >= html.count("<svg ") and all(str(e.get("/Alt", "")).strip() for e in figures)
    cells = [e for kind, e in elements if kind == "/TD"]
    assert cells and "/TH" in kinds
    tied = [e for e in cells if e.get("/A") and e["/A"].get("/Headers")]
    assert len(tied) / len(cells) > 0.9
    # bookmarks: the cover's sections and each part of the report, as its headings
    outline = [o.title for o in reader.outline if not isinstance(o, list)]
    assert outline[0].endswith("performance report") and "1. Purpose of the report" in outline
    assert "What needs attention" in outline and "Appendix A: definitions and sources" in outline


@pytest.mark.parametrize("force,mode", [(f, m) for f, _, m, _ in PACKS])
def test_every_spc_chart_of_each_pack_is_in_mdc_colours(packs, force, mode):
    """Item 3 over every pack: each SPC chart's lines and legend in Making Data Count's colours."""
    from tests.test_report_mdc import _spc_figures, assert_mdc_lines

    html, _, _ = packs[(force, mode)]
    figures = _spc_figures(html)
    assert len(figures) == html.count('aria-labelledby="spc-')
    for chart_id, drawn in figures.items():
        assert_mdc_lines(chart_id, drawn)
