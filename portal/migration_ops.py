"""Migration operations that only apply on PostgreSQL (SQLite has no equivalent)."""

from django.db.migrations.operations import RunSQL


class PostgresOnlySQL(RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def nfc_check(table: str, column: str) -> PostgresOnlySQL:
    """CHECK (column IS NFC NORMALIZED): text in any other form cannot be stored."""
    name = f"{table}_{column}_nfc"
    return PostgresOnlySQL(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ("{column}" IS NFC NORMALIZED)',
        f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"',
    )
