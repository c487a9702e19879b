"""The admin home and the admin pages an analyst starts from (issue 28 item
8): the home links the grid, import, quarter status and audit trail with
this quarter's status for the user's force; the user page puts the forces
first, above the role and the permission picker; the returns list shows the
force's own returns first and those filed for MSG peers after them."""

import re

import pytest

from indicators import models
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(west_mercia, client):
    user = make_user("ana", role="analyst", forces=[west_mercia])
    client.force_login(user)
    return user


def test_the_home_shows_this_quarters_status_and_the_analysts_links(analyst, client):
    html = client.get("/admin/").content.decode()
    panel = html.split('class="module pccperf-home"')[1].split("</section>")[0]
    assert "<h3>West Mercia Police: 2013/14 Q2</h3>" in panel         # the quarter to file next, as the grid
    status = client.get("/admin/indicators/return/status/?force=west-mercia&quarter=2013/14+Q2").content.decode()
    complete = re.search(r"([0-9]+) of ([0-9]+) measures? complete", panel)
    assert complete and f"{complete.group(1)} of {complete.group(2)}" in status
    assert 'href="/admin/indicators/return/grid/?force=west-mercia&amp;quarter=2013%2F14+Q2"' in panel
    assert 'href="/admin/indicators/return/status/?force=west-mercia&amp;quarter=2013%2F14+Q2"' in panel
    assert 'href="/admin/indicators/return/import/"' in panel
    assert 'href="/admin/indicators/return/audit/?force=west-mercia"' in panel
    for link in re.findall(r'href="([^"]+)"', panel):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    assert "Essex" not in panel                                         # only the analyst's force


def test_a_panel_member_has_no_quarter_panel(west_mercia, client):
    client.force_login(make_user("pat", role="panel", forces=[west_mercia]))
    html = client.get("/admin/").content.decode()
    assert response_ok(html) and 'class="module pccperf-home"' not in html


def response_ok(html: str) -> bool:
    return "Returns, assessments and commentary" in html


def test_the_user_page_puts_the_forces_above_the_permission_picker(west_mercia, client):
    client.force_login(make_user("root", superuser=True))
    ana = make_user("ana", role="analyst", forces=[west_mercia])
    html = client.get(f"/admin/auth/user/{ana.pk}/change/").content.decode()
    forces = html.index('id="force_memberships-group"')
    assert forces < html.index('name="username"') < html.index('name="groups"') < html.index(
        'name="user_permissions"')
    assert html.count('id="force_memberships-group"') == 1
    assert "Individual permissions" in html
    response = client.post(f"/admin/auth/user/{ana.pk}/change/", {
        "username": "ana", "groups": list(ana.groups.values_list("pk", flat=True)), "is_active": "on",
        "is_staff": "on", "first_name": "", "last_name": "", "email": "",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
        "force_memberships-TOTAL_FORMS": "1", "force_memberships-INITIAL_FORMS": "1",
        "force_memberships-MIN_NUM_FORMS": "0", "force_memberships-MAX_NUM_FORMS": "1000",
        "force_memberships-0-id": ana.force_memberships.get().pk, "force_memberships-0-user": ana.pk,
        "force_memberships-0-force": west_mercia.pk})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_the_returns_list_shows_own_returns_first_and_peer_returns_after(west_mercia, client):
    peer = models.Force.objects.create(slug="peer-force", name="Aardvark Police")      # no plan, sorts first by name
    west_mercia.msg_peers.add(peer)
    west_mercia.files_for.add(peer)
    models.Return.objects.create(force=peer, period="2013/14 Q1")
    models.Return.objects.create(force=west_mercia, period="2013/14 Q2")
    user = make_user("ana", role="analyst", forces=[west_mercia])
    client.force_login(user)
    html = client.get("/admin/indicators/return/").content.decode()
    own = html.index("west-mercia 2013/14 Q2")
    filed = html.index("peer-force 2013/14 Q1")
    assert own < filed
