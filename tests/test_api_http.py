"""The API's HTTP behaviour (issue 30): ETags and 304s from the data version,
Cache-Control for public data and for drafts, CORS for GET from other sites,
the per-client rate limit, and `date` as data.police.uk's name for `period`."""

from datetime import date

import pytest
from django.core.cache import caches
from django.test import override_settings

from indicators import models
from indicators.returns.workflow import publish_return
from tests.factories import make_force, make_indicator, make_observation, make_return, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/forces/west-mercia/indicators/"


def _force_with_a_draft():
    force = make_force()
    ind = make_indicator(force)
    published = make_return(force)
    for i, value in enumerate([500, 510, 520]):
        make_observation(ind, date(2013, 4 + i, 1), value, source_return=published)
    draft = make_return(force, period="2013/14 Q2", state=models.ReturnState.DRAFT)
    make_observation(ind, date(2013, 7, 1), 999, source_return=draft)
    return force, draft


def test_a_conditional_get_is_304_until_a_publish_then_200(client):
    force, draft = _force_with_a_draft()
    first = client.get(URL)
    assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=300"
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(URL, HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304
    publish_return(draft, user=make_user("root", superuser=True))
    after = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag and after.json()["period"] == "2013-07"
    assert client.get(URL, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_head_answers_as_get_without_the_body(client):
    _force_with_a_draft()
    for url in (URL, "/api/forces/west-mercia/indicators/", "/api/v1/forces/", "/api/schema/"):
        get, head = client.get(url), client.head(url)
        assert (get.status_code, head.status_code) == (200, 200), url
        assert head.content == b"" and head["Content-Length"] == str(len(get.content)), url
        assert head["ETag"] == get["ETag"] and head["Cache-Control"] == get["Cache-Control"], url
    assert client.head(URL, HTTP_IF_NONE_MATCH=client.get(URL)["ETag"]).status_code == 304
    assert client.post(URL).status_code == 405            # still read-only


def test_each_url_has_its_own_etag_and_errors_carry_none(client):
    _force_with_a_draft()
    one, other = client.get(URL), client.get(URL + "?period=2013-05")
    assert one["ETag"] != other["ETag"]
    missing = client.get("/api/v1/forces/atlantis/")
    assert missing.status_code == 404 and "ETag" not in missing and missing["Cache-Control"] == "no-cache"
    bad = client.get(URL + "?period=2013-13")
    assert bad.status_code == 400 and "ETag" not in bad


def test_another_forces_publish_keeps_the_etag(client):
    force, _ = _force_with_a_draft()
    elsewhere = make_force(slug="kent", name="Kent Police")
    indicator, ret = make_indicator(elsewhere), make_return(elsewhere)
    etag = client.get(URL)["ETag"]
    make_observation(indicator, date(2013, 4, 1), 5, source_return=ret)
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_drafts_are_private_no_store_and_never_304(client):
    force, _ = _force_with_a_draft()
    analyst = make_user("analyst", role="analyst", forces=[force])
    public = client.get(URL)
    client.force_login(analyst)
    mine = client.get(URL, HTTP_IF_NONE_MATCH=public["ETag"])
    assert mine.status_code == 200 and mine["Cache-Control"] == "private, no-store"
    assert "ETag" not in mine and "Last-Modified" not in mine and mine.json()["period"] == "2013-07"
    assert "Cookie" in mine["Vary"]
    client.logout()
    # the public never gets the analyst's response, from any cache
    again = client.get(URL)
    assert again.json()["period"] == "2013-06" and again["ETag"] == public["ETag"]
    assert "Cookie" in again["Vary"]


def test_date_is_an_alias_of_period(client):
    _force_with_a_draft()
    by_period, by_date = client.get(URL + "?period=2013-05"), client.get(URL + "?date=2013-05")
    assert by_period.json() == by_date.json() and by_date.json()["period"] == "2013-05"
    assert client.get(URL + "?period=2013-05&date=2013-05").status_code == 200
    clash = client.get(URL + "?period=2013-05&date=2013-06")
    assert clash.status_code == 400 and "period and date" in clash.json()["error"]
    bad = client.get(URL + "?date=2013-13")
    assert bad.status_code == 400 and bad.json()["error"].startswith("date:")
    assert client.get("/api/forces/west-mercia/indicators/?date=2013-05").json() == by_date.json()


def test_cors_allows_get_from_any_site_without_credentials(client):
    _force_with_a_draft()
    response = client.get(URL, HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    preflight = client.options(URL, HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match")
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == "*"
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "Access-Control-Allow-Credentials" not in preflight
    # no writes through the API, preflight or not
    assert client.post(URL, HTTP_ORIGIN="https://example.org").status_code in (403, 405)
    # the pages and the admin are not shared with other sites
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in client.get("/admin/login/", HTTP_ORIGIN="https://example.org")


@pytest.fixture
def one_window(monkeypatch):
    """The rate limit's windows are the clock's minutes: hold its clock a second into one, so that a slow
    run never crosses into the next window between two requests (and resets the count)."""
    import time
    from types import SimpleNamespace

    held = time.time() // 60 * 60 + 1
    monkeypatch.setattr("pccperf.ratelimit.time", SimpleNamespace(time=lambda: held))


def _limited(client, times: int):
    return [client.get(URL) for _ in range(times)]


@override_settings(API_RATE_LIMIT=(3, 60))
def test_the_rate_limit_answers_429_with_retry_after(client, one_window):
    caches["default"].clear()
    _force_with_a_draft()
    answers = _limited(client, 4)
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert refused["Retry-After"] == "59" and refused["X-RateLimit-Limit"] == "3"
    assert "rate limit" in refused.json()["error"] and refused["Cache-Control"] == "no-store"
    # another address has its own count; pages are not limited
    assert client.get(URL, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get("/").status_code == 200
    # a 429 can be read by a page on another site
    assert client.get(URL, HTTP_ORIGIN="https://example.org")["Access-Control-Allow-Origin"] == "*"


@override_settings(API_RATE_LIMIT=(3, 60), TRUSTED_PROXY_COUNT=1)
def test_the_rate_limit_counts_the_client_behind_a_trusted_proxy(client, one_window):
    caches["default"].clear()
    _force_with_a_draft()
    for _ in range(3):
        assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_the_rate_limit_is_shared_through_redis(client, redis_url, settings):
    """Two servers sharing one Redis count the same requests: the count is
    in Redis, so a client that spreads its requests still meets the limit."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": "t"}}
    settings.API_RATE_LIMIT = (2, 60)       # (Django's setting_changed signal opens the caches anew)
    _force_with_a_draft()
    try:
        assert [c.get(URL).status_code for c in (client, client.__class__(), client)] == [200, 200, 429]
        assert any(b"api-rate" in key for key in redis.Redis.from_url(redis_url).keys())
    finally:
        redis.Redis.from_url(redis_url).flushdb()
