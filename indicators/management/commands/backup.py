"""python manage.py backup [--output FILE]"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.dataio.backup import BackupError, backup, default_path


class Command(BaseCommand):
    help = ("Write a full backup of the database: every table, with users, memberships, draft and submitted "
            "returns and the history of every figure. PostgreSQL: a pg_dump archive (needs pg_dump, from "
            "postgresql-client); SQLite: a copy made with SQLite's backup API. Safe while the site runs. "
            "`restore FILE` puts it back into an empty database of the same kind.")

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (default backups/pccperf-DATE-TIME.dump or "
                                             ".sqlite3); never overwritten")

    def handle(self, *args, output=None, **options):
        try:
            path = Path(output) if output else default_path(Path("backups"))
            started = time.monotonic()
            size = backup(path)
        except BackupError as exc:
            raise CommandError(f"{exc}; no backup was written") from None
        self.stdout.write(self.style.SUCCESS(
            f"Backed up the whole database to {path} ({size / 1024 / 1024:,.1f} MB, "
            f"{time.monotonic() - started:.1f} s)."))
