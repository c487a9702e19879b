"""The login throttle behind reverse proxies (issue 23 item 4, issue 24 item 6):
with TRUSTED_PROXY_COUNT set, django-axes counts failed logins by the
client's address from X-Forwarded-For, so one user's lockout does not lock
everyone behind the same proxy, and a forged entry does not escape it."""

import io

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from pccperf.proxies import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"          # every request reaches gunicorn from the proxy
ALICE = "203.0.113.5"       # two people behind it
BOB = "198.51.100.7"


def _via_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def _fail_until_locked(client: Client, username: str = "ana") -> None:
    for _ in range(4):
        assert client.post("/admin/login/", {"username": username, "password": "wrong"}).status_code == 200
    assert client.post("/admin/login/", {"username": username, "password": "wrong"}).status_code == 429


def _signs_in(client: Client, username: str = "ana") -> bool:
    response = client.post("/admin/login/", {"username": username, "password": "pw", "next": "/admin/"})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.fixture
def ana(db):
    return make_user("ana", superuser=True)


def test_two_clients_behind_one_proxy_are_locked_out_separately(ana, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail_until_locked(_via_proxy(ALICE))
    assert _signs_in(_via_proxy(BOB))                      # the same username, another client
    assert _via_proxy(ALICE).post("/admin/login/", {"username": "ana", "password": "pw"}).status_code == 429


def test_a_forged_forwarded_for_entry_does_not_escape_the_lockout(ana, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail_until_locked(_via_proxy(ALICE))
    # The client sends its own X-Forwarded-For; the proxy appends the address it saw.
    for forged in (f"{BOB}, {ALICE}", f"{BOB},{BOB}, {ALICE}", f"not-an-address, {ALICE}"):
        assert _via_proxy(forged).post("/admin/login/", {"username": "ana", "password": "pw"}).status_code == 429


def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(ana, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    _fail_until_locked(Client(REMOTE_ADDR=ALICE))
    # A client reached directly cannot pick a fresh address by sending the header.
    assert not _signs_in(Client(REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB))
    assert _signs_in(Client(REMOTE_ADDR=BOB))


@pytest.mark.parametrize("count, forwarded_for, expected", [
    (0, f"{BOB}, {ALICE}", PROXY),                       # no proxy trusted: the peer
    (1, ALICE, ALICE),
    (1, f"{BOB}, {ALICE}", ALICE),                       # the left entry is the client's own
    (2, f"{BOB}, {ALICE}, 10.0.0.1", ALICE),             # load balancer, then nginx
    (2, ALICE, PROXY),                                   # fewer entries than proxies: the peer
    (1, "", PROXY),
    (1, "bogus", PROXY),                                 # not an address: never a lockout key
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_client_ip_is_the_entry_the_last_trusted_proxy_wrote(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def test_the_lockout_page_says_how_to_get_back_in(ana):
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "ana", "password": "wrong"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Wait an hour" in page
    assert "python manage.py axes_reset_username ana" in page
    assert "Axes › Access attempts" in page


def test_the_command_the_lockout_page_names_unlocks_the_user(ana):
    client = Client()
    _fail_until_locked(client)
    out = io.StringIO()
    call_command("axes_reset_username", "ana", stdout=out)
    assert "attempts removed" in out.getvalue()
    assert _signs_in(client)


def test_an_administrator_sees_the_attempts_in_the_admin(ana):
    _fail_until_locked(Client(REMOTE_ADDR=ALICE))
    admin = make_user("root", superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "ana" in page and ALICE in page
