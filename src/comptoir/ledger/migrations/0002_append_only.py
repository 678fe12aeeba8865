"""The books are append-only: the database itself refuses to update a line or an entry.

Deleting is left to the ORM's PROTECT foreign keys (and to test databases being flushed)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER ledger_line_append_only BEFORE UPDATE ON ledger_line "
    "BEGIN SELECT RAISE(ABORT, 'ledger lines are never updated: post a correcting entry'); END;",
    "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are never updated: post a correcting entry'); END;",
]
POSTGRES = [
    "CREATE FUNCTION ledger_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'the ledger is never updated: post a correcting entry'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER ledger_line_append_only BEFORE UPDATE ON ledger_line "
    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only();",
    "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry "
    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only();",
]


def create(apps, schema_editor):
    for sql in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS ledger_line_append_only" + (" ON ledger_line" if schema_editor.connection.vendor == "postgresql" else ""))
    schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only" + (" ON ledger_entry" if schema_editor.connection.vendor == "postgresql" else ""))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
