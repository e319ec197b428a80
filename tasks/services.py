"""Every write to tasks, their assignments and tracks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from accounts.models import Unit, expand_units
from documents.models import Document
from portal.services import update_fields_if_changed
from portal.vietnamese import nfc, nfc_multiline
from tasks.choices import AssignmentRole
from tasks.deadlines import Deadline, parse_deadline
from tasks.models import Task, TaskAssignment, TaskTrack

KEEP = object()  # "leave this field as it is" for upserts


def document_reference_date(document: Document) -> dt.date | None:
    """The date a deadline without a year is read against ("trong quý IV" means the year
    the document was issued)."""
    if document.issued_on:
        return document.issued_on
    if document.issued_year:
        return dt.date(document.issued_year, 1, 1)
    return None


def deadline_fields(deadline: Deadline) -> dict[str, Any]:
    """The Task columns that store a parsed deadline."""
    note = deadline.reason or deadline.event or deadline.extra
    return {
        "deadline_text": deadline.text,
        "deadline_kind": deadline.kind.value,
        "due_on": deadline.due_on,
        "starts_on": deadline.starts_on,
        "recurrence": deadline.recurrence.value if deadline.recurrence else "",
        "deadline_normalized": deadline.normalized[:300],
        "deadline_note": note[:300],
    }


@transaction.atomic
def task_upsert(
    *,
    document: Document,
    ref: str,
    title: str,
    description: str = "",
    position: int = 0,
    parent: Task | None = None,
    implements: Task | object | None = KEEP,
    deadline_text: str | None = "",
    leads: Sequence[tuple[Unit, str]] = (),
    coordinators: Sequence[tuple[Unit, str]] = (),
    members: dict[int, list[Unit]] | None = None,
) -> tuple[Task, bool]:
    """Create or update the task at ``ref`` in ``document`` with its assignments and one
    track per lead unit (a collective lead expands to its members, given in ``members``).

    The deadline phrase is kept as printed and parsed against the document's date; an
    unreadable phrase is stored as "unknown" with the reason. ``implements`` is left as it
    is unless given (links are set once every task exists). Nothing changes (and no
    history is written) when the task is already as given.
    """
    deadline = parse_deadline(deadline_text or "", document_reference_date(document))
    task = Task.objects.filter(document=document, ref=ref).first() or Task(
        document=document, ref=ref
    )
    fields: dict[str, Any] = {
        "title": nfc(title),
        "description": nfc_multiline(description),
        "position": position,
        "parent": parent,
        **deadline_fields(deadline),
    }
    if implements is not KEEP:
        fields["implements"] = implements
    changed = update_fields_if_changed(task, fields)
    changed |= _sync_assignments(task, AssignmentRole.LEAD, leads)
    changed |= _sync_assignments(task, AssignmentRole.COORDINATE, coordinators)
    changed |= task_sync_tracks(task=task, members=members or {})
    return task, changed


def _sync_assignments(task: Task, role: str, units: Sequence[tuple[Unit, str]]) -> bool:
    existing = {a.unit_id: a for a in task.assignments.filter(role=role)}
    wanted: dict[int, tuple[int, Unit, str]] = {}
    for position, (unit, printed) in enumerate(units):
        wanted.setdefault(unit.pk, (position, unit, nfc(printed)))
    changed = False
    for unit_id, assignment in existing.items():
        if unit_id not in wanted:
            assignment.delete()
            changed = True
    for unit_id, (position, unit, printed) in wanted.items():
        assignment = existing.get(unit_id) or TaskAssignment(task=task, unit=unit, role=role)
        changed |= update_fields_if_changed(
            assignment, {"printed_name": printed, "position": position}
        )
    return changed


@transaction.atomic
def task_sync_tracks(*, task: Task, members: dict[int, list[Unit]]) -> bool:
    """One track per member unit of the lead units. Tracks that already hold reports are
    never deleted (their history must survive a re-assignment)."""
    leads = [
        a.unit for a in task.assignments.filter(role=AssignmentRole.LEAD).select_related("unit")
    ]
    wanted: dict[int, Unit | None] = {}
    for lead in leads:
        for unit in expand_units([lead], members):
            wanted.setdefault(unit.pk, lead if lead.pk != unit.pk else None)
    existing = {t.unit_id: t for t in task.tracks.all()}
    changed = False
    for unit_id, track in existing.items():
        if unit_id not in wanted and not track.reports.exists():
            track.delete()
            changed = True
    for unit_id, via in wanted.items():
        track = existing.get(unit_id) or TaskTrack(task=task, unit_id=unit_id)
        changed |= update_fields_if_changed(track, {"via": via})
    return changed


@transaction.atomic
def task_record_event(*, task: Task, event_on: dt.date) -> Task:
    """Record that the event an event-triggered task waits for has happened."""
    update_fields_if_changed(task, {"event_on": event_on})
    return task
