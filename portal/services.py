"""Write helpers shared by the apps' services."""

from __future__ import annotations

from typing import Any

from django.db import models


def update_fields_if_changed(obj: models.Model, fields: dict[str, Any]) -> bool:
    """Set the fields that differ, validate and save only when something changed.

    Saving an unchanged row would still add a history record; idempotent loaders rely on
    this to change nothing on a second run.
    """
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    if not changed and obj.pk is not None:
        return False
    for name in changed:
        setattr(obj, name, fields[name])
    obj.full_clean()
    obj.save()
    return True
