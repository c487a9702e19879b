"""Essex's quarter with its districts in a real browser (issue 28 items 5, 6
and 8): the analyst starts at the admin home, follows its import link, the
page offers the wide template for the quarter to file (2014/15 Q2), they
download it, fill the force sheet and Basildon's sheet, upload once, read a
preview naming the district and land on the return's review page. axe-core
finds no WCAG 2.2 AA violation on the home, the import page and its
preview."""

import time

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough password 15"


@pytest.fixture(scope="module")
def essex_analyst(site, django_db_blocker):
    from indicators import models
    from tests.factories import make_user

    with django_db_blocker.unblock():
        user = make_user("essex-analyst", role="analyst", forces=[models.Force.objects.get(slug="essex")])
        user.set_password(PASSWORD)
        user.save()
        return user.username


def sign_in(page, site, username, next_path):
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def column(sheet, name):
    return next(c.column for c in sheet[1] if c.value == name)


def row_of(sheet, code):
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == code)


def test_essex_quarter_with_districts_in_one_upload(site, page, essex_analyst, tmp_path):
    from indicators import models

    loads, actions, started = [], 0, time.perf_counter()
    page.on("load", lambda _: loads.append(page.url))
    sign_in(page, site, essex_analyst, "/admin/")
    actions += 3                                                      # username, password, Log in
    assert page.url.endswith("/admin/")
    panel = page.locator(".pccperf-home")
    assert "Essex Police: 2014/15 Q2" in panel.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "admin-home")

    page.click(".pccperf-home a:has-text('Import a file')")
    actions += 1
    assert page.url.endswith("/admin/indicators/return/import/")
    assert page.locator("#pick-quarter").input_value() == "2014/15 Q2"
    assert page.locator("#pick-format").input_value() == "wide"
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.click("input[value='Download template']")
    actions += 1
    path = tmp_path / "essex.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "essex-quarter-2014-15-Q2.xlsx"

    book = load_workbook(path)
    force, basildon = book["Quarter"], book["Basildon"]
    force.cell(row_of(force, "all-crime"), column(force, "2014-07 value")).value = 9876
    basildon.cell(row_of(basildon, "all-crime"), column(basildon, "2014-07 value")).value = 412
    basildon.cell(row_of(basildon, "vehicle-crime"), column(basildon, "2014-09 value")).value = 57
    book.save(path)

    page.set_input_files("#id_file", str(path))
    page.click("input[value='Check the file']")
    actions += 2
    table = page.locator("table", has=page.locator("caption", has_text="New and changed figures")).inner_text()
    assert "essex all-crime Basildon 2014-07: 412" in table
    assert "essex vehicle-crime Basildon 2014-09: 57" in table
    assert "essex all-crime 2014-07: 9,876" in table
    assert "E07000066" not in table
    assert axe_violations(page) == []
    page.click("input[value='Import']")
    actions += 1
    assert "/review/" in page.url
    print(f"\nEssex's quarter with a district through the wide template, from sign-in to its review page: "
          f"{len(loads)} page loads, {actions} actions (filling the workbook aside), "
          f"{time.perf_counter() - started:.1f} s with axe runs")
    assert len(loads) <= 6 and actions <= 8
    ret = models.Return.objects.get(force__slug="essex", state="draft")
    assert page.url.endswith(f"/admin/indicators/return/{ret.pk}/review/")
    lines = {(line.indicator.code, line.area.name if line.area else "", line.month.isoformat()): line.value
             for line in ret.lines.select_related("indicator", "area")}
    assert lines == {("all-crime", "", "2014-07-01"): 9876, ("all-crime", "Basildon", "2014-07-01"): 412,
                     ("vehicle-crime", "Basildon", "2014-09-01"): 57}
