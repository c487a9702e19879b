"""Full backups: every table of the database, history included.

- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot while the
  site runs), restored with ``pg_restore`` in one transaction.
- SQLite, the embedded default: the sqlite3 backup API, which copies a
  consistent database file while the site runs; restored the same way.

A backup holds everything: users, groups, memberships, permissions,
returns (published, submitted and draft) and their lines, every figure with
its history (django-simple-history), assessments, commentary, meetings,
login records and the migrations applied. It restores only into an empty
database of the same kind. The plain-file export (indicators/export.py) is
something else: readable files for people, without history or drafts.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
EXTENSIONS = {"sqlite": "sqlite3", "postgresql": "dump"}
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Tables whose rows mean the database is in use: restoring over them would lose data.
DATA_TABLES = ["indicators_force", "indicators_observation", "indicators_return", "auth_user"]
# Rows every migrated database holds, which mean nothing is in use: the benchmark series that migration
# 0016 makes (SPEC §6 Benchmarks), by table and the column that marks them.
MIGRATION_ROWS = {"indicators_force": "is_benchmark"}


class BackupError(Exception):
    pass


def vendor(using: str = "default") -> str:
    kind = connections[using].vendor
    if kind not in EXTENSIONS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {kind}")
    return kind


def default_path(folder: Path, using: str = "default", now: datetime | None = None) -> Path:
    """backups/pccperf-2026-11-22-031500.dump (or .sqlite3)."""
    now = now or datetime.now()
    return folder / f"pccperf-{now:%Y-%m-%d-%H%M%S}.{EXTENSIONS[vendor(using)]}"


def kind_of_file(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def backup(path: Path, using: str = "default") -> int:
    """Write a full backup to ``path`` (which must not exist); its size in bytes.
    Written to a temporary name first, so a failed backup leaves no file
    that looks like one."""
    kind = vendor(using)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new name (a backup never overwrites another)")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            _sqlite_backup(partial, using)
        else:
            _pg_dump(partial, using)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def restore(path: Path, using: str = "default") -> None:
    """Restore the backup at ``path`` into the (empty) database ``using``."""
    kind = vendor(using)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    found = kind_of_file(path)
    if found is None:
        raise BackupError(f"{path} is not a pccperf backup (neither a SQLite database nor a pg_dump archive); "
                          "a folder of plain files is read by import_data")
    if found != kind:
        raise BackupError(f"{path} is a {KINDS[found]} backup and this database is {KINDS[kind]}; "
                          f"restore it into a {KINDS[found]} database (DATABASE_URL), or move data between "
                          "kinds with export_data and import_data")
    in_use = rows_in_use(using)
    if in_use:
        raise BackupError("the database is not empty (" + ", ".join(f"{n:,} rows in {t}" for t, n in in_use.items())
                          + "); restore into a new, empty database")
    if kind == "sqlite":
        _sqlite_restore(path, using)
    else:
        _pg_restore(path, using)
    # Cached pages are keyed by the data version, which the restore may have
    # taken back to an earlier number: drop them (other processes' caches
    # go when they restart; README, Production).
    from django.core.cache import caches

    caches["pages"].clear()


def rows_in_use(using: str = "default") -> dict[str, int]:
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                where = ""
                marker = MIGRATION_ROWS.get(table)
                if marker and marker in {c.name for c in connection.introspection.get_table_description(cursor,
                                                                                                       table)}:
                    where = f" WHERE NOT {connection.ops.quote_name(marker)}"
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}{where}")
                count = cursor.fetchone()[0]
                if count:
                    counts[table] = count
    return counts


# --- SQLite ----------------------------------------------------------------

def _sqlite_backup(partial: Path, using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _sqlite_restore(path: Path, using: str) -> None:
    connection = connections[using]
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is a damaged SQLite file (PRAGMA integrity_check failed)")
        if not source.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone():
            raise BackupError(f"{path} is a SQLite database but not a pccperf backup (it has no django_migrations)")
        if connection.in_atomic_block:
            raise BackupError("restore cannot run inside a transaction")
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


# --- PostgreSQL ------------------------------------------------------------

def _pg_env(using: str) -> tuple[dict, str]:
    """The environment for pg_dump/pg_restore (no password on the command line)."""
    from django.db.backends.postgresql.client import DatabaseClient

    settings = connections[using].settings_dict
    _, extra = DatabaseClient.settings_to_cmd_args_env(settings, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env, settings["NAME"]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed; install PostgreSQL's client programs of the server's major "
                          "version or later (Debian: apt-get install postgresql-client)")
    return found


def _run(args: list[str], env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: " + ("; ".join(detail[-3:]) or f"exit status {result.returncode}"))


def _pg_dump(partial: Path, using: str) -> None:
    env, name = _pg_env(using)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), name],
         env, "pg_dump")


def _pg_restore(path: Path, using: str) -> None:
    env, name = _pg_env(using)
    connections[using].close()
    # --clean --if-exists: a database that is only migrated (tables, no rows)
    # restores as well as one just created; one transaction: all or nothing.
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
          "--exit-on-error", "--dbname", name, str(path)], env, "pg_restore")
