"""python manage.py create_database: the database DATABASE_URL names, made if missing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = ("Create the PostgreSQL database that DATABASE_URL names if it does not exist yet, connecting "
            "to the server's maintenance database (postgres) with the same user, host and port. The user "
            "needs the CREATEDB right. An existing database is left as it is. SQLite needs nothing: its "
            "file is made on first use. `make serve` runs this before migrate.")

    def handle(self, *args, **options):
        connection = connections["default"]
        if connection.vendor != "postgresql":
            self.stdout.write(f"{connection.vendor}: nothing to create ({connection.settings_dict['NAME']}).")
            return
        import psycopg
        from psycopg import sql

        name = connection.settings_dict["NAME"]
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params["dbname"] = "postgres"
        try:
            with psycopg.connect(**params, autocommit=True) as admin:
                if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    self.stdout.write(f"Database {name} exists; nothing to do.")
                    return
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise CommandError(f"could not create database {name}: {str(exc).strip()}") from None
        self.stdout.write(self.style.SUCCESS(f"Created database {name}."))
