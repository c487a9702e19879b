"""The API's documentation page (issue 30) in a real browser: it loads under
the site's CSP with no script and nothing fetched from another address, and
axe-core finds no WCAG 2.2 AA violation. A screenshot is kept in
tests/artifacts/api-docs.png."""

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db


def test_api_docs_page_passes_axe_with_nothing_from_elsewhere(site, page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    response = page.goto(site + "/api/docs/")
    assert response.status == 200
    assert page.locator("h1").inner_text().startswith("pccperf API")
    assert page.locator("section h2 code").count() == 7
    screenshot(page, "api-docs")
    assert axe_violations(page) == []
    assert [url for url in page.requests_seen if not url.startswith(site)] == []
    assert errors == []                  # no CSP refusal
