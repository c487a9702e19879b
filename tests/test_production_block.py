"""The README's production block, pasted into a fresh shell, serves every
page with DEBUG off (issue 23, item 2).

Before, `gunicorn` was not on a fresh shell's PATH, and started as
`.venv/bin/gunicorn` every page answered 500 while /healthz answered 200:
manage.py read `.env` (DEBUG=1), so collectstatic wrote no manifest, and
gunicorn, which did not read `.env`, ran with DEBUG off and found none.

The test runs the block's own lines, in order, in `env -i bash` from the
checkout. It changes only what a real server would have otherwise: the
database (a SQLite file here, not db-host), STATIC_ROOT (a scratch folder,
so the checkout's staticfiles/ is left alone) and PORT (a free one). The
`.env` is the one `make demo` writes, so this is the checkout it leaves.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_dev_commands import make_env_file

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
HOST = "pccperf.example.org"

pytestmark = pytest.mark.skipif(not (VENV / "gunicorn").exists(), reason="needs the checkout's .venv (make install)")


def production_block() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Production\n"):]
    blocks = re.findall(r"```\n(.*?)```", section, re.S)
    block = next(b for b in blocks if "gunicorn" in b and "export SECRET_KEY" in b)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Host": HOST, "X-Forwarded-Proto": "https", **headers})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_block_lists_what_a_fresh_shell_needs():
    lines = production_block()
    assert lines[0] == "make install"
    assert any(line.startswith("export SECRET_KEY=") for line in lines)
    assert lines[-1].startswith(".venv/bin/gunicorn -c gunicorn.conf.py")
    # Nothing that a fresh shell lacks: no bare gunicorn or python, no activated venv.
    assert not [line for line in lines if re.match(r"(gunicorn|python) ", line)]


def test_pasted_into_a_fresh_shell_it_serves_every_page_with_debug_off(tmp_path):
    lines = production_block()
    assert lines[0] == "make install"          # done already: this checkout's .venv is installed
    database = tmp_path / "production.sqlite3"
    script = [
        f"cd {ROOT}",
        "set -e",
        f"export STATIC_ROOT={tmp_path / 'static'}",
        *(f"export DATABASE_URL=sqlite:///{database}" if line.startswith("export DATABASE_URL=") else line
          for line in lines[1:-1]),
        # The demo's data, so the pages have figures (not part of the block).
        ".venv/bin/python manage.py load_demo > /dev/null",
        f"export PORT={(port := free_port())} WORKERS=1",
        "exec " + lines[-1],
    ]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path),
           # the .env `make demo` leaves in its checkout (a SECRET_KEY of its own)
           "ENV_FILE": str(tmp_path / ".env")}
    make_env_file(tmp_path)
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(["env", "-i", *(f"{k}={v}" for k, v in env.items()), "bash", "-c", "\n".join(script)],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, _, body = get(port, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{(tmp_path / 'server.log').read_text()}")
                time.sleep(0.5)
        assert status == 200, body
        health = json.loads(body)
        assert health["status"] == "ok" and health["static"] == "ok" and health["migrations"] == "ok"

        for path in ("/", "/west-mercia/", "/west-mercia/priorities/2/", "/west-mercia/indicators/vwi/",
                     "/west-mercia/report/?period=2013-09", "/api/forces/west-mercia/indicators/vwi/?period=2013-06",
                     "/admin/login/"):
            status, _, body = get(port, path)
            assert status == 200, (path, body[:300])
        status, _, page = get(port, "/west-mercia/")
        assert b"West Mercia" in page
        # Static files by their fingerprinted names, served by whitenoise for a year.
        css = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
        assert css, "no fingerprinted stylesheet in the page"
        status, headers, _ = get(port, css.group(1).decode())
        assert status == 200 and "max-age=315360000" in headers["Cache-Control"]
        # DEBUG is off: no debug page, HTTPS enforced, HSTS sent.
        status, _, body = get(port, "/no-such-force/")
        assert status == 404 and b"Traceback" not in body and b"DEBUG" not in body
        status, headers, _ = get(port, "/west-mercia/", **{"X-Forwarded-Proto": "http"})
        assert status == 301 and headers["Location"].startswith(f"https://{HOST}/")
        assert "max-age=31536000" in get(port, "/")[1]["Strict-Transport-Security"]

        # The manifest gone: the load balancer is told, naming it.
        (tmp_path / "static" / "staticfiles.json").unlink()
        status, _, body = get(port, "/healthz", Host="10.0.0.7")
        assert status == 503
        assert json.loads(body)["static"] == (f"no static manifest at {tmp_path / 'static' / 'staticfiles.json'}: "
                                              "run collectstatic")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
