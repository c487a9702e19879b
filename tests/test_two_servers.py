"""Two app servers sharing one PostgreSQL and one Redis behave as one
(SPEC §4, issue 17 item 1).

Two gunicorn servers, production settings (DEBUG off), each with a
temporary folder of its own: an analyst signs in on one, uploads a return
file on server A and confirms it on server B (the upload waits in the
database, not in A's temporary folder), publishing it; both servers' page
caches were warmed first, and both then serve the dashboard with the new
figure. Redis is the one named by TEST_REDIS_URL (default
redis://127.0.0.1:6379/15; under xdist each worker takes its own database,
one lower per worker: the redis_url fixture in tests/conftest.py; that
database is emptied); the servers share the test database pytest-django
made for this worker. Skipped on SQLite or when Redis is not
reachable, unless TEST_REDIS_URL is set (as CI sets it): then an
unreachable Redis fails the test.
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from tests.factories import EXAMPLE_PLAN, make_user

ROOT = Path(__file__).resolve().parent.parent
HEADER = "force,indicator,month,value,numerator,denominator,status,note\n"
DASHBOARD = "/west-mercia/?period=2013-06"
PASSWORD = "a-long-analyst-password"


def _redis(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("TEST_REDIS_URL"):
            pytest.fail(f"TEST_REDIS_URL is set ({url} for this worker) but Redis does not answer: {exc}")
        pytest.skip(f"Redis at {url} does not answer ({exc}); set TEST_REDIS_URL or start redis-server")
    return client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    d = connection.settings_dict
    user = urllib.parse.quote(d["USER"] or "", safe="")
    password = ":" + urllib.parse.quote(d["PASSWORD"], safe="") if d["PASSWORD"] else ""
    return f"postgres://{user}{password}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


class Server:
    def __init__(self, name: str, env: dict, folder: Path):
        self.name, self.port = name, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = folder / f"tmp-{name}"
        self.tmp.mkdir()
        (folder / f"heartbeat-{name}").mkdir()
        self.log = open(folder / f"gunicorn-{name}.log", "w+b")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pccperf.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--preload", "--timeout", "120", "--worker-tmp-dir", str(folder / f"heartbeat-{name}")],
            cwd=ROOT, env={**env, "TMPDIR": str(self.tmp)}, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"server {self.name} did not answer /healthz in time:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def interrupt(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)          # gunicorn's quick shutdown

    def stop(self) -> None:
        self.interrupt()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def servers(transactional_db, tmp_path, redis_url):
    if connection.vendor != "postgresql":
        pytest.skip("two servers share one PostgreSQL database: run with DATABASE_URL=postgres://...")
    cache = _redis(redis_url)
    cache.flushdb()              # pages cached under another run's data versions
    static = tmp_path / "static"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "CONN_", "REDIS_", "DJANGO_", "PYTEST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "pccperf.settings", "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0", "DATABASE_URL": _database_url(), "REDIS_URL": redis_url,
        "STATIC_ROOT": str(static),
    })
    collect = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stderr
    started = []
    try:
        for name in ("A", "B"):
            started.append(Server(name, env, tmp_path))
        deadline = time.monotonic() + 120
        for server in started:
            server.wait(deadline)
        yield started[0], started[1], cache
    finally:
        for server in started:
            server.interrupt()
        for server in started:
            server.stop()
        cache.flushdb()


# --- a browser's worth of HTTP -----------------------------------------------

class Browser:
    """Cookies for 127.0.0.1 go to both servers (cookies ignore ports), as
    a load balancer in front of them would see it."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(url, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, url: str, fields: dict, files: dict | None = None) -> tuple[int, str]:
        fields = {**fields, "csrfmiddlewaretoken": self.csrf()}
        if files:
            boundary = "----pccperf" + secrets.token_hex(8)
            body = io.BytesIO()
            for key, value in fields.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
            for key, (filename, data) in files.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                           f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
            body.write(f"--{boundary}--\r\n".encode())
            data, content_type = body.getvalue(), f"multipart/form-data; boundary={boundary}"
        else:
            data, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")


def test_upload_on_one_server_confirm_on_the_other_and_both_serve_the_new_figure(servers):
    a, b, cache = servers
    call_command("load_plan", _plan_path(a), stdout=io.StringIO())
    call_command("import_return", _return_path(a, "2013-04,512\n2013-05,498\n"), "--publish", stdout=io.StringIO())
    analyst = make_user("ana", role="analyst", forces=[_west_mercia()])
    analyst.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    analyst.save(update_fields=["password"])

    # The public warms both servers' caches: one shared page cache in Redis.
    public = Browser()
    for server in (a, b, a, b):
        status, html = public.get(server.url + DASHBOARD)
        assert status == 200 and _ytd(html) == "— (June 2013 not yet available)"
    assert cache.keys("pccperf-pages:*"), "the page cache is not in Redis"

    # The analyst signs in on A and uploads on A ...
    ana = Browser()
    ana.get(a.url + "/admin/login/")
    status, html = ana.post(a.url + "/admin/login/?next=/admin/", {"username": "ana", "password": PASSWORD,
                                                                   "next": "/admin/"})
    assert status == 200 and "Log out" in html, html[-2000:]
    assert cache.keys("pccperf:*"), "the session is not cached in Redis"
    ana.get(a.url + "/admin/indicators/return/import/")
    status, html = ana.post(a.url + "/admin/indicators/return/import/", {},
                            files={"file": ("june.csv", (HEADER + "west-mercia,vwi,2013-06,507,,,,\n").encode())})
    assert status == 200 and "Check before you import: june.csv" in html, html[-3000:]
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)

    # ... and confirms, publishing, on B: the upload waited in the database.
    status, html = ana.post(b.url + "/admin/indicators/return/import/", {"token": token, "confirm": "1",
                                                                         "publish": "1"})
    assert status == 200 and "1 figure from june.csv published in return #" in html, html[-3000:]

    from indicators.models import PendingUpload, Return

    assert Return.objects.get(source="june.csv").state == "published" and not PendingUpload.objects.exists()

    # Both servers serve the new figure at once, to the public.
    for server in (a, b):
        status, html = public.get(server.url + DASHBOARD)
        assert status == 200 and _ytd(html) == "1,517", server.name
    # Nothing about the upload touched either server's temporary folder.
    assert [list(s.tmp.iterdir()) for s in (a, b)] == [[], []]


# --- data --------------------------------------------------------------------

def _plan_path(server) -> str:
    path = server.tmp.parent / "plan.yaml"
    path.write_text(EXAMPLE_PLAN, encoding="utf-8")
    return str(path)


def _return_path(server, months: str) -> str:
    path = server.tmp.parent / "return.csv"
    path.write_text(HEADER + "".join(f"west-mercia,vwi,{line.split(',')[0]},{line.split(',')[1]},,,,\n"
                                     for line in months.splitlines()), encoding="utf-8")
    return str(path)


def _west_mercia():
    from indicators.models import Force

    return Force.objects.get(slug="west-mercia")


def _ytd(html: str) -> str:
    """The YTD cell of violent crime with injury in the dashboard's measures table, as text."""
    row = re.search(r">Violent crime with injury</a></th>.*?</tr>", html, re.S)
    assert row, "no row for violent crime with injury"
    cell = re.search(r'<td[^>]*class="col-ytd"[^>]*>(.*?)</td>', row.group(0), re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()
