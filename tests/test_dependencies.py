"""Locked, split dependencies: `make serve` installs the runtime lock only,
and the locks pin every package with hashes."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"pytest", "pytest-django", "pytest-xdist", "playwright", "axe-playwright-python", "hypothesis", "ruff"}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def locked(name: str) -> dict[str, str]:
    """{package: version} of a lock file, checking every entry has a hash."""
    pins, current = {}, None
    for line in (ROOT / name).read_text().splitlines():
        match = _PIN.match(line)
        if match:
            current = match.group(1).lower().replace("_", "-")
            pins[current] = match.group(3)
        elif line.strip().startswith("--hash=sha256:"):
            assert current, f"{name}: a hash before any package"
        elif line.strip() and not line.lstrip().startswith("#"):
            pytest.fail(f"{name}: unexpected line {line!r}")
    text = (ROOT / name).read_text()
    for package in pins:
        block = re.search(rf"^{re.escape(package)}(\[[^\]]*\])?==.*?(?=^\S|\Z)", text, re.M | re.S | re.I)
        assert block and "--hash=sha256:" in block.group(0), f"{name}: {package} has no hash"
    return pins


def test_runtime_lock_has_no_test_tools_and_every_runtime_pin():
    runtime = locked("requirements.txt")
    assert not TEST_TOOLS & runtime.keys()
    assert "psycopg2-binary" not in runtime and "psycopg2" not in runtime
    assert runtime["psycopg"] == "3.3.9" and runtime["psycopg-binary"] == "3.3.9" and "psycopg-pool" in runtime
    assert runtime["django"] == "5.2.19" and runtime["python-dotenv"] == "1.2.2" and runtime["gunicorn"] == "27.0.1"
    # Every package the runtime input names is locked at the version it pins.
    for line in (ROOT / "requirements.in").read_text().splitlines():
        match = _PIN.match(line)
        if match:
            assert runtime[match.group(1).lower()] == match.group(3), line


def test_dev_lock_is_the_runtime_lock_plus_the_tools():
    runtime, dev = locked("requirements.txt"), locked("requirements-dev.txt")
    assert TEST_TOOLS <= dev.keys()
    assert {name: dev.get(name) for name in runtime} == runtime


def dry_run(target: str) -> str:
    """What `make TARGET` would run in a checkout with no virtualenv yet."""
    result = subprocess.run(["make", "-n", target, "VENV=/nonexistent/venv"], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    return result.stdout


PIP = "/nonexistent/venv/bin/python -m pip install --quiet --require-hashes --disable-pip-version-check"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_serve_installs_the_runtime_lock_only():
    for target in ("serve", "demo", "install"):
        commands = [line for line in dry_run(target).splitlines() if "pip install" in line]
        assert commands == [f"{PIP} -r requirements-pip.txt", f"{PIP} -r requirements.txt"], target


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_installs_the_dev_lock_with_hashes():
    commands = [line for line in dry_run("test").splitlines() if "pip install" in line]
    assert commands == [f"{PIP} -r requirements-pip.txt", f"{PIP} -r requirements-dev.txt"]


def test_a_package_asked_for_with_extras_is_locked_with_them():
    """pip 23.2 (Python 3.11's) resolves `weasyprint`'s `fonttools[woff]>=4.59.2`
    as a requirement of its own, took the newest fonttools for it, and refused
    the lock's hashes; a pin that names the extras holds it to the lock's
    version. `make lock` keeps extras (uv's --no-strip-extras). .ci/run
    resolves both locks with that pip."""
    assert "--no-strip-extras" in (ROOT / "Makefile").read_text()
    for name in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / name).read_text()
        assert re.search(r"^fonttools\[woff\]==4\.68\.0 \\$", text, re.M), name
        assert re.search(r"^psycopg\[binary, pool\]==3\.3\.9 \\$", text, re.M), name
        assert not re.search(r"^(fonttools|psycopg)==", text, re.M), name


def test_the_locks_are_installed_by_a_pinned_hashed_pip_not_the_pythons_own():
    """Python 3.11's pip 23.2 refused the lock once fonttools 4.69.1 came out
    (weasyprint asks for fonttools[woff]); pip 26.3 from its own hashed lock
    installs them, whatever pip the venv was born with."""
    assert locked("requirements-pip.txt") == {"pip": "26.3"}
    major = int(locked("requirements-pip.txt")["pip"].split(".")[0])
    assert major >= 24          # old pips resolve a hashed extra's newer release and refuse the lock
