"""Browser tests: Playwright driving Debian's chromium (never a downloaded
browser) against a live server on localhost, with axe-core for accessibility."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PCCPERF_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Without the background-networking flags chromium tries hosts this closed
# network refuses; --no-sandbox because CI runs as root.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must run the browser tests, but there is no chromium at {CHROMIUM}")
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install -y chromium; .ci/run does)",
                allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the ORM work the
# fixtures do here happens before it starts or in the server's own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def site(demo_data, django_db_blocker):
    """A live server over the demo data, for the whole module."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        shared = {}
        for conn in connections.all():
            if conn.vendor == "sqlite" and conn.is_in_memory_db():
                shared[conn.alias] = conn
                conn.inc_thread_sharing()
        thread = LiveServerThread("localhost", StaticFilesHandler, connections_override=shared, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://localhost:{thread.port}"
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture(scope="session", autouse=True)
def _end_leftover_connections(django_db_setup, django_db_blocker):
    """A live server's request thread still parked on a browser's keep-alive
    socket keeps its connection to the test database, which then cannot be
    dropped at the end of the run: end such leftovers once, when every
    browser test is done. (Not per module: Playwright's greenlets give the
    tests a database connection of their own, which the next module's
    fixtures go on using.)"""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        if connections["default"].vendor == "postgresql":
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the tests inject axe-core into pages whose policy
    # (rightly) refuses inline scripts; test_charts_draw_under_the_content_
    # security_policy checks the pages with the policy in force.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.requests_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (shipped by the axe-playwright-python package) on the page."""
    import axe_playwright_python

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
