"""/healthz tells the truth: 200 only when what a page needs works, else 503
naming the failing part (issue 23, item 3)."""

import json
from unittest import mock

import pytest
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=False)

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_healthy_names_every_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok",
                               "cache": "ok", "pages cache": "ok",
                               "queue": {"queued": 0, "running": 0, "oldest_seconds": 0.0}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_missing_static_manifest_is_503_naming_it(client, tmp_path):
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path):
        missing = client.get("/healthz")
        assert missing.status_code == 503
        body = missing.json()
        assert body["status"] == "error" and body["database"] == "ok"
        assert body["static"] == f"no static manifest at {tmp_path / 'staticfiles.json'}: run collectstatic"
        (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1"}))
        assert client.get("/healthz").json()["static"].endswith("lists no files: run collectstatic")
        (tmp_path / "staticfiles.json").write_text(
            json.dumps({"paths": {"favicon.svg": "favicon.0123456789ab.svg"}, "version": "1.1"}))
        healthy = client.get("/healthz")
        assert healthy.status_code == 200 and healthy.json()["static"] == "ok"


def test_unapplied_migrations_are_503(client):
    real_plan = MigrationExecutor.migration_plan

    def one_left(self, targets, clean_start=False):
        plan = real_plan(self, targets, clean_start)
        return plan or [(self.loader.get_migration("indicators", "0001_initial"), False)]

    with mock.patch.object(MigrationExecutor, "migration_plan", one_left):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "1 migration(s) not applied (indicators.0001_initial): run migrate"


def test_a_database_that_does_not_answer_is_503(client):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=RuntimeError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] != "ok" and body["cache"] == "ok"


def test_an_unreachable_redis_is_503_naming_the_cache(client):
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
             "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "health-pages"}
    with override_settings(CACHES={"default": redis, "pages": locmem}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "Connection Error" and response.json()["pages cache"] == "ok"


@override_settings(ALLOWED_HOSTS=["pccperf.example.org"], SECURE_SSL_REDIRECT=True)
def test_a_load_balancer_probing_by_address_over_http_is_answered(client):
    """The probe comes to the server's address, not a host name, over plain
    HTTP: neither the host check nor the HTTPS redirect turns it away."""
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    assert client.get("/", HTTP_HOST="pccperf.example.org").status_code == 301


def test_reports_the_queue_depth_and_its_oldest_job_without_failing(client):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.models import Job

    Job.objects.create(kind="pack", key="a", label="a pack", created=timezone.now() - timedelta(seconds=90))
    Job.objects.create(kind="pack", key="b", label="another")
    Job.objects.create(kind="pack", key="c", label="running", status=Job.RUNNING, heartbeat=timezone.now())
    Job.objects.create(kind="pack", key="d", label="done", status=Job.DONE)
    response = client.get("/healthz")
    queue = response.json()["queue"]
    assert response.status_code == 200 and queue["queued"] == 2 and queue["running"] == 1
    assert 89 <= queue["oldest_seconds"] < 200


def test_a_cache_set_to_keep_nothing_is_not_checked(client):
    # bench/settings_nocache.py (load.py --no-cache) switches the page cache off with a DummyCache,
    # which never gives back what was set: /healthz, the load test's baseline, answered 503.
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "health-default"}
    with override_settings(CACHES={"default": locmem,
                                   "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert "pages cache" not in response.json() and response.json()["cache"] == "ok"
