"""python manage.py restore_data: the old name of import_data."""

from indicators.management.commands import import_data


class Command(import_data.Command):
    help = "Renamed import_data (reads an export_data folder; see `restore` for a full backup). " \
        + import_data.Command.help

    def handle(self, *args, **options):
        self.stderr.write("restore_data is now called import_data: it reads a folder of plain files written by "
                          "export_data (a full backup is put back by `restore`). The old name will be removed.")
        return super().handle(*args, **options)
