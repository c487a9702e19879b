"""python manage.py load_population FILE.csv [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from indicators.management.commands._common import problems_error
from indicators.opendata.populations import load_populations, read_population_file


class Command(BaseCommand):
    help = ("Load mid-year populations by force area from a CSV with a `year` column and one column per force "
            "(the layout of population_police_force_areas_2009-2019.csv), so rates per 1,000 work for every "
            "force. Forces not yet known are created; a force and year already held is updated. The whole "
            "file is checked first: any problem is listed and nothing is written.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV (UTF-8): first column `year`, then one column per force area "
                            "named as people write it (\"Avon and Somerset\", \"Metropolitan Police\"); a "
                            "cell is a whole number of people, or empty")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and count what would be written; write nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            table = read_population_file(Path(file))
        except ValueError as exc:
            raise problems_error(exc.args[0], name=file) from None
        with transaction.atomic():
            created, written = load_populations(table)
            if dry_run:
                transaction.set_rollback(True)
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(
            f"{prefix}{written:,} populations for {len(table)} forces ({created} new forces)."))
