"""The Welsh force's dashboard in Welsh, as a browser shows it (issue 31):
the document's language is cy, none of the catalogue's English shows (text
and the labels a screen reader reads), axe finds nothing, and the language
switch is a keyboard-reachable link that keeps the page and the period."""

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.welsh_catalogue import catalogue, english_shown

pytestmark = pytest.mark.django_db

WELSH = "/cy/dyfed-powys/"
PERIOD = "2024-05"

# What a reader meets: the text, and every label and title a screen reader may read
READ_ALL = """() => [document.title, document.body.innerText,
    ...Array.from(document.querySelectorAll('[aria-label],[title],[alt]'))
        .map(e => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('alt')].join(' '))
   ].join('\\n')"""


@pytest.mark.parametrize("width", [390, 1366])
def test_the_welsh_dashboard_is_in_welsh_and_axe_clean(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="cy-GB", bypass_csp=True)
    page = context.new_page()
    try:
        assert page.goto(site + WELSH).status == 200
        assert page.locator("html").get_attribute("lang") == "cy"
        assert page.locator("h1").inner_text() == "Cynllun Heddlu a Throseddu Dyfed-Powys 2021-2025"
        page.locator("details.key summary").click()          # the key's words too
        text = page.evaluate(READ_ALL)
        assert "Beth sydd angen sylw" in text and "Sut i ddarllen y tablau hyn" in text
        assert english_shown(text, catalogue()) == []
        # nothing in the Welsh demo falls back to English, so nothing is marked lang="en"
        assert page.locator('main [lang="en"]').count() == 0
        violations = axe_violations(page)
        screenshot(page, f"welsh-dashboard-{width}")
        assert violations == [], violations
    finally:
        context.close()


@pytest.mark.parametrize("path", ["indicators/all-crime/", "indicators/victim-satisfaction/", "areas/"])
def test_the_welsh_indicator_and_areas_pages_are_in_welsh_and_axe_clean(browser, site, path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="cy-GB", bypass_csp=True)
    page = context.new_page()
    try:
        assert page.goto(f"{site}{WELSH}{path}?period={PERIOD}").status == 200
        assert page.locator("html").get_attribute("lang") == "cy"
        assert english_shown(page.evaluate(READ_ALL), catalogue()) == []
        violations = axe_violations(page)
        screenshot(page, "welsh-" + path.strip("/").replace("/", "-"))
        assert violations == [], violations
    finally:
        context.close()


def test_the_switch_keeps_the_page_and_the_period_both_ways_by_keyboard(browser, site):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{site}/dyfed-powys/priorities/2/?period={PERIOD}")
        assert page.locator("html").get_attribute("lang") == "en-GB"
        switch = page.locator("nav.language-switch a")
        assert (switch.inner_text(), switch.get_attribute("lang"), switch.get_attribute("hreflang")) == (
            "Cymraeg", "cy", "cy")
        # reached with the keyboard: Tab until the switch has the focus, then Enter
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('nav.language-switch') !== null"):
                break
        else:
            raise AssertionError("the language switch is not reachable with Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{site}/cy/dyfed-powys/priorities/2/?period={PERIOD}"
        assert page.locator("html").get_attribute("lang") == "cy"
        assert page.locator("#period-select option[selected]").get_attribute("value") == PERIOD
        assert page.locator("h1").inner_text() == "2. Mae niwed yn cael ei atal"
        page.locator("nav.language-switch a").click()
        assert page.url == f"{site}/dyfed-powys/priorities/2/?period={PERIOD}"
        assert page.locator("#period-select option[selected]").get_attribute("value") == PERIOD
        assert page.locator("h1").inner_text() == "2. Harm is prevented"
    finally:
        context.close()


def test_a_welsh_speaking_browser_opens_the_welsh_force_in_welsh_and_other_forces_in_english(browser, site):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="cy-GB", bypass_csp=True,
                                  extra_http_headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    page = context.new_page()
    try:
        page.goto(f"{site}/dyfed-powys/?period={PERIOD}")
        assert page.url == f"{site}/cy/dyfed-powys/?period={PERIOD}"
        assert page.locator("html").get_attribute("lang") == "cy"
        page.goto(f"{site}/essex/")
        assert page.url == f"{site}/essex/" and page.locator("html").get_attribute("lang") == "en-GB"
    finally:
        context.close()
