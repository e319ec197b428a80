"""One history diff for every page that shows what changed (django-simple-history records).

A change is shown the way the user reads the field: its Vietnamese name, and for a field with
choices (a report's or a value's state) the Vietnamese label, never the stored value
("Bản nháp → Đã gửi", not "draft → submitted").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from portal.numbers import format_vn_number

ACTIONS = {"+": "tạo mới", "~": "sửa", "-": "xóa"}

# Bookkeeping a reader does not need: versions, timestamps, who decided (shown on the row).
HIDDEN_FIELDS = frozenset(
    {
        "version",
        "updated_at",
        "position",
        "submitted_at",
        "decided_at",
        "decided_by",
        "on_behalf_of",  # shown beside who acted: "(thừa ủy quyền của ...)"
        "author",
        "entered_by",
        "created_at",
    }
)


@dataclass
class Change:
    label: str
    old: Any
    new: Any


@dataclass
class Entry:
    record: Any
    action: str  # tạo mới, sửa, xóa
    state: str = ""  # the row's state label at this record, when it has one
    changes: list[Change] = field(default_factory=list)

    # Templates written for (record, action, changes) tuples keep working.
    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter((self.record, self.action, self.changes))


def display(record: Any, name: str, value: Any) -> Any:
    """``value`` of field ``name`` as a user reads it: a choice's label, the linked row's
    name, a number the Vietnamese way ("63.600,5"), a date as dd/mm/yyyy, else the value."""
    model_field = record._meta.get_field(name)
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if model_field.is_relation and value is not None:
        # A link to another row is named, not numbered (a change of link is rare: one read).
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    if isinstance(value, Decimal) and value.is_finite():
        return format_vn_number(value.normalize() if value else Decimal(0))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    return value


def history_entries(
    records: Sequence[Any],
    *,
    fields: Collection[str] | None = None,
    hidden: Collection[str] = HIDDEN_FIELDS,
) -> list[Entry]:
    """Each record (newest first) with what changed against the previous record of the same
    row in ``records`` (no extra queries). ``fields`` limits the fields compared."""
    out = []
    for i, record in enumerate(records):
        older = next((r for r in records[i + 1 :] if r.id == record.id), None)
        changes = []
        if older is not None:
            delta = record.diff_against(older, included_fields=fields)
            changes = [
                Change(
                    str(record._meta.get_field(c.field).verbose_name),
                    display(record, c.field, c.old),
                    display(record, c.field, c.new),
                )
                for c in delta.changes
                if c.field not in hidden
            ]
        state = display(record, "state", record.state) if hasattr(record, "state") else ""
        out.append(Entry(record, ACTIONS.get(record.history_type, ""), state, changes))
    return out
