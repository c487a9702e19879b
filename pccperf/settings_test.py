"""Settings for the test suite: the real settings with a throwaway key.

DATABASE_URL still selects the database, so the same suite runs on SQLite
and on PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-a-secret")

from pccperf.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False      # the test client and live server speak plain HTTP
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
