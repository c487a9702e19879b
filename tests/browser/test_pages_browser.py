"""Each page type in a real browser: it loads, its charts draw, axe-core finds
no WCAG 2.2 AA violation, nothing is fetched from another address, and a
screenshot is kept in tests/artifacts/ to look at."""

import pytest

from tests.browser.conftest import axe_violations, screenshot

# The mark makes pytest-django set up the test database even when only these
# tests run; the live server reads the demo loaded there.
pytestmark = pytest.mark.django_db

PAGES = [
    ("home", "/", 0),
    ("dashboard", "/west-mercia/", 0),
    ("priority", "/west-mercia/priorities/2/", 4),
    ("indicator", "/west-mercia/indicators/vwi/", 3),
    ("indicator-ratio", "/west-mercia/indicators/priority-response/", 2),
    ("dashboard-themes", "/leicestershire/", 0),
    ("dashboard-essex", "/essex/", 0),
    ("dashboard-attention", "/west-mercia/?show=attention", 0),
    ("indicator-msg", "/leicestershire/indicators/tomv/", 3),
    ("bad-period", "/essex/?period=2099-01", 0),
]


@pytest.mark.parametrize("name,path,charts", PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_draws_its_charts_and_passes_axe(site, page, name, path, charts):
    response = page.goto(site + path)
    assert response.status == (400 if name == "bad-period" else 200)
    if charts:
        page.wait_for_function(f"document.querySelectorAll('.chart-drawn svg.main-svg').length >= {charts}")
        assert page.locator(".chart-drawn").count() == charts
    screenshot(page, name)
    assert axe_violations(page) == []
    outside = [url for url in page.requests_seen if not url.startswith(site)]
    assert outside == []


def test_pages_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/west-mercia/priorities/2/")
    assert page.locator(".chart-drawn").count() == 0
    # the server's SVG stands in for each chart: none is blank without scripts
    assert page.locator("figure.chart svg.chart-svg").count() == page.locator("figure.chart").count() > 0
    assert page.locator("figure.chart svg.chart-svg").first.is_visible()
    page.get_by_text("Show the data in this chart").first.click()
    assert page.locator("figure.chart table").first.is_visible()
    page.select_option("#period-select", "2013-05")
    page.get_by_role("button", name="Show").click()
    assert "period=2013-05" in page.url
    assert page.get_by_text("2013/14 to the end of May 2013").is_visible()
    context.close()


def test_summary_counts_filter_the_tables_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/west-mercia/?period=2013-06")
    page.locator("a.count-link", has_text="Red").click()
    assert "rating=red" in page.url
    assert page.get_by_text("Showing 1 measure: red.").is_visible()
    names = page.locator("table.measures tbody th.col-name").all_inner_texts()
    assert set(names) == {"Reduce the percentage of victims and witnesses who attend court unnecessarily "
                          "(ratio of trials to unnecessary witness attendance)"}, names
    page.get_by_role("link", name="Show every measure").first.click()
    assert "rating" not in page.url
    context.close()


def test_keyboard_reaches_the_skip_link_then_the_content(site, page):
    page.goto(site + "/west-mercia/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_period_selector_changes_the_dashboard(site, page):
    page.goto(site + "/west-mercia/")
    page.select_option("#period-select", "2013-04")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("2013/14 to the end of April 2013").is_visible()


@pytest.mark.parametrize("path", ["/west-mercia/priorities/2/", "/west-mercia/indicators/all-crime/?period=2013-06"])
def test_charts_draw_under_the_content_security_policy(site, browser, path):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    response = page.goto(site + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("document.querySelectorAll('.chart-drawn svg.main-svg').length >= 4")
    assert [e for e in errors if "Content Security Policy" in e] == []
    context.close()
