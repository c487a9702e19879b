"""python manage.py import_data DIR"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.dataio.export import NOT_CARRIED, ExportError, import_folder
from indicators.plans.file import PlanFileError
from indicators.returns.file import ReturnFileError


class Command(BaseCommand):
    help = ("Read a folder written by export_data into an empty database (after migrate): plans through the "
            "plan loader, figures published exactly as exported. All or nothing. An export does not carry "
            f"{NOT_CARRIED}; `restore` puts back a full backup.")

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the folder written by export_data")

    def handle(self, *args, folder, **options):
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(f"{folder}: no such folder")
        try:
            counts = import_folder(path, progress=self.stdout.write)
        except (ExportError, PlanFileError, ReturnFileError) as exc:
            raise CommandError(f"{folder}: {exc}; nothing was imported") from None
        self.stdout.write(self.style.SUCCESS(
            f"Imported from {folder}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()) + "."))
