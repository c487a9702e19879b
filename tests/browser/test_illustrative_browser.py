"""Illustrative figures and the verdicts built on them, as a panel member
sees them (issue 24, item 4). Leicestershire's demo months are generated
(monthly splits of its published totals, and every earlier year), so its
SPC verdicts rest on invented figures: "Getting worse, unusual rise" for
domestic burglary, where the real pack said "very steady". Each such verdict
carries the word "illustrative" beside it, on the page and in the API."""

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db

LEICS = "/leicestershire/"


def api(page, site, path):
    response = page.request.get(site + path)
    assert response.ok, path
    return response.json()


@pytest.mark.parametrize("width", [390, 1366])
def test_leicestershire_dashboard_marks_every_verdict_built_on_an_illustrative_figure(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    try:
        assert page.goto(site + LEICS).status == 200
        period = page.locator("#period-select option[selected]").get_attribute("value")
        listed = {i["indicator"]: i for i in api(page, site, f"/api/forces/leicestershire/indicators/?period={period}")
                  ["indicators"]}
        assert listed["domestic-burglary"]["illustrative"] is True

        rows = page.locator("table.measures tbody tr")
        checked = 0
        for k in range(rows.count()):
            row = rows.nth(k)
            href = row.locator("th a").get_attribute("href")
            code = href.split("/indicators/")[1].split("/")[0]
            variation = row.locator("td.col-variation")
            if listed[code]["spc"]["variation"] is not None:
                # the SPC verdict of every measure here rests on generated months
                assert variation.locator(".tag-illustrative").count() == 1, code
                assert "illustrative" in variation.inner_text()
                checked += 1
            if not listed[code]["illustrative"]:
                assert row.locator(".tag-illustrative").count() == 0, code
        assert checked >= 10

        burglary = page.locator("table.measures tbody tr", has=page.locator('a[href*="/indicators/domestic-burglary/"]'))
        assert "illustrative" in burglary.first.locator("td.col-variation").inner_text()

        # every line of both lists whose verdict the figures gave (a test, SPC, a missed target) says it
        # rests on generated figures; an analyst's published rating is theirs, not the figures'
        computed = ("significant", "unusual", "misses its target")
        marked = 0
        for heading in ("attention-heading", "improved-heading"):
            items = page.locator(f'section[aria-labelledby="{heading}"] li')
            assert items.count() >= 1
            for k in range(items.count()):
                text = items.nth(k).inner_text()
                tags = items.nth(k).locator(".tag-illustrative").count()
                assert tags == (1 if any(word in text for word in computed) else 0), text
                marked += tags
        assert marked >= 5
        state = page.locator("dt:text-is('State of the data') + dd").inner_text()
        assert "figures illustrative" in state
        # the key says what the word means
        page.locator("details.key summary").first.click()
        assert "built on figures generated for the demo" in page.locator("details.key").first.inner_text()
        screenshot(page, f"illustrative-leicestershire-{width}")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_the_indicator_page_marks_each_generated_month_and_the_spc_reading(page, site):
    assert page.goto(site + "/leicestershire/indicators/domestic-burglary/").status == 200
    spc = page.locator('section[aria-labelledby="spc-heading"]')
    assert spc.locator(".tag-illustrative").count() == 1
    assert spc.inner_text().count("Illustrative: these limits and this reading are built on figures generated") == 1
    period = page.locator("#period-select option[selected]").get_attribute("value")
    data = api(page, site, f"/api/forces/leicestershire/indicators/domestic-burglary/?period={period}")
    assert data["illustrative"] is True
    generated = {m["month"] for m in data["monthly"] if m["illustrative"]}
    assert generated and len(generated) < len(data["monthly"]) + 1
    rows = page.locator("#monthly-region tbody tr")
    marked = sum(rows.nth(k).locator(".tag-demo").count() for k in range(rows.count()))
    assert marked >= len(generated)
    assert axe_violations(page) == []
