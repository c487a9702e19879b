"""Every page type at a phone's width (390 px) and a laptop's (1366 px): the
page never scrolls sideways, axe-core finds nothing, each measure's name, YTD,
rating and change are on screen, and every scrolling region takes the
keyboard focus. Screenshots at 390 px go to tests/artifacts/ to look at."""

import json
import os

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", "/"),
    ("dashboard", "/west-mercia/?period=2013-06"),
    ("dashboard-themes", "/leicestershire/"),
    ("priority", "/west-mercia/priorities/2/?period=2013-06"),
    ("indicator", "/west-mercia/indicators/vwi/?period=2013-06"),
    ("indicator-msg", "/leicestershire/indicators/tomv/"),
    ("report", "/west-mercia/report/?period=2013-06&mode=full"),
    ("admin-login", "/admin/login/"),
    ("local-areas", "/essex/areas/?period=2014-03"),
    ("local-area", "/essex/areas/E07000066/?period=2014-03"),
    ("api-docs", "/api/docs/"),
]
WIDTHS = [390, 1366]
# Where the figures of a run are written, for the closing note (optional).
FIGURES = os.environ.get("PCCPERF_SMALL_SCREEN_FIGURES")


@pytest.fixture
def sized_page(browser, request):
    width = request.param

    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 900},
                                  locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.width = width
    yield page
    context.close()


def _record(name, width, **figures):
    if FIGURES:
        with open(FIGURES, "a", encoding="utf-8") as out:
            out.write(json.dumps({"page": name, "width": width, **figures}) + "\n")


def _wait_for_charts(page):
    if page.locator("[data-chart]").count():
        page.wait_for_function("document.querySelectorAll('[data-chart]').length"
                               " === document.querySelectorAll('.chart-drawn').length")


def _measure_cells_on_screen(page) -> list[str]:
    """The measures whose name, YTD, change or rating cell lies outside the
    viewport's width (or is hidden), sampled from every measures table."""
    return page.evaluate("""() => {
      const out = [];
      const w = window.innerWidth;
      for (const row of document.querySelectorAll('table.measures tbody tr')) {
        const name = row.querySelector('th.col-name');
        if (!name) continue;
        for (const cls of ['col-name', 'col-ytd', 'col-change_pct', 'col-rating', 'col-rag']) {
          const cell = row.querySelector('.' + cls);
          if (!cell) continue;
          const box = cell.getBoundingClientRect();
          if (box.width === 0 || box.left < 0 || box.right > w + 0.5) out.push(name.textContent.trim() + ' ' + cls);
        }
      }
      return out;
    }""")


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("name,path", PAGES, ids=[p[0] for p in PAGES])
def test_no_sideways_scroll_and_no_axe_violation(site, sized_page, name, path):
    page = sized_page
    response = page.goto(site + path)
    assert response.status == 200
    _wait_for_charts(page)
    # a drawn chart fits the viewport (plotly's responsive layout, the container's width)
    assert page.evaluate("[...document.querySelectorAll('.chart-drawn svg.main-svg')]"
                         ".every(s => s.getBoundingClientRect().right <= window.innerWidth + 0.5)")
    if page.width < 500:
        screenshot(page, f"small-{name}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    violations = axe_violations(page)
    off_screen = _measure_cells_on_screen(page)
    _record(name, page.width, scroll_width=scroll_width, inner_width=inner_width,
            axe=len(violations), axe_ids=sorted({v["id"] for v in violations}), off_screen=len(off_screen))
    assert scroll_width <= inner_width, f"{name} scrolls sideways at {page.width}px: {scroll_width} > {inner_width}"
    assert violations == []
    assert off_screen == []
    if page.locator("table.measures").count():
        _assert_ratings_are_words_and_figures_are_named(page)


def _assert_ratings_are_words_and_figures_are_named(page):
    """A rating or RAG is a shape and a word, never a colour alone; on a
    phone each figure in a card says what it is (its column's name)."""
    badges = page.evaluate("""() => [...document.querySelectorAll('table.measures .rag')]
        .filter(b => b.getBoundingClientRect().width > 0)
        .map(b => ({shape: (b.querySelector('.rag-shape') || {}).textContent || '', text: b.innerText}))""")
    assert badges
    for badge in badges:
        assert badge["shape"].strip() and any(ch.isalpha() for ch in badge["text"]), badge
    if page.width < 500:
        labels = page.evaluate("""() => {
          const row = document.querySelector('table.measures tbody tr');
          return ['col-ytd', 'col-change_pct', 'col-rag'].map(
            c => getComputedStyle(row.querySelector('.' + c), '::before').content);
        }""")
        assert [label.split(" / ")[0] for label in labels] == ['"YTD"', '"Change"', '"RAG"'], labels


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("name,path", PAGES, ids=[p[0] for p in PAGES])
def test_every_scrolling_region_is_named_and_reached_by_tab(site, sized_page, name, path):
    """Any element that scrolls sideways is a named region the Tab key stops
    on (the monthly table on a phone, at least)."""
    page = sized_page
    page.goto(site + path)
    _wait_for_charts(page)
    regions = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.scrollWidth > el.clientWidth + 1
                      && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
        .map(el => ({id: el.id, role: el.getAttribute('role'),
                     label: el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'),
                     tabindex: el.getAttribute('tabindex')}))""")
    if name == "indicator" and page.width < 500:
        assert regions, "the monthly table should scroll inside its own region on a phone"
    for region in regions:
        assert region["role"] == "region" and region["label"] and region["tabindex"] == "0", region
        assert region["id"], f"a scrolling region needs an id for this test: {region}"
        # from the last control before the region, one Tab lands on it
        page.evaluate("""id => {
          const region = document.getElementById(id);
          const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
            .filter(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length && !region.contains(el)
                          && (el.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_FOLLOWING));
          const previous = controls[controls.length - 1];
          if (previous) { previous.focus(); } else { document.activeElement.blur(); }
        }""", region["id"])
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == region["id"], f"Tab does not reach {region}"
        # once focused, the arrow keys scroll it
        before = page.evaluate(f"document.getElementById('{region['id']}').scrollLeft")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"document.getElementById('{region['id']}').scrollLeft > {before}")
