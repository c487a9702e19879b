"""The database settings: psycopg 3 with persistent connections, or its pool."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://pccperf:secret@db.example.org:5432/pccperf"
SHOW = ("import json; from pccperf import settings as s; d = s.DATABASES['default']; "
        "print(json.dumps({k: d.get(k) for k in ('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}))")


def database_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CONN_"))}
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, "SECRET_KEY": "x", **env})


def test_postgresql_keeps_one_checked_connection_per_worker():
    result = database_settings(DATABASE_URL=PG_URL)
    assert json.loads(result.stdout) == {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 60,
                                         "CONN_HEALTH_CHECKS": True, "OPTIONS": None}


def test_database_pool_uses_psycopgs_pool_without_persistent_connections():
    result = database_settings(DATABASE_URL=PG_URL, DATABASE_POOL="1", DATABASE_POOL_MAX="8")
    assert json.loads(result.stdout) == {
        "ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 8, "timeout": 10}}}


def test_database_pool_on_sqlite_is_a_one_line_error():
    result = database_settings(DATABASE_POOL="1")
    assert result.returncode != 0
    assert "DATABASE_POOL=1 needs PostgreSQL (a postgres:// DATABASE_URL); SQLite has no connection pool" \
        in result.stderr


def test_the_postgresql_driver_is_psycopg_3():
    from django.db.backends.postgresql import psycopg_any

    assert psycopg_any.is_psycopg3


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_pool_serves_queries_on_postgresql():
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    code = ("import django; django.setup(); from django.db import connection; "
            "c = connection.cursor(); c.execute('SELECT 41 + 1'); "
            "print(c.fetchone()[0], type(connection.pool).__name__, type(connection.connection).__module__); connection.close_pool()")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CONN_"))}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env={
        **clean, "DJANGO_SETTINGS_MODULE": "pccperf.settings", "SECRET_KEY": "x", "DATABASE_URL": url,
        "DATABASE_POOL": "1"}, timeout=60)
    assert result.stdout.split() == ["42", "ConnectionPool", "psycopg"], result.stderr
