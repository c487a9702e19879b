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
API_RATE_LIMIT = None            # the API's tests ask many times a minute; tests/test_api_limits.py sets one


class _UndefinedInReportsTemplate(str):
    """TEMPLATES string_if_invalid: a misspelt or missing variable in a page
    or report template (templates/reports/**) fails the test instead of
    leaving a cell empty. Django's admin templates rely on missing
    variables rendering as "", so they keep that."""

    def __mod__(self, name):
        import inspect

        for frame in inspect.stack()[1:40]:
            context = frame.frame.f_locals.get("context")
            template = getattr(context, "template", None)
            origin = getattr(getattr(template, "origin", None), "template_name", None) or ""
            if origin:
                if origin.startswith("reports/") or origin == "base.html":
                    raise AssertionError(f"{origin}: undefined template variable {getattr(name, 'var', name)!r}")
                return ""
        return ""


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _UndefinedInReportsTemplate("%s")  # noqa: F405

# Jobs (jobs/runner.py): the tests run queued jobs themselves (`jobs.runner.run_queued`), as a worker would,
# so a page can be seen while its job waits. tests/test_jobs_worker.py starts real workers on the real queues.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
