"""python manage.py backup_data --output DIR"""

from pathlib import Path

from django.core.management.base import BaseCommand

from indicators.backup import backup


class Command(BaseCommand):
    help = ("Write every force, plan (as plan files), published observation (as return files), assessment, "
            "commentary and panel meeting to plain files in a folder, which restore_data reads back into an "
            "empty database. Plain files, readable and diffable; the history of earlier values is not included.")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the folder to write (created if needed)")

    def handle(self, *args, output, **options):
        counts = backup(Path(output))
        self.stdout.write(self.style.SUCCESS(
            f"Backed up to {output}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()) + "."))
