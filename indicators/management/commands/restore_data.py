"""python manage.py restore_data DIR"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.backup import BackupError, restore
from indicators.planfile import PlanFileError
from indicators.returnfile import ReturnFileError


class Command(BaseCommand):
    help = ("Read a folder written by backup_data into an empty database (after migrate), through the same "
            "checks as load_plan and import_return. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder")

    def handle(self, *args, folder, **options):
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(f"{folder}: no such folder")
        try:
            counts = restore(path, today=timezone.localdate(), progress=self.stdout.write)
        except (BackupError, PlanFileError, ReturnFileError) as exc:
            raise CommandError(f"{folder}: {exc}; nothing was restored") from None
        self.stdout.write(self.style.SUCCESS(
            f"Restored from {folder}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()) + "."))
