"""axe-core on the admin pages issue 27 and 28 touched that other browser
tests do not open: the user page with force membership at the top, the
commentary and executive summary forms that take a month as a month, the
operators' jobs list, and a big file's progress page."""

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough password 15"


@pytest.fixture(scope="module")
def people(site, django_db_blocker):
    from indicators import models
    from jobs.models import Job
    from tests.factories import make_user

    with django_db_blocker.unblock():
        root = make_user("axe-root", superuser=True)
        root.set_password(PASSWORD)
        root.save()
        analyst = make_user("axe-analyst", role="analyst", forces=[models.Force.objects.get(slug="west-mercia")])
        Job.objects.create(kind="pack", key="k1", label="West Mercia Police panel pack, 2013-06, full, PDF",
                           status=Job.FAILED, error="OSError: no space left on device")
        Job.objects.create(kind="pack", key="k2", label="Essex Police panel pack, 2014-03, full, PDF",
                           status=Job.RUNNING, done=2, total=3, stage="writing the PDF (31 pages)")
        return {"root": root.username, "analyst": analyst.pk}


def test_touched_admin_pages_have_no_axe_violations(site, page, people):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", people["root"])
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    pages = {
        "user page": f"/admin/auth/user/{people['analyst']}/change/",
        "commentary form": "/admin/indicators/commentary/add/?month=2013-09",
        "executive summary form": "/admin/indicators/executivesummary/add/",
        "jobs list": "/admin/jobs/job/",
        "stored packs": "/admin/jobs/storedpack/",
    }
    for name, path in pages.items():
        response = page.goto(site + path)
        assert response.status == 200, (name, response.status)
        found = axe_violations(page)
        assert found == [], (name, [(v["id"], v.get("nodes")) for v in found])
    page.goto(site + pages["jobs list"])
    text = page.locator("#result_list").inner_text()
    assert "OSError: no space left on device" in text and "writing the PDF (31 pages); 2 of 3 (67%)" in text
    screenshot(page, "admin-jobs")
    page.goto(site + pages["user page"])
    first = page.locator("#content-main fieldset, #content-main .inline-group").first.inner_text()
    assert "force" in first.lower()                       # membership first, above the permission picker
