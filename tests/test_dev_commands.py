"""Commands work as the README prints them in a development checkout, and a
missing setting is one clear line, never a traceback (issue 12, item 14)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from indicators.access.roles import ANALYST, PANEL
from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def run_manage(tmp_path, *args, env_file: str | None = None):
    """Run manage.py from a copy beside an optional .env, with none of the
    developer's own settings in the environment."""
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    # The settings read the checkout's .env; this copy's stands in for it (or none).
    env["ENV_FILE"] = str(tmp_path / ".env") if env_file is not None else ""
    env["PYTHONPATH"] = str(ROOT)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return subprocess.run([sys.executable, str(tmp_path / "manage.py"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_missing_secret_key_is_one_clear_line_not_a_traceback(tmp_path):
    result = run_manage(tmp_path, "export_report", "--force", "west-mercia", "--period", "2013-06",
                        "--output", str(tmp_path / "r.html"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pccperf: SECRET_KEY must be set when DEBUG is off")
    assert "make demo" in lines[0]


def test_a_bad_setting_names_itself_in_one_line(tmp_path):
    result = run_manage(tmp_path, "check", env_file="DEBUG=maybe\n")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "pccperf: DEBUG='maybe' is not a boolean; use 1/0, true/false, yes/no or on/off"


def make_env_file(tmp_path, existing: str | None = None) -> str:
    """Run the Makefile's .env recipe in a scratch folder, as `make demo` does."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    if existing is not None:
        (tmp_path / ".env").write_text(existing)
    result = subprocess.run(["make", "--no-print-directory", ".env"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return (tmp_path / ".env").read_text()


def test_make_demo_writes_a_secret_key_and_never_debug(tmp_path):
    """DEBUG in .env made collectstatic (which read it) and gunicorn (which
    did not) disagree, and every page 500ed; .env now holds no DEBUG."""
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: install .env" in makefile and "DEBUG=1 $(PY) manage.py runserver" in makefile
    written = make_env_file(tmp_path)
    keys = [line.split("=")[0] for line in written.splitlines() if line and not line.startswith("#")]
    assert keys == ["SECRET_KEY"] and len(written.split("SECRET_KEY=")[1].strip()) >= 50
    assert make_env_file(tmp_path) == written             # written once, kept after


def test_an_old_env_file_loses_its_debug(tmp_path):
    old = "# Written by make demo for this development checkout; manage.py reads it.\nDEBUG=1\n"
    migrated = make_env_file(tmp_path, old)
    assert "DEBUG" not in migrated and "SECRET_KEY=" in migrated
    mine = "DEBUG=1\n"                                   # a developer's own file is theirs
    assert make_env_file(tmp_path, mine) == mine


def test_commands_read_the_env_file_that_make_demo_writes(tmp_path):
    env_file = make_env_file(tmp_path)
    assert run_manage(tmp_path, "migrate", "-v0", env_file=env_file).returncode == 0
    result = run_manage(tmp_path, "export_report", "--force", "nowhere", "--period", "2013-06",
                        "--output", str(tmp_path / "r.html"), env_file=env_file)
    # Settings load: the command runs and reports the user's mistake in words.
    assert "SECRET_KEY" not in result.stderr and "Traceback" not in result.stderr
    assert "nowhere" in result.stderr and result.returncode != 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", [ANALYST, PANEL])
def test_a_user_put_in_a_role_can_sign_in_to_the_admin(client, django_user_model, role):
    """The README's steps: add a user, put them in a group, add their force."""
    user = django_user_model.objects.create_user("newcomer", password="pw-for-tests-only")
    login = {"username": "newcomer", "password": "pw-for-tests-only", "next": "/admin/"}
    refused = client.post("/admin/login/", login)
    assert refused.status_code == 200 and b"staff account" in refused.content     # not staff yet
    user.groups.add(Group.objects.get(name=role))
    user.force_memberships.create(force=factories.make_force())
    user.refresh_from_db()
    assert user.is_staff
    assert client.post("/admin/login/", login).status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_adding_users_from_the_group_side_also_makes_them_staff(django_user_model):
    user = django_user_model.objects.create_user("other")
    Group.objects.get(name=ANALYST).user_set.add(user)
    user.refresh_from_db()
    assert user.is_staff
    plain = Group.objects.create(name="Not a pccperf role")
    bystander = django_user_model.objects.create_user("bystander")
    plain.user_set.add(bystander)
    bystander.refresh_from_db()
    assert not bystander.is_staff
