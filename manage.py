#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

In a development checkout the commands work as the README prints them:
`python manage.py …` runs under the project's own `.venv` (made by `make`)
even when it is not activated. Settings come from the environment and
`.env` beside this file, read by the settings themselves (so gunicorn
reads the same). A missing or bad setting is one clear line, not a traceback.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def _django_or_venv():
    """Import Django, or re-run this command under .venv's Python if the
    Python that was asked has no Django but the project's venv exists."""
    try:
        import django  # noqa: F401
    except ImportError:
        if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
        sys.exit("pccperf: Django is not installed for this Python. Run `make install` (or `make demo`) "
                 "first, then `python manage.py …` uses the project's .venv.")


def main():
    """Run administrative tasks."""
    _django_or_venv()
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Settings read .env themselves (pccperf/settings.py), for every entry point.
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'pccperf.settings')
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"pccperf: {exc}")


if __name__ == '__main__':
    main()
