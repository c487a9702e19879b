"""The exported panel report in a real browser: offline it makes no request,
its charts (server-drawn SVG) show with or without scripts, axe-core finds
nothing, and it prints to sensible A4 PDF."""

import re

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def report_file(site, browser, tmp_path_factory):
    context = browser.new_context()
    response = context.request.get(site + "/west-mercia/report/?period=2013-06&mode=full&download=1")
    assert response.status == 200
    path = tmp_path_factory.mktemp("report") / "west-mercia.html"
    path.write_bytes(response.body())
    context.close()
    return path


@pytest.fixture
def offline_page(browser):
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.requests_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    context.close()


def test_report_opened_offline_makes_no_request_and_shows_its_charts(report_file, offline_page):
    page = offline_page
    page.goto(report_file.as_uri())
    assert [url for url in page.requests_seen if not url.startswith("file://")] == []
    charts = page.locator("svg.chart-svg[role=img]")
    assert charts.count() == 34
    box = charts.first.bounding_box()
    assert box["width"] > 500 and box["height"] > 150           # drawn at a readable size
    # each chart's table is folded under it, one click away
    assert page.locator("figure.chart details.chart-data[open]").count() == 0
    screenshot(page, "report")


def test_report_passes_axe(report_file, browser):
    # The file's policy runs no script at all (script-src 'none'), so axe-core
    # can only be injected with the policy bypassed, as a browser extension would be.
    context = browser.new_context(offline=True, bypass_csp=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(report_file.as_uri())
    assert axe_violations(page) == []
    context.close()


def test_report_without_scripts_shows_every_chart(report_file, browser):
    context = browser.new_context(java_script_enabled=False, offline=True)
    page = context.new_page()
    page.goto(report_file.as_uri())
    charts = page.locator("figure.chart").count()
    assert charts == 46           # no SPC chart under four points (SPEC §3)
    drawn = page.locator("figure.chart svg.chart-svg").count()
    tables = page.locator("figure.chart .chart-table-only table").count()
    assert (drawn, tables) == (34, 12)         # a chart of fewer than four values is its table
    assert all(page.locator("figure.chart svg.chart-svg").nth(k).is_visible() for k in (0, drawn - 1))
    context.close()


def test_report_prints_to_a4_with_a_sensible_page_count(report_file, offline_page):
    page = offline_page
    page.goto(report_file.as_uri())
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    # cover, contents and summary, four aims of measures and charts, two appendices
    assert 15 <= pages <= 60, pages
    assert pdf[:4] == b"%PDF"


def test_report_policy_stops_any_other_request(report_file, browser, tmp_path):
    """The file's Content-Security-Policy: its inline styles and SVG charts
    show untroubled, and an image from elsewhere (as if one slipped into the
    commentary) is blocked before any request leaves."""
    html = report_file.read_text(encoding="utf-8").replace(
        '<main id="main">', '<main id="main"><img id="leak" src="http://tracker.example.com/pixel.gif" alt="">', 1)
    leaky = tmp_path / "leaky.html"
    leaky.write_text(html, encoding="utf-8")
    context = browser.new_context()            # online: only the policy stands in the way
    page = context.new_page()
    requests, blocked = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: blocked.append((request.url, request.failure)))
    page.add_init_script("window.__violations = [];"
                         "document.addEventListener('securitypolicyviolation',"
                         " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
    page.goto(leaky.as_uri())
    assert page.locator("svg.chart-svg").count() == 34
    # chromium reports the attempt, and stops it itself: it never reaches the network
    assert [url for url in requests if not url.startswith("file://")] == ["http://tracker.example.com/pixel.gif"]
    assert blocked == [("http://tracker.example.com/pixel.gif", "csp")]
    violations = page.evaluate("window.__violations")
    assert violations == ["img-src http://tracker.example.com/pixel.gif"]
    context.close()
