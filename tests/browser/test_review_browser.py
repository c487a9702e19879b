"""The return review page (issue 15 item 3) in a real browser: an analyst
signs in, reviews a draft with a tenfold figure (old → new, the warning
beside it, the draft executive summary previewed), axe-core finds no WCAG
2.2 AA violation, and publishing needs the one confirmation, "I have checked
these figures" — the browser's own required-checkbox check, no script of
ours. The grid's Save and publish shows the same step (issue 28, item 4)."""

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
    june = page.locator("tr[id^=figure-]", has=page.locator("th", has_text="June 2013"))
    assert "4,767" in june.inner_text() and "47,670" in june.inner_text()
    assert "Warning: 47,670 is more than 3×" in june.inner_text()
    assert page.locator(".draft-preview strong", has_text="Draft summary").is_visible()
    screenshot(page, "return-review")
    assert axe_violations(page) == []

    # Publish is at the top (issue 28, item 4), above the figures, with counts linking to what needs the tick
    top = page.locator("#publish")
    assert top.bounding_box()["y"] < page.get_by_role("heading", name="Figures: old → new").bounding_box()["y"]
    top.get_by_role("link", name="1 figure has a warning").click()
    assert page.url.endswith("#publish-warnings")

    # the one required checkbox stops the form in the browser: nothing is posted
    page.get_by_role("button", name=f"Publish return #{draft}").click()
    assert page.url.split("#")[0].endswith(review)
    assert page.get_by_role("heading", name="Publish", exact=True).is_visible()
    assert page.evaluate("document.querySelector('#checked-figures').validity.valueMissing")
    assert page.locator("#publish input[type=checkbox]").count() == 1

    page.get_by_label("I have checked these figures").check()
    page.get_by_role("button", name=f"Publish return #{draft}").click()
    page.wait_for_selector("text=What it published")
    assert "4,767 → 47,670" in page.content()
    assert axe_violations(page) == []


@pytest.fixture(scope="module")
def asb_may(site, django_db_blocker):
    """Anti-social behaviour's id and its published May 2013 figure, read
    before the server writes (a read in the test would lock SQLite's table)."""
    from indicators import models

    with django_db_blocker.unblock():
        ind = models.Indicator.objects.get(force__slug="west-mercia", code="asb")
        return ind.pk, models.Observation.objects.get(indicator=ind, month=date(2013, 5, 1), area=None).value


def test_the_grids_save_and_publish_shows_old_and_new_then_publishes_with_the_one_tick(site, page, draft, asb_may):
    """The grid's Save and publish of a changed published figure: the
    confirmation step (old → new, one tick) passes axe, then publishes."""
    ind, held = asb_may
    grid = "/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1"
    sign_in(page, site, grid.replace("&", "%26").replace("?", "%3F"))
    page.fill(f"#value-{ind}-2013-05", str(int(held) + 10))
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_load_state()
    step = page.locator("#publish-confirm")
    assert step.is_visible() and "Check before publishing:" in step.inner_text()
    changed = step.locator("#publish-changes tr", has_text="May 2013").inner_text()
    assert f"{held:,.0f}" in changed and f"{held + 10:,.0f}" in changed
    screenshot(page, "grid-publish-confirm")
    assert axe_violations(page) == []
    # without the tick: the same step again, nothing published
    step.get_by_role("button", name="Publish these figures").click()
    page.wait_for_load_state()
    assert page.locator("#publish-confirm").is_visible() and page.locator(".messagelist").count() == 0
    page.locator("#publish-confirm").get_by_label("I have checked these figures").check()
    page.locator("#publish-confirm").get_by_role("button", name="Publish these figures").click()
    page.wait_for_load_state()
    assert "published from" in page.locator(".messagelist").inner_text()
    assert page.input_value(f"#value-{ind}-2013-05") == str(int(held) + 10)


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
