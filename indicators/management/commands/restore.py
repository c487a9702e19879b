"""python manage.py restore FILE"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.dataio.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup written by `backup` into an empty database of the same kind (one just created, "
            "or only migrated), with every table as it was. Refuses a database that holds forces, figures, "
            "returns or users. All or nothing. Restart the site's processes afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file (.dump for PostgreSQL, .sqlite3 for SQLite)")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        try:
            restore(Path(file))
        except BackupError as exc:
            raise CommandError(f"{exc}; nothing was restored") from None
        self.stdout.write(self.style.SUCCESS(
            f"Restored {file} ({time.monotonic() - started:.1f} s). Restart the site's processes "
            "(gunicorn) so that none serves a page cached before the restore."))
