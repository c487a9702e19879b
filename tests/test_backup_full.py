"""Full backups (manage.py backup / restore): every row of every table,
history included, back into an empty database, on SQLite and PostgreSQL.

These tests commit (pg_dump reads from its own connection), so they use
transactional databases, which pytest-django empties afterwards."""

import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from indicators import models, periods
from indicators.returns.file import check_rows, read_table
from indicators.returns.workflow import catalogue_for, publish_return, stage, submit_return
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table in the database, in a stable order."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = tuple(col[0] for col in cursor.description)
            out[table] = [columns, *sorted((tuple(row) for row in cursor.fetchall()), key=repr)]
    return out


def drop_everything() -> None:
    """Make the test database empty: no tables at all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for (table,) in cursor.fetchall():
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def figure_file(force, code, month, value, note=""):
    text = f"force,indicator,month,value,numerator,denominator,status,note\n" \
           f"{force},{code},{periods.format_month(month)},{value},,,final,{note}\n"
    header, body = read_table(text.encode())
    return check_rows(header, body, catalogue_for(None), today=periods.add_months(month, 12))


def publish_revise_and_leave_a_draft():
    """The demo, then what an analyst does in a quarter: publish a figure,
    revise it, leave a draft, submit another."""
    call_command("load_demo", stdout=StringIO())
    west_mercia = models.Force.objects.get(slug="west-mercia")
    analyst = factories.make_user("ana", role="analyst", forces=[west_mercia])
    factories.make_user("pat", role="panel", forces=[west_mercia])
    factories.make_user("root", superuser=True)
    last = models.Observation.objects.filter(indicator__force=west_mercia, indicator__code="vwi").latest("month")
    month, after = last.month, periods.add_months(last.month, 1)
    stage(figure_file("west-mercia", "vwi", month, 555), user=analyst, source="Q.csv", publish=True)
    stage(figure_file("west-mercia", "vwi", month, 556, "revised after audit"), user=analyst, source="Q2.csv",
          publish=True)
    stage(figure_file("west-mercia", "vwi", after, 600), user=analyst, source="draft.csv")
    submitted = stage(figure_file("west-mercia", "vwi", periods.add_months(after, 1), 610), user=analyst,
                      source="sub.csv").returns[0]
    submit_return(submitted, user=analyst)
    published = stage(figure_file("west-mercia", "vwi", periods.add_months(after, 2), 620), user=analyst,
                      source="pub.csv").returns[0]
    publish_return(published, user=analyst)
    return month


def test_backup_after_publishing_revising_and_a_draft_restores_every_row_of_every_table(tmp_path):
    month = publish_revise_and_leave_a_draft()
    before = snapshot()
    # What the backup must carry: history, drafts, memberships, users, groups.
    history = [row for row in before["indicators_historicalobservation"][1:]]
    assert len(history) > 4000
    vwi = models.Observation.objects.get(indicator__force__slug="west-mercia", indicator__code="vwi", month=month)
    assert list(vwi.history.order_by("history_id").values_list("value", flat=True))[-2:] == [555, 556]
    assert len(before["indicators_returnline"]) - 1 == 3          # draft, submitted, and published from lines
    assert {r.state for r in models.Return.objects.all()} == {"draft", "submitted", "published"}
    assert len(before["indicators_forcemembership"]) - 1 == 2
    assert len(before["auth_user"]) - 1 == 3 and len(before["auth_user_groups"]) - 1 == 2

    path = tmp_path / f"pccperf.{'dump' if connection.vendor == 'postgresql' else 'sqlite3'}"
    out = StringIO()
    call_command("backup", "--output", str(path), stdout=out)
    assert f"Backed up the whole database to {path}" in out.getvalue()

    drop_everything()
    out = StringIO()
    call_command("restore", str(path), stdout=out)
    assert f"Restored {path}" in out.getvalue()

    after = snapshot()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert len(before) >= 25


def test_restore_refuses_a_database_in_use_and_a_backup_of_the_other_kind(tmp_path):
    force = factories.make_force()
    path = tmp_path / "b.backup"
    call_command("backup", "--output", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match=r"the database is not empty \(1 rows in indicators_force\); "
                                           r"restore into a new, empty database; nothing was restored"):
        call_command("restore", str(path), stdout=StringIO())
    assert models.Force.objects.get() == force

    other = tmp_path / "other"
    if connection.vendor == "postgresql":
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
        message = "is a SQLite backup and this database is PostgreSQL"
    else:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        message = "is a PostgreSQL backup and this database is SQLite"
    force.delete()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(other), stdout=StringIO())


def test_backup_never_overwrites_and_restore_names_what_is_wrong(tmp_path):
    path = tmp_path / "b"
    path.write_text("keep me")
    with pytest.raises(CommandError, match="already exists; choose a new name .*; no backup was written"):
        call_command("backup", "--output", str(path), stdout=StringIO())
    assert path.read_text() == "keep me"
    with pytest.raises(CommandError, match="is not a pccperf backup .*a folder of plain files is read by import_data"):
        call_command("restore", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="nope: no such file; nothing was restored"):
        call_command("restore", str(tmp_path / "nope"), stdout=StringIO())


def test_backup_names_its_file_by_date_in_backups(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = StringIO()
    call_command("backup", stdout=out)
    written = list((tmp_path / "backups").iterdir())
    assert len(written) == 1 and written[0].name.startswith("pccperf-20")
    assert written[0].suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")
    assert str(written[0].relative_to(tmp_path)) in out.getvalue()
