"""python manage.py backup_data: the old name of export_data."""

from indicators.management.commands import export_data


class Command(export_data.Command):
    help = "Renamed export_data (plain files, not a full backup; see `backup`). " + export_data.Command.help

    def handle(self, *args, **options):
        self.stderr.write("backup_data is now called export_data: it writes plain files, not a full backup "
                          "(for that, use `backup`). The old name will be removed.")
        return super().handle(*args, **options)
