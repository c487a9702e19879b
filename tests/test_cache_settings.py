"""REDIS_URL (SPEC §4): set, the caches and the sessions' cache are one
Redis shared by every server; unset, a single server needs nothing."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
SHOW = ("import json; from pccperf import settings as s; "
        "print(json.dumps({'CACHES': s.CACHES, 'SESSION_ENGINE': s.SESSION_ENGINE, "
        "'FILE_UPLOAD_HANDLERS': s.FILE_UPLOAD_HANDLERS}))")


def settings_under(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DJANGO_"))}
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, "SECRET_KEY": "x", **env}, timeout=60)


def test_redis_url_puts_both_caches_and_the_sessions_cache_in_redis():
    result = settings_under(REDIS_URL="redis://cache.example.org:6379/3")
    shown = json.loads(result.stdout)
    redis = "django.core.cache.backends.redis.RedisCache"
    options = {"socket_connect_timeout": 2, "socket_timeout": 5}
    assert shown["CACHES"] == {
        "default": {"BACKEND": redis, "LOCATION": "redis://cache.example.org:6379/3", "KEY_PREFIX": "pccperf",
                    "OPTIONS": options},
        "pages": {"BACKEND": redis, "LOCATION": "redis://cache.example.org:6379/3", "KEY_PREFIX": "pccperf-pages",
                  "OPTIONS": options},
    }
    # Sessions are written to the database and read through the Redis cache.
    assert shown["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_without_redis_url_each_process_caches_in_memory_and_sessions_are_in_the_database():
    shown = json.loads(settings_under().stdout)
    assert {name: c["BACKEND"] for name, c in shown["CACHES"].items()} == {
        "default": "django.core.cache.backends.locmem.LocMemCache",
        "pages": "django.core.cache.backends.locmem.LocMemCache"}
    assert shown["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert shown["FILE_UPLOAD_HANDLERS"] == ["django.core.files.uploadhandler.MemoryFileUploadHandler"]


def test_a_redis_url_that_is_not_one_is_a_one_line_error():
    result = settings_under(REDIS_URL="127.0.0.1:6379")
    assert result.returncode != 0
    assert "REDIS_URL='127.0.0.1:6379' is not a Redis URL; write redis://host:6379/0 (or rediss:// for TLS)" \
        in result.stderr


def test_the_redis_cache_works_when_a_redis_answers(redis_url):
    """Django's backend with the pinned client, against the development
    Redis if one runs (TEST_REDIS_URL, default 127.0.0.1:6379/15; this
    worker's database of it, tests/conftest.py)."""
    import redis
    from django.core.cache.backends.redis import RedisCache

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {redis_url}: {exc}")
    cache = RedisCache(redis_url, {"KEY_PREFIX": "pccperf-settings-test"})
    cache.set("page", (200, "text/html", None, b"<p>ok</p>"), 30)
    assert cache.get("page") == (200, "text/html", None, b"<p>ok</p>")
    cache.delete("page")
    assert cache.get("page") is None


@pytest.mark.django_db
def test_public_pages_are_served_uncached_when_redis_does_not_answer(client, settings, caplog, plan_file):
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    call_command("load_plan", str(plan_file(factories.EXAMPLE_PLAN)), stdout=io.StringIO())
    response = client.get("/")
    assert response.status_code == 200 and "Police and Crime Plan for West Mercia" in response.content.decode()
    assert "page cache unavailable, rendering / afresh" in caplog.text
