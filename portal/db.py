"""SQLite shim so the same accent-insensitive lookups work on the embedded default.

PostgreSQL has the ``unaccent`` extension (created in a migration); on SQLite we register
a Python ``UNACCENT`` function on every new connection. It maps đ to d explicitly.
"""

from django.db.backends.signals import connection_created
from django.dispatch import receiver

from portal.vietnamese import strip_accents


def _unaccent(value: object) -> object:
    return strip_accents(value) if isinstance(value, str) else value


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, _unaccent, deterministic=True)
