"""Write helpers shared by the apps' services."""

from __future__ import annotations

from typing import Any

from django.db import models


def _current(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        return getattr(obj, field.attname)
    return getattr(obj, name)


def _wanted(obj: models.Model, name: str, value: Any) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        return value.pk if isinstance(value, models.Model) else value
    return value


def changed_fields(obj: models.Model, fields: dict[str, Any]) -> list[str]:
    """The names in ``fields`` whose value differs from ``obj``'s (all of them for a new row);
    a foreign key compares by id, so no related row is loaded."""
    if obj.pk is None:
        return list(fields)
    return [n for n, v in fields.items() if _current(obj, n) != _wanted(obj, n, v)]


def update_fields_if_changed(obj: models.Model, fields: dict[str, Any]) -> bool:
    """Set the fields that differ, validate and save only when something changed.

    Saving an unchanged row would still add a history record; idempotent loaders rely on
    this to change nothing on a second run.
    """
    changed = changed_fields(obj, fields)
    if not changed and obj.pk is not None:
        return False
    for name in changed:
        setattr(obj, name, fields[name])
    obj.full_clean()
    # Only what changed is written: a stale copy never puts back a column someone else (or
    # a derived-column refresh) wrote since it was read.
    obj.save(update_fields=None if obj.pk is None or obj._state.adding else changed)
    return True
