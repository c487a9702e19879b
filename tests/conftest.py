import io
import os

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests import factories

# Property tests: no per-example deadline in CI (a slow or busy machine is not a bug).
# No deadlines: a 2-core machine running other work makes one example take
# 0.5 s and the next 3 ms, and a deadline then fails a correct test. Speed is
# checked by make bench, not by timed tests. CI also prints statistics.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test rolls its data back, and the data version with it, so a
    version number can come back with other data: start every test with an
    empty page cache. (In production versions only go up.)"""
    from django.core.cache import caches

    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis database this test process may empty (tests/test_two_servers.py
    flushes it): TEST_REDIS_URL's database for the first xdist worker, one
    lower for each further one (gw0 15, gw1 14, ... from the default
    redis://127.0.0.1:6379/15), so parallel workers never empty each other's."""
    from urllib.parse import urlsplit, urlunsplit

    base = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")       # unset with -n 0: one process
    parts = urlsplit(base)
    path = parts.path.strip("/")
    if parts.scheme not in ("redis", "rediss") or not (path == "" or path.isdigit()):
        pytest.fail(f"TEST_REDIS_URL={base!r}: write redis://host:port/db", pytrace=False)
    db = int(path or 0) - int(worker.removeprefix("gw"))
    if db < 0:
        pytest.fail(f"TEST_REDIS_URL={base!r} leaves no Redis database for xdist worker {worker} (each "
                    "worker takes the one below the previous worker's): use a higher one or fewer workers",
                    pytrace=False)
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture
def force(db):
    return factories.make_force()


@pytest.fixture
def indicator(force):
    return factories.make_indicator(force)


@pytest.fixture
def plan_file(tmp_path):
    """Write plan YAML text to a file and return its path."""
    def write(text: str, name: str = "plan.yaml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo loaded once for a test module (each test still runs in a
    transaction that is rolled back), and removed after the module."""
    with django_db_blocker.unblock():
        # pytest-django sets up the test database only for the databases that
        # collected tests are marked to use; a module whose tests carry no
        # django_db mark would load (and flush!) the real one. Refuse.
        name = str(connection.settings_dict["NAME"])
        if not (name.startswith("test_") or "memorydb" in name or name == ":memory:"):
            raise RuntimeError(f"refusing to load the demo into {name}, which is not a test database; "
                               "mark the module's tests with pytest.mark.django_db")
        out = io.StringIO()
        call_command("load_demo", "--no-packs", stdout=out)      # tests ask for the packs they need
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_data, db):
    return demo_data


@pytest.fixture
def west_mercia(demo):
    """The demo's West Mercia force."""
    from indicators import models
    return models.Force.objects.get(slug="west-mercia")


@pytest.fixture
def write(tmp_path):
    """Write a return file (text or bytes) under tmp_path; its path as text."""
    def _write(text, name="return.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return str(path)
    return _write
