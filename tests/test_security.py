"""Security: deploy checks, secrets, CSRF, lockout, CSP, and drafts that never
leak through pages, API, CSV or reports."""

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from indicators import models
from tests.factories import EXAMPLE_PLAN, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
HEADER = "force,indicator,month,value,numerator,denominator,status,note"


def manage(*args, env=None):
    # DEBUG=0 as production has it, and no settings file (ENV_FILE=): the SECRET_KEY that `make demo`
    # writes to the checkout's .env must not hide a missing one, so these tests also pass in a demo checkout.
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DEBUG": "0", "ENV_FILE": ""}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env={"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "pccperf.example.org"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_no_secret_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked and not any(p.endswith((".pem", ".key")) for p in tracked)
    settings = (ROOT / "pccperf" / "settings.py").read_text()
    # the only literal key is the development one, used when DEBUG is on
    assert re.findall(r'SECRET_KEY = "([^"]+)"', settings) == ["django-insecure-development-only-key"]


@pytest.fixture
def plan(plan_file):
    call_command("load_plan", str(plan_file(EXAMPLE_PLAN)), stdout=io.StringIO())
    return models.Force.objects.get(slug="west-mercia")


def test_csrf_is_enforced_on_writes(plan):
    user = make_user("ana", role="analyst", forces=[plan])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    upload = io.BytesIO((HEADER + "\nwest-mercia,vwi,2013-04,5,,,,\n").encode())
    upload.name = "r.csv"
    assert client.post("/admin/indicators/return/import/", {"file": upload}).status_code == 403
    assert client.post("/admin/indicators/return/grid/?force=west-mercia&quarter=2013/14+Q1", {}).status_code == 403
    assert models.Return.objects.count() == 0


def test_login_locks_out_after_repeated_failures(plan, client):
    make_user("ana", role="analyst", forces=[plan])
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "ana", "password": "wrong"})
        assert response.status_code == 200
    assert client.post("/admin/login/", {"username": "ana", "password": "wrong"}).status_code == 429
    response = client.post("/admin/login/", {"username": "ana", "password": "pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_send_a_content_security_policy_without_inline_scripts(plan, client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


DRAFT_VALUE = "424242"


@pytest.fixture
def drafted(plan, tmp_path):
    published = tmp_path / "pub.csv"
    published.write_text(HEADER + "\nwest-mercia,vwi,2013-04,500,,,,\nwest-mercia,vwi,2013-05,510,,,,\n")
    call_command("import_return", str(published), "--publish", stdout=io.StringIO())
    draft = tmp_path / "draft.csv"
    draft.write_text(HEADER + f"\nwest-mercia,vwi,2013-05,{DRAFT_VALUE},,,,\nwest-mercia,vwi,2013-06,{DRAFT_VALUE},,,,\n")
    call_command("import_return", str(draft), stdout=io.StringIO())
    return plan


URLS = [
    "/west-mercia/", "/west-mercia/?period=2013-06", "/west-mercia/priorities/2/?period=2013-06",
    "/west-mercia/indicators/vwi/?period=2013-06", "/api/forces/west-mercia/indicators/vwi/?period=2013-06",
    "/api/forces/west-mercia/indicators/?period=2013-06", "/api/forces/west-mercia/observations.csv",
    "/west-mercia/report/?period=2013-05&mode=full&download=1",
]


@pytest.mark.parametrize("who", ["anonymous", "panel member", "analyst of another force"])
def test_drafts_never_leak(drafted, client, who):
    if who == "panel member":
        client.force_login(make_user("pm", role="panel", forces=[drafted]))
    elif who == "analyst of another force":
        essex = models.Force.objects.create(slug="essex", name="Essex Police")
        client.force_login(make_user("ea", role="analyst", forces=[essex]))
    for url in URLS:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert DRAFT_VALUE not in response.content.decode().replace(",", ""), url
    assert client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-05").json()["ytd"] == 1010


def test_the_forces_analyst_sees_the_draft(drafted, client):
    client.force_login(make_user("ana", role="analyst", forces=[drafted]))
    assert client.get("/api/forces/west-mercia/indicators/vwi/?period=2013-05").json()["ytd"] == 500 + 424242
    assert DRAFT_VALUE in client.get("/api/forces/west-mercia/observations.csv").content.decode()


def test_export_report_of_drafts_needs_a_user_who_may_see_them(drafted, tmp_path):
    out = tmp_path / "r.html"
    call_command("export_report", "--force", "west-mercia", "--period", "2013-05", "--output", str(out),
                 stdout=io.StringIO())
    assert DRAFT_VALUE not in out.read_text().replace(",", "")
    make_user("ana", role="analyst", forces=[drafted])
    call_command("export_report", "--force", "west-mercia", "--period", "2013-05", "--output", str(out),
                 "--user", "ana", stdout=io.StringIO())
    text = out.read_text()
    assert "DRAFT: includes" in text and "424,242" in text
