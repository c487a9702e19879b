"""python manage.py export_data --output DIR"""

from pathlib import Path

from django.core.management.base import BaseCommand

from indicators.dataio.export import NOT_CARRIED, export_folder


class Command(BaseCommand):
    help = ("Export every force, plan (as plan files), published figure (as return files), assessment, "
            "commentary and panel meeting to plain files in a folder, readable and diffable, which import_data "
            f"reads back into an empty database. Not a backup: it does not carry {NOT_CARRIED}. "
            "For a backup of everything use `backup`.")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the folder to write (created if needed)")

    def handle(self, *args, output, **options):
        counts = export_folder(Path(output))
        self.stdout.write(self.style.SUCCESS(
            f"Exported to {output}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()) + "."))
        self.stdout.write(f"Not in an export: {NOT_CARRIED} (use `backup` for those).")
