"""The exported panel report in a real browser: offline it makes no request,
its charts draw, axe-core finds nothing, and it prints to sensible A4 PDF."""

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


def test_report_opened_offline_makes_no_request_and_draws_its_charts(report_file, offline_page):
    page = offline_page
    page.goto(report_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.chart-drawn svg.main-svg').length >= 40")
    assert [url for url in page.requests_seen if not url.startswith("file://")] == []
    # once drawn, each chart's table folds away; without scripts it stays open
    assert page.locator("details[data-close-when-drawn][open]").count() == 0
    screenshot(page, "report")


def test_report_passes_axe(report_file, offline_page):
    offline_page.goto(report_file.as_uri())
    offline_page.wait_for_function("document.querySelectorAll('.chart-drawn').length >= 40")
    assert axe_violations(offline_page) == []


def test_report_without_scripts_shows_every_chart_as_a_table(report_file, browser):
    context = browser.new_context(java_script_enabled=False, offline=True)
    page = context.new_page()
    page.goto(report_file.as_uri())
    charts = page.locator("figure.chart").count()
    assert charts >= 40           # no SPC chart under four points (SPEC §3)
    assert page.locator("figure.chart details[open] table").count() == charts
    context.close()


def test_report_prints_to_a4_with_a_sensible_page_count(report_file, offline_page):
    page = offline_page
    page.goto(report_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.chart-drawn').length >= 40")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    # cover, contents and summary, four aims of measures and charts, two appendices
    assert 15 <= pages <= 60, pages
    assert pdf[:4] == b"%PDF"


def test_report_policy_lets_its_charts_draw_and_stops_any_other_request(report_file, browser, tmp_path):
    """The file's Content-Security-Policy: its own inline scripts and styles
    run untroubled, and an image from elsewhere (as if one slipped into the
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
    page.wait_for_function("document.querySelectorAll('.chart-drawn svg.main-svg').length >= 40")
    # chromium reports the attempt, and stops it itself: it never reaches the network
    assert [url for url in requests if not url.startswith("file://")] == ["http://tracker.example.com/pixel.gif"]
    assert blocked == [("http://tracker.example.com/pixel.gif", "csp")]
    violations = page.evaluate("window.__violations")
    assert violations == ["img-src http://tracker.example.com/pixel.gif"]
    context.close()
