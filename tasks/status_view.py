"""Computed status of stored tasks: per task (for pages and the API) and as list filters.

The rules live in the pure ``tasks.status``; this module feeds it the stored deadline and
the tracks' approved completion dates, and expresses the same rules as database conditions
so lists can filter by status without judging every row in Python.

Decisions
---------
- A task's status is the ``rollup`` of its tracks' statuses; a task with no tracks is judged
  with ``completed_on=None``. ``days_overdue`` is the largest of its tracks'.
- DATE, PERIOD, ONGOING and UNKNOWN tasks are judged in the database (the conditions below
  agree with ``tasks.status`` on every case; a test holds them to it). RECURRING and EVENT
  tasks depend on occurrence windows and on the event date plus a grace period, so their
  rows (a small share of any list) are loaded once and judged by the pure function; the
  filter then matches them by id. The result is exact for every status.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from tasks.choices import AssignmentRole
from tasks.choices import DeadlineKind as StoredKind
from tasks.deadlines import (
    Deadline,
    DeadlineKind,
    Recurrence,
    parse_deadline,
    quarter_end,
    quarter_of,
)
from tasks.models import Task, TaskTrack
from tasks.services import document_reference_date
from tasks.status import Status, days_overdue, rollup, task_status

# Kinds whose status needs the pure function row by row (see the module docstring).
_JUDGED_IN_PYTHON = (StoredKind.RECURRING, StoredKind.EVENT)


@dataclass(frozen=True)
class TrackStatus:
    track: TaskTrack
    status: Status


@dataclass(frozen=True)
class TaskStatusView:
    status: Status
    days_overdue: int
    tracks: tuple[TrackStatus, ...]


def stored_deadline(task: Task) -> Deadline:
    """The task's deadline from its stored columns. A recurring deadline is read again from
    its printed phrase (pure and cheap): its occurrences need parts that are not stored."""
    if task.deadline_kind == StoredKind.RECURRING:
        return parse_deadline(task.deadline_text, document_reference_date(task.document))
    return Deadline(
        text=task.deadline_text,
        kind=DeadlineKind(task.deadline_kind),
        due_on=task.due_on,
        starts_on=task.starts_on,
        recurrence=Recurrence(task.recurrence) if task.recurrence else None,
        normalized=task.deadline_normalized,
        reason=task.deadline_note if task.deadline_kind == StoredKind.UNKNOWN else "",
    )


def task_status_for(task: Task, today: dt.date) -> TaskStatusView:
    """Status of a task and of each of its tracks on ``today``.

    Uses ``task.tracks.all()``: prefetch ``tracks__unit`` (and select ``document``) when
    calling this for a list, or it costs queries per row.
    """
    deadline = stored_deadline(task)

    def judge(completed_on: dt.date | None) -> tuple[Status, int]:
        event_on = task.event_on
        return (
            task_status(deadline, completed_on=completed_on, today=today, event_on=event_on),
            days_overdue(deadline, completed_on=completed_on, today=today, event_on=event_on),
        )

    tracks = list(task.tracks.all())
    if not tracks:
        status, overdue_days = judge(None)
        return TaskStatusView(status=status, days_overdue=overdue_days, tracks=())
    judged: list[TrackStatus] = []
    overdue_days = 0
    for track in tracks:
        track_status, track_days = judge(track.completed_on)
        judged.append(TrackStatus(track, track_status))
        overdue_days = max(overdue_days, track_days)
    status = rollup([j.status for j in judged])
    return TaskStatusView(status=status, days_overdue=overdue_days, tracks=tuple(judged))


# --------------------------------------------------------------------------- as filters


def _db_condition(status: Status, today: dt.date) -> Q:
    """Tasks of the kinds judged in the database that have ``status`` on ``today``."""
    tracks = TaskTrack.objects.filter(task=OuterRef("pk"))
    any_track = Q(Exists(tracks))
    open_track = Q(Exists(tracks.filter(completed_on__isnull=True)))
    late_track = Q(Exists(tracks.filter(completed_on__gt=OuterRef("due_on"))))
    is_open = open_track | ~any_track  # a task with no tracks is judged as open
    is_done = any_track & ~open_track
    dated = Q(deadline_kind__in=(StoredKind.DATE, StoredKind.PERIOD), due_on__isnull=False)
    undated = Q(deadline_kind=StoredKind.UNKNOWN) | Q(
        deadline_kind__in=(StoredKind.DATE, StoredKind.PERIOD), due_on__isnull=True
    )
    this_quarter_end = quarter_end(today.year, quarter_of(today))
    conditions: dict[Status, Q] = {
        Status.OVERDUE: dated & Q(due_on__lt=today) & is_open,
        Status.IN_PROGRESS: dated & Q(due_on__gte=today, due_on__lte=this_quarter_end) & is_open,
        Status.NOT_DUE: dated & Q(due_on__gt=this_quarter_end) & is_open,
        Status.DONE_LATE: dated & is_done & late_track,
        Status.DONE_ON_TIME: (dated & is_done & ~late_track) | (undated & is_done),
        Status.UNDETERMINED: undated & is_open,
        Status.ONGOING: Q(deadline_kind=StoredKind.ONGOING),
        Status.AWAITING_EVENT: Q(pk__in=[]),
    }
    return conditions[status]


def status_condition(tasks: QuerySet[Task], statuses: Iterable[Status], today: dt.date) -> Q:
    """A condition matching the rows of ``tasks`` whose computed status is one of
    ``statuses`` on ``today``. Loads and judges only the RECURRING and EVENT rows."""
    wanted = set(statuses)
    condition = Q(pk__in=[])
    for status in wanted:
        condition |= _db_condition(status, today)
    judged = (
        tasks.filter(deadline_kind__in=_JUDGED_IN_PYTHON)
        .select_related("document")
        .prefetch_related("tracks")
        .order_by()
    )
    ids = [task.pk for task in judged if task_status_for(task, today).status in wanted]
    return (~Q(deadline_kind__in=_JUDGED_IN_PYTHON) & condition) | Q(pk__in=ids)


# --------------------------------------------------------------------------- summary

AGE_BUCKETS = (("1-30", 1, 30), ("31-90", 31, 90), (">90", 91, None))


@dataclass(frozen=True)
class Count:
    id: int
    name: str
    count: int


@dataclass(frozen=True)
class OverdueSummary:
    today: dt.date
    total: int
    by_lead_unit: list[Count]
    by_document: list[Count]
    by_age: dict[str, int]


def overdue_summary(tasks: QuerySet[Task], today: dt.date) -> OverdueSummary:
    """Overdue tasks among ``tasks`` (already scoped to the caller) counted by lead unit, by
    document and by days overdue. Uses the same condition as the ``overdue`` filter."""
    overdue = (
        tasks.filter(status_condition(tasks, [Status.OVERDUE], today))
        .select_related("document")
        .prefetch_related("assignments__unit", "tracks")
        .order_by()
    )
    unit_counts: Counter[int] = Counter()
    unit_names: dict[int, str] = {}
    document_counts: Counter[int] = Counter()
    document_names: dict[int, str] = {}
    ages = dict.fromkeys((label for label, _, _ in AGE_BUCKETS), 0)
    total = 0
    for task in overdue:
        total += 1
        document_counts[task.document_id] += 1
        document_names[task.document_id] = task.document.number or task.document.title[:120]
        for assignment in task.assignments.all():
            if assignment.role == AssignmentRole.LEAD:
                unit_counts[assignment.unit_id] += 1
                unit_names[assignment.unit_id] = assignment.unit.name
        days = task_status_for(task, today).days_overdue
        for label, low, high in AGE_BUCKETS:
            if days >= low and (high is None or days <= high):
                ages[label] += 1

    def ranked(counts: Counter[int], names: dict[int, str]) -> list[Count]:
        rows = [Count(pk, names[pk], n) for pk, n in counts.items()]
        return sorted(rows, key=lambda c: (-c.count, c.name, c.id))

    return OverdueSummary(
        today=today,
        total=total,
        by_lead_unit=ranked(unit_counts, unit_names),
        by_document=ranked(document_counts, document_names),
        by_age=ages,
    )
