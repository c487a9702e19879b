"""The return review page (issue 15 item 3) in a real browser: an analyst
signs in, reviews a draft with a tenfold figure (old → new, the warning
beside it, the draft executive summary previewed), axe-core finds no WCAG
2.2 AA violation, and publishing needs both confirmations — the browser's
own required-checkbox check, no script of ours."""

import io
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db
HEADER = "force,indicator,month,value,numerator,denominator,status,note"


@pytest.fixture(scope="module")
def draft(site, django_db_blocker):
    """An analyst of West Mercia and their draft return: anti-social behaviour
    June 2013 typed as 47,670 (ten times 4,767), with a draft executive summary."""
    from django.core.management import call_command

    from indicators import models
    from tests.factories import make_user

    with django_db_blocker.unblock():
        force = models.Force.objects.get(slug="west-mercia")
        user = make_user("reviewer", role="analyst", forces=[force])
        user.set_password("a long enough password 15")
        user.save()
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "june.csv"
            path.write_text(f"{HEADER}\nwest-mercia,asb,2013-06,47670,,,final,\n", encoding="utf-8")
            call_command("import_return", str(path), "--user", "reviewer", stdout=io.StringIO())
        models.ExecutiveSummary.objects.filter(force=force, month=date(2013, 6, 1)).delete()
        models.ExecutiveSummary.objects.create(force=force, month=date(2013, 6, 1), state="draft",
                                               text="**Draft summary** for the quarter")
        return models.Return.objects.get(force=force, state="draft").pk


def sign_in(page, site, next_path):
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "a long enough password 15")
    page.click("input[type=submit]")


def test_review_page_passes_axe_and_publishes_only_when_confirmed(site, page, draft):
    review = f"/admin/indicators/return/{draft}/review/"
    sign_in(page, site, review)
    assert page.url.endswith(review)
    june = page.locator("tr", has=page.locator("th", has_text="June 2013"))
    assert "4,767" in june.inner_text() and "47,670" in june.inner_text()
    assert "Warning: 47,670 is more than 3×" in june.inner_text()
    assert page.locator(".draft-preview strong", has_text="Draft summary").is_visible()
    screenshot(page, "return-review")
    assert axe_violations(page) == []

    # the required checkboxes stop the form in the browser: nothing is posted
    page.get_by_role("button", name=f"Publish return #{draft}").click()
    assert page.url.endswith(review)
    assert page.get_by_role("heading", name="Publish", exact=True).is_visible()
    assert page.evaluate("document.querySelector('#accept-warnings').validity.valueMissing")

    page.get_by_label("I have checked these figures: they are right.").check()
    page.get_by_label("Publish these figures: they become public on the dashboard, the API and the panel "
                      "report.").check()
    page.get_by_role("button", name=f"Publish return #{draft}").click()
    page.wait_for_selector("text=What it published")
    assert "4,767 → 47,670" in page.content()
    assert axe_violations(page) == []


@pytest.mark.parametrize("name,path", [
    ("quarter-status", "/admin/indicators/return/status/?force=west-mercia&quarter=2013/14+Q1"),
    ("audit-trail", "/admin/indicators/return/audit/?force=west-mercia&indicator=asb"),
    ("import", "/admin/indicators/return/import/"),     # its breadcrumb links were told apart by colour alone
])
def test_status_and_audit_pages_pass_axe(site, page, draft, name, path):
    sign_in(page, site, path.replace("&", "%26").replace("?", "%3F"))
    assert page.url.endswith(path.split("?")[0]) or "?" in page.url
    assert page.locator("#content-main").is_visible()
    screenshot(page, name)
    assert axe_violations(page) == []
