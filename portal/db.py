"""Database helpers that PostgreSQL and the embedded SQLite must both understand.

The SQLite shim makes the same accent-insensitive lookups work on the embedded default.

PostgreSQL has the ``unaccent`` extension (created in a migration); on SQLite we register
a Python ``UNACCENT`` function on every new connection. It maps đ to d explicitly.
"""

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import DateField, Func, Value
from django.dispatch import receiver

from portal.vietnamese import strip_accents


def _unaccent(value: object) -> object:
    return strip_accents(value) if isinstance(value, str) else value


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, _unaccent, deterministic=True)


class AddDays(Func):
    """``date + days`` as a date on PostgreSQL and SQLite alike (Django's own date +
    timedelta gives a timestamp on PostgreSQL and a formatted string on SQLite)."""

    output_field = DateField()

    def __init__(self, expression: Any, days: int) -> None:
        super().__init__(expression, Value(int(days)))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ")

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        expression, days = self.source_expressions
        sql, params = compiler.compile(expression)
        return f"date({sql}, %s)", [*params, f"{days.value:+d} days"]


class YearEnd(Func):
    """31 December of an integer year column, as a date, on PostgreSQL and SQLite alike."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(
            compiler, connection, template="make_date(%(expressions)s, 12, 31)", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(
            compiler,
            connection,
            template="date(printf('%%04d-12-31', %(expressions)s))",
            **extra_context,
        )
