"""The local-area pages (issue 18) in a real browser: they load, the area
page's charts draw, axe-core finds no WCAG 2.2 AA violation, nothing is
fetched from another address, and ordering works without JavaScript."""

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db

PAGES = [
    ("areas-essex", "/essex/areas/", 0),
    ("area-essex", "/essex/areas/E07000070/", 8),        # Chelmsford: 4 measures, a trend and an SPC chart each
    ("areas-essex-by-name", "/essex/areas/?sort=name", 0),
]


@pytest.mark.parametrize("name,path,charts", PAGES, ids=[p[0] for p in PAGES])
def test_area_pages_load_draw_and_pass_axe(site, page, name, path, charts):
    response = page.goto(site + path)
    assert response.status == 200
    if charts:
        page.wait_for_function(f"document.querySelectorAll('.chart-drawn svg.main-svg').length >= {charts}")
        assert page.locator(".chart-drawn").count() == charts
    screenshot(page, name)
    assert axe_violations(page) == []
    assert [url for url in page.requests_seen if not url.startswith(site)] == []


def test_areas_order_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/essex/areas/")
    page.get_by_role("link", name="area name, A to Z").click()
    assert "sort=name" in page.url
    first = page.locator("table.areas-table tbody tr th").first.inner_text()
    assert first == "Basildon"
    context.close()
