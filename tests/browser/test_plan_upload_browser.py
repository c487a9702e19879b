"""*Load a plan file* in a real browser (issue "Current plans II"): an
administrator uploads the shared current-plan example, reads the preview
(axe-clean), confirms, and finds the load in the force's audit trail."""

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.factories import SHARED

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def administrator(site, django_db_blocker):
    from tests.factories import make_user

    with django_db_blocker.unblock():
        user = make_user("plan-admin", superuser=True)
        user.set_password("a long enough password 15")
        user.save()


def test_an_administrator_loads_a_plan_file_in_the_admin(site, page, administrator):
    page.goto(f"{site}/admin/login/?next=/admin/indicators/plan/")
    page.fill("#id_username", "plan-admin")
    page.fill("#id_password", "a long enough password 15")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Load a plan file").click()
    assert axe_violations(page) == []
    page.set_input_files("#id_file", str(SHARED / "examples" / "plan-current.yaml"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What loading plan-current.yaml would change").is_visible()
    changes = page.locator("ul.plan-changes li")
    assert changes.count() > 10
    assert changes.filter(has_text="New plan:").count() == 1
    assert axe_violations(page) == []
    screenshot(page, "plan-upload-preview")
    page.get_by_role("button", name="Load the plan").click()
    page.wait_for_load_state()
    message = page.locator(".messagelist").inner_text()
    assert message.startswith("Loaded plan-current.yaml:")
    assert "Northshire Police" in message      # (the plan list is Django's stock change list: not axe-checked here)
    page.goto(f"{site}/admin/indicators/return/audit/?force=northshire")
    trail = page.locator("#content-main").inner_text()
    assert "plan-admin loaded the plan file plan-current.yaml: Northshire Police and Crime Plan 2024-2029" in trail
    assert axe_violations(page) == []
