"""The bulk write of an imported assignment table: a constant number of queries per table,
not per row.

Single writes elsewhere go through ``tasks.services`` (one row, ``full_clean``, history). An
import of a thousand rows cannot afford that (45-49 statements a row), so here the same model
rules are applied once over the batch in Python: every row's ``full_clean`` runs with the
checks that would query the database left out (foreign keys, uniqueness, constraints), and
those are checked over the batch instead (the units are already resolved, one reference per
row, a period starts before it ends). Then tasks, assignments, tracks and their history
(django-simple-history's rows, copied in SQL from the rows written) are written in bulk under
the document's row lock, which serialises two imports of one document; the existing tasks
whose tracks change are locked too (``lock_task``), as every write to a task's tracks does.

Re-import: rows match existing tasks by (document, printed reference) and update them;
assignments and tracks follow the new table, but a track that holds reports is kept. Tasks of
the document the table no longer lists are left as they are and listed (``missing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Value
from django.utils import timezone

from accounts.models import Unit, User
from documents.models import Document
from portal.services import changed_fields
from portal.vietnamese import nfc
from tasks.choices import AssignmentRole
from tasks.deadlines import parse_deadline
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack
from tasks.services import (
    deadline_fields,
    document_reference_date,
    lock_task,
    open_due_refresh,
    task_completion_refresh,
    tracks_wanted,
)

BATCH = 1000  # rows per INSERT/UPDATE statement
# What full_clean leaves to the batch checks here: each of these would query the database.
_TASK_DB_CHECKED = ["document", "parent", "implements"]


@dataclass(frozen=True)
class TaskSpec:
    """One row of the table as it will be written (units already resolved)."""

    line: int
    ref: str
    title: str
    position: int
    parent_ref: str | None
    deadline_text: str
    leads: Sequence[tuple[Unit, str]]
    coordinators: Sequence[tuple[Unit, str]]


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    task_ids: list[int] = field(default_factory=list)


class BulkInvalid(Exception):
    """A row breaks a model rule; nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            label = name if name == "__all__" else str(Task._meta.get_field(name).verbose_name)
            parts.append(f"{label}: {' '.join(errors)}")
        return "; ".join(parts)
    return " ".join(exc.messages)


def _clean(obj: models.Model, exclude: list[str], line: int, errors: list) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.append((line, _messages(exc)))


def _history(model: type[models.Model], ids: Sequence[int], kind: str, user: User | None) -> None:
    """The history rows ("+" created, "~" changed, "-" about to be deleted) of ``ids``, copied
    from the rows themselves by one ``INSERT ... SELECT`` per ``BATCH``: the rows
    django-simple-history's bulk helpers would build one Python object at a time (two thirds
    of an import's time), with the same columns, date, user and no change reason."""
    history = model.history.model  # type: ignore[attr-defined]
    tracked = [f.attname for f in history.tracked_fields]
    stamp = {
        "history_date": Value(timezone.now(), output_field=models.DateTimeField()),
        "history_change_reason": Value("", output_field=models.CharField()),
        "history_type": Value(kind, output_field=models.CharField()),
        "history_user_id": Value(user.pk if user else None, output_field=models.IntegerField()),
    }
    quote = connection.ops.quote_name
    columns = ", ".join(quote(history._meta.get_field(name).column) for name in [*tracked, *stamp])
    for start in range(0, len(ids), BATCH):
        rows = (
            model._default_manager.filter(pk__in=ids[start : start + BATCH])
            .order_by()
            .annotate(**{f"stamp_{name}": value for name, value in stamp.items()})
            .values_list(*tracked, *(f"stamp_{name}" for name in stamp))
        )
        select, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}) {select}",
                params,
            )


def _create(model: type[models.Model], objs: list[Any], user: User | None) -> None:
    if objs:
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        _history(model, [o.pk for o in objs], "+", user)


def _update(
    model: type[models.Model], objs: list[Any], fields: list[str], user: User | None
) -> None:
    if objs:
        model._default_manager.bulk_update(objs, fields, batch_size=BATCH)
        _history(model, [o.pk for o in objs], "~", user)


def _delete(model: type[models.Model], objs: list[Any], user: User | None) -> None:
    if not objs:
        return
    _history(model, [o.pk for o in objs], "-", user)
    # One DELETE: the per-row delete signals would each write the history row written above.
    model._default_manager.filter(pk__in=[o.pk for o in objs])._raw_delete(  # type: ignore[attr-defined]
        model._default_manager.db
    )


def _task_fields(spec: TaskSpec, deadlines: dict[str, dict[str, Any]]) -> dict:
    """The task columns of a row; ``deadlines`` holds each distinct phrase's parsed columns
    (a table repeats a few phrases: "Năm 2023", "Hằng năm")."""
    return {
        "title": nfc(spec.title),
        "position": spec.position,
        **deadlines[spec.deadline_text or ""],
    }


@transaction.atomic
def tasks_bulk_upsert(
    *,
    document: Document,
    specs: Sequence[TaskSpec],
    members: dict[int, list[Unit]],
    user: User | None = None,
) -> BulkResult:
    """Create or update the tasks of ``specs`` in ``document`` with their assignments and
    tracks, in bulk. Raises BulkInvalid (nothing written) when a row breaks a model rule.
    A parent must come before its sub-rows, here or in an earlier call (a chunked import)."""
    result = BulkResult()
    # The one lock: two imports into one document queue here.
    list(Document.objects.select_for_update().filter(pk=document.pk).values("pk"))
    reference = document_reference_date(document)
    deadlines = {
        text: deadline_fields(parse_deadline(text, reference))
        for text in {spec.deadline_text or "" for spec in specs}
    }
    by_ref = {t.ref: t for t in Task.objects.filter(document=document)}
    by_id = {t.pk: t for t in by_ref.values()}
    for task in by_ref.values():  # the parents from this one read (Task.clean reads them)
        if task.parent_id in by_id:
            task.parent = by_id[task.parent_id]
    errors: list[tuple[int, str]] = []
    touched: set[int] = set()  # existing tasks that change (fields, assignments or tracks)

    # -- tasks: decide, then check every row before anything is written
    new_tasks: list[tuple[TaskSpec, Task]] = []
    changed_tasks: dict[str, list[Task]] = {}
    rows: list[tuple[TaskSpec, Task]] = []
    for spec in specs:
        task = by_ref.get(spec.ref)
        fields = _task_fields(spec, deadlines)
        parent = by_ref.get(spec.parent_ref) if spec.parent_ref else None
        if spec.parent_ref and parent is None:
            errors.append((spec.line, f"Không thấy nhiệm vụ cha “{spec.parent_ref}”."))
            continue
        names: list[str] = []
        if task is None:
            task = Task(document=document, ref=spec.ref, parent=parent, **fields)
            new_tasks.append((spec, task))
            by_ref[spec.ref] = task
        else:
            fields["parent"] = parent
            names = changed_fields(task, fields)
            if parent is not None and parent.pk is None and "parent" not in names:
                names.append("parent")  # a parent this import creates: no id to compare yet
            for name in names:
                setattr(task, name, fields[name])
            if names:
                changed_tasks.setdefault(",".join(sorted(names)), []).append(task)
                touched.add(task.pk)
        if task.pk is None or names:
            _clean(task, _TASK_DB_CHECKED, spec.line, errors)
            if task.starts_on and task.due_on and task.starts_on > task.due_on:
                errors.append((spec.line, "Thời hạn bắt đầu sau ngày hoàn thành."))
        rows.append((spec, task))
    if errors:
        raise BulkInvalid(errors)

    existing_ids = [t.pk for _, t in rows if t.pk is not None]

    # -- write the tasks: parents first, so a sub-row gets its parent's id
    first = [t for _, t in new_tasks if t.parent is None or t.parent.pk is not None]
    Task.objects.bulk_create(first, batch_size=BATCH)
    for _, task in rows:  # a parent created just now: its id is known only now
        if task.parent is not None and task.parent_id is None:
            task.parent = task.parent  # re-assigning copies the id and keeps the cached row
    Task.objects.bulk_create([t for _, t in new_tasks if t.pk is None], batch_size=BATCH)
    _history(Task, [t.pk for _, t in new_tasks], "+", user)
    for names, tasks in changed_tasks.items():
        # The derived completion columns are left out: only the refresh below writes them.
        _update(Task, tasks, names.split(","), user)
    task_ids = [t.pk for _, t in rows]
    result.task_ids = task_ids

    # -- assignments
    current: dict[tuple[int, str, int], TaskAssignment] = {
        (a.task_id, a.role, a.unit_id): a
        for a in TaskAssignment.objects.filter(task_id__in=task_ids)
    }
    keep: set[tuple[int, str, int]] = set()
    create_a: list[TaskAssignment] = []
    update_a: list[TaskAssignment] = []
    for spec, task in rows:
        for role, units in (
            (AssignmentRole.LEAD, spec.leads),
            (AssignmentRole.COORDINATE, spec.coordinators),
        ):
            seen: set[int] = set()
            for position, (unit, printed) in enumerate(units):
                if unit.pk in seen:
                    continue
                seen.add(unit.pk)
                key = (task.pk, role.value, unit.pk)
                keep.add(key)
                wanted = {"printed_name": nfc(printed), "position": position}
                assignment = current.get(key)
                if assignment is None:
                    assignment = TaskAssignment(task=task, unit=unit, role=role, **wanted)
                    _clean(assignment, ["task", "unit"], spec.line, errors)
                    create_a.append(assignment)
                elif names := changed_fields(assignment, wanted):
                    for name in names:
                        setattr(assignment, name, wanted[name])
                    _clean(assignment, ["task", "unit"], spec.line, errors)
                    update_a.append(assignment)
    if errors:
        raise BulkInvalid(errors)
    dropped = [a for k, a in current.items() if k not in keep]
    touched.update(a.task_id for a in [*dropped, *create_a, *update_a])
    _delete(TaskAssignment, dropped, user)
    _create(TaskAssignment, create_a, user)
    _update(TaskAssignment, update_a, ["printed_name", "position"], user)

    # -- tracks: one per member of the lead units; a track with reports is never deleted
    if existing_ids:
        lock_task(*existing_ids)
    tracks: dict[tuple[int, int], Any] = {
        (t.task_id, t.unit_id): t
        for t in TaskTrack.objects.filter(task_id__in=task_ids).annotate(
            has_reports=Exists(ProgressReport.objects.filter(track=OuterRef("pk")))
        )
    }
    wanted_tracks: dict[tuple[int, int], Unit | None] = {}
    for spec, task in rows:
        for unit_id, via in tracks_wanted([u for u, _ in spec.leads], members).items():
            wanted_tracks[(task.pk, unit_id)] = via
    gone = [t for k, t in tracks.items() if k not in wanted_tracks and not t.has_reports]
    create_t = [
        TaskTrack(task_id=task_id, unit_id=unit_id, via=via)
        for (task_id, unit_id), via in wanted_tracks.items()
        if (task_id, unit_id) not in tracks
    ]
    update_t = []
    for key, via in wanted_tracks.items():
        track = tracks.get(key)
        if track is not None and track.via_id != (via.pk if via else None):
            track.via = via
            update_t.append(track)
    for track in create_t:
        _clean(track, ["task", "unit", "via"], 0, errors)
    if errors:
        raise BulkInvalid(errors)
    retracked = {t.task_id for t in [*gone, *create_t, *update_t]}
    touched.update(retracked)
    _delete(TaskTrack, gone, user)
    _create(TaskTrack, create_t, user)
    _update(TaskTrack, update_t, ["via"], user)
    # A task created here has no completed track, so its completion columns stay empty as
    # inserted: only the existing tasks whose tracks changed are recomputed.
    task_completion_refresh(task_ids=retracked & set(existing_ids))
    # The stored open due date of every task written (deadlines, leads); the refresh above
    # already covered the existing tasks whose tracks changed.
    open_due_refresh(
        task_ids=(touched - (retracked & set(existing_ids))) | {t.pk for _, t in new_tasks}
    )
    result.created = len(new_tasks)
    result.updated = len(touched & set(existing_ids))
    result.unchanged = len(existing_ids) - result.updated
    return result
