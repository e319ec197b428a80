"""Computed status of stored tasks: per task (for pages and the API) and as list filters.

The rules live in the pure ``tasks.status``; this module feeds it the stored deadline and
the tracks' approved completion dates, and expresses the same rules as database conditions
so lists filter, count and order by status without judging rows in Python.

Decisions
---------
- A task's status is the ``rollup`` of its tracks' statuses; a task with no tracks is judged
  with ``completed_on=None``. ``days_overdue`` is the largest of its tracks'.
- The rollup equals judging the deadline once, with one completion date for the whole task:
  NULL while any track is open (or there are none), else the latest track's completion
  (a task is late exactly when its last track was) or, for a RECURRING deadline, the
  earliest (a recurring track's status only gets better as its completion date moves
  later, so the worst track is the earliest). The task stores both dates
  (``Task.completed_on`` / ``first_completed_on``, kept by ``task_completion_refresh``), and
  the conditions below compare them with the deadline columns: no subquery per row. A test
  holds them to the pure function on a table of cases.
- RECURRING tasks are judged per distinct (phrase, start, rhythm): ``recurring_steps``
  turns each into a few date ranges of the completion date, read once per request (one
  small query) instead of once per row. EVENT tasks fall due ``DEFAULT_EVENT_DUE_DAYS`` after the
  recorded event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Expression

from portal.db import AddDays
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
from tasks.models import Task, TaskAssignment, TaskTrack
from tasks.status import (
    DEFAULT_EVENT_DUE_DAYS,
    RecurringSteps,
    Status,
    days_overdue,
    recurring_steps,
    rollup,
    task_status,
)


@dataclass(frozen=True)
class TrackStatus:
    track: TaskTrack
    status: Status


@dataclass(frozen=True)
class TaskStatusView:
    status: Status
    days_overdue: int
    tracks: tuple[TrackStatus, ...]


@lru_cache(maxsize=4096)
def _recurring_deadline(text: str, starts_on: dt.date | None, recurrence: str) -> Deadline:
    """A recurring deadline from its printed phrase (which holds the rhythms and the day of
    the year; it never depends on the document's date) and its stored start."""
    deadline = parse_deadline(text)
    if deadline.kind is not DeadlineKind.RECURRING:  # the parser changed since it was stored
        rhythm = Recurrence(recurrence or Recurrence.YEARLY)
        deadline = Deadline(text, DeadlineKind.RECURRING, recurrence=rhythm, recurrences=(rhythm,))
    return replace(deadline, starts_on=starts_on)


def stored_deadline(task: Task) -> Deadline:
    """The task's deadline from its stored columns. A recurring deadline is read again from
    its printed phrase (pure, cached): its occurrences need parts that are not stored."""
    if task.deadline_kind == StoredKind.RECURRING:
        return _recurring_deadline(task.deadline_text, task.starts_on, task.recurrence)
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

    Uses ``task.track_list()``: fetch a list through ``task_list_related`` (or prefetch
    ``tracks__unit``), or it costs queries per row.
    """
    deadline = stored_deadline(task)

    def judge(completed_on: dt.date | None) -> tuple[Status, int]:
        event_on = task.event_on
        return (
            task_status(deadline, completed_on=completed_on, today=today, event_on=event_on),
            days_overdue(deadline, completed_on=completed_on, today=today, event_on=event_on),
        )

    tracks = task.track_list()
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

_DATED = (StoredKind.DATE, StoredKind.PERIOD)
AGE_BUCKETS = (("1-30", 1, 30), ("31-90", 31, 90), (">90", 91, None))


def age_bucket(days_overdue: int) -> str:
    """The AGE_BUCKETS label of a number of days overdue ("" when not overdue)."""
    for label, low, high in AGE_BUCKETS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return label
    return ""


@dataclass(frozen=True)
class _RecurringGroup:
    steps: RecurringSteps
    member: Q  # the tasks judged by these steps


class StatusQuery:
    """The computed status of tasks on one day as database conditions.

    ``StatusQuery.on(today)`` reads the distinct recurring deadlines (one query); then
    ``filter``, ``exclude``, ``counts`` and ``overdue`` add no per-row work in Python.
    """

    def __init__(
        self, today: dt.date, recurring: Iterable[tuple[str, dt.date | None, str]] = ()
    ) -> None:
        self.today = today
        by_steps: dict[RecurringSteps, dict[tuple[dt.date | None, str], list[str]]] = {}
        for text, starts_on, recurrence in recurring:
            steps = recurring_steps(_recurring_deadline(text, starts_on, recurrence), today)
            by_steps.setdefault(steps, {}).setdefault((starts_on, recurrence), []).append(text)
        self._recurring = []
        for steps, groups in by_steps.items():
            member = Q(pk__in=[])
            for (starts_on, recurrence), texts in groups.items():
                start = Q(starts_on__isnull=True) if starts_on is None else Q(starts_on=starts_on)
                member |= start & Q(recurrence=recurrence) & Q(deadline_text__in=sorted(set(texts)))
            member = Q(deadline_kind=StoredKind.RECURRING) & member
            self._recurring.append(_RecurringGroup(steps, member))

    @classmethod
    def on(cls, today: dt.date) -> StatusQuery:
        pairs = (
            Task.objects.filter(deadline_kind=StoredKind.RECURRING)
            .order_by()
            .values_list("deadline_text", "starts_on", "recurrence")
            .distinct()
        )
        return cls(today, pairs)

    # ------------------------------------------------------------------ building blocks

    def _recurring_condition(self, status: Status) -> Q:
        condition = Q(pk__in=[])
        for group in self._recurring:
            steps = group.steps
            ranges = Q(first_completed_on__isnull=True) if steps.without is status else Q(pk__in=[])
            for index, (first, step_status) in enumerate(steps.steps):
                if step_status is not status:
                    continue
                in_range = Q(first_completed_on__isnull=False)
                if first != dt.date.min:
                    in_range &= Q(first_completed_on__gte=first)
                if index + 1 < len(steps.steps):
                    in_range &= Q(first_completed_on__lt=steps.steps[index + 1][0])
                ranges |= in_range
            condition |= group.member & ranges
        return condition

    def condition(self, status: Status) -> Q:
        """Tasks with ``status`` on the day."""
        today = self.today
        this_quarter_end = quarter_end(today.year, quarter_of(today))
        shift = dt.timedelta(days=DEFAULT_EVENT_DUE_DAYS)
        open_ = Q(completed_on__isnull=True)
        done = Q(completed_on__isnull=False)
        dated = Q(deadline_kind__in=_DATED, due_on__isnull=False)
        undated = Q(deadline_kind=StoredKind.UNKNOWN) | Q(
            deadline_kind__in=_DATED, due_on__isnull=True
        )
        waiting = Q(deadline_kind=StoredKind.EVENT, event_on__isnull=True)
        happened = Q(deadline_kind=StoredKind.EVENT, event_on__isnull=False)
        event_due = AddDays(F("event_on"), DEFAULT_EVENT_DUE_DAYS)
        conditions: dict[Status, Q] = {
            Status.OVERDUE: (dated & Q(due_on__lt=today) & open_)
            | (happened & Q(event_on__lt=today - shift) & open_),
            Status.IN_PROGRESS: (dated & Q(due_on__gte=today, due_on__lte=this_quarter_end) & open_)
            | (
                happened
                & Q(event_on__gte=today - shift, event_on__lte=this_quarter_end - shift)
                & open_
            ),
            Status.NOT_DUE: (dated & Q(due_on__gt=this_quarter_end) & open_)
            | (happened & Q(event_on__gt=this_quarter_end - shift) & open_),
            Status.DONE_LATE: (dated & Q(completed_on__gt=F("due_on")))
            | (happened & Q(completed_on__gt=event_due)),
            Status.DONE_ON_TIME: (dated & Q(completed_on__lte=F("due_on")))
            | (happened & Q(completed_on__lte=event_due))
            | ((undated | waiting) & done),
            Status.UNDETERMINED: undated & open_,
            Status.AWAITING_EVENT: waiting & open_,
            Status.ONGOING: Q(deadline_kind=StoredKind.ONGOING),
        }
        return conditions[status] | self._recurring_condition(status)

    def any_of(self, statuses: Iterable[Status]) -> Q:
        condition = Q(pk__in=[])
        for status in set(statuses):
            condition |= self.condition(status)
        return condition

    # ------------------------------------------------------------------ querysets

    def filter(self, tasks: QuerySet[Task], statuses: Iterable[Status]) -> QuerySet[Task]:
        return tasks.filter(self.any_of(statuses))

    def exclude(self, tasks: QuerySet[Task], statuses: Iterable[Status]) -> QuerySet[Task]:
        return tasks.exclude(self.any_of(statuses))

    def counts(
        self, tasks: QuerySet[Task], statuses: Iterable[Status]
    ) -> tuple[int, dict[Status, int]]:
        """How many ``tasks`` there are, and how many have each status: one query."""
        wanted = list(dict.fromkeys(statuses))
        totals = tasks.order_by().aggregate(
            total=Count("pk"),
            **{status.value: Count("pk", filter=self.condition(status)) for status in wanted},
        )
        return totals["total"], {status: totals[status.value] for status in wanted}

    def missed_due(self) -> Expression:
        """The due date an OVERDUE task missed (NULL for tasks that cannot miss one)."""
        whens = [
            When(Q(deadline_kind__in=_DATED), then=F("due_on")),
            When(
                Q(deadline_kind=StoredKind.EVENT, event_on__isnull=False),
                then=AddDays(F("event_on"), DEFAULT_EVENT_DUE_DAYS),
            ),
        ]
        whens += [
            When(group.member, then=Value(group.steps.missed))
            for group in self._recurring
            if group.steps.missed is not None
        ]
        return Case(*whens, output_field=DateField())

    def overdue(self, tasks: QuerySet[Task]) -> QuerySet[Task]:
        """The OVERDUE tasks among ``tasks``, most overdue first (alias ``missed_due``)."""
        return (
            self.filter(tasks, [Status.OVERDUE])
            .alias(missed_due=self.missed_due())
            .order_by(F("missed_due").asc(nulls_last=True), "id")
        )

    def age_counts(self, overdue: QuerySet[Task]) -> dict[str, int]:
        """``overdue`` (from ``overdue()``) counted in all (``total``), by days overdue (the
        labels of AGE_BUCKETS) and without a lead unit (``without_lead``), in one query."""
        filters = {
            "total": Count("pk"),
            "without_lead": Count("pk", filter=~Q(Exists(_leads()))),
        }
        for label, low, high in AGE_BUCKETS:
            # days = today - missed_due, so low <= days <= high reads as a range of dates.
            bucket = Q(missed_due__lte=self.today - dt.timedelta(days=low))
            if high is not None:
                bucket &= Q(missed_due__gte=self.today - dt.timedelta(days=high))
            filters[label] = Count("pk", filter=bucket)
        return overdue.order_by().aggregate(**filters)


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class GroupCount:
    id: int
    name: str
    count: int


CENTRAL = 0  # the "province" of central units when overdue tasks are counted by province


def _leads() -> QuerySet[TaskAssignment]:
    return TaskAssignment.objects.filter(task=OuterRef("pk"), role=AssignmentRole.LEAD)


def _ranked(rows: Iterable[GroupCount]) -> list[GroupCount]:
    return sorted(rows, key=lambda c: (-c.count, c.name, c.id))


def overdue_by_lead_unit(overdue: QuerySet[Task]) -> list[GroupCount]:
    """Tasks of ``overdue`` counted by lead unit (a task with two leads counts for both),
    most first: one aggregate query."""
    rows = (
        TaskAssignment.objects.filter(role=AssignmentRole.LEAD, task__in=overdue.values("pk"))
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(n=Count("task_id"))
    )
    return _ranked(GroupCount(r["unit_id"], r["unit__name"], r["n"]) for r in rows)


def overdue_by_province(overdue: QuerySet[Task]) -> list[GroupCount]:
    """Tasks of ``overdue`` counted by the province of their lead units (central units under
    ``CENTRAL``, "(Trung ương)"): one aggregate query."""
    rows = (
        TaskAssignment.objects.filter(role=AssignmentRole.LEAD, task__in=overdue.values("pk"))
        .order_by()
        .values("unit__province_id", "unit__province__name")
        .annotate(n=Count("task_id", distinct=True))
    )
    return _ranked(
        GroupCount(
            r["unit__province_id"] or CENTRAL, r["unit__province__name"] or "(Trung ương)", r["n"]
        )
        for r in rows
    )


def overdue_by_document(overdue: QuerySet[Task]) -> list[GroupCount]:
    """Tasks of ``overdue`` counted by document: one aggregate query."""
    rows = (
        Task.objects.filter(pk__in=overdue.values("pk"))
        .order_by()
        .values("document_id", "document__number", "document__title")
        .annotate(n=Count("pk"))
    )
    return _ranked(
        GroupCount(r["document_id"], r["document__number"] or r["document__title"][:120], r["n"])
        for r in rows
    )


def overdue_in_lead_unit(overdue: QuerySet[Task], unit_id: int) -> QuerySet[Task]:
    return overdue.filter(Exists(_leads().filter(unit_id=unit_id)))


def overdue_in_province(overdue: QuerySet[Task], province_id: int) -> QuerySet[Task]:
    if province_id == CENTRAL:
        return overdue.filter(Exists(_leads().filter(unit__province__isnull=True)))
    return overdue.filter(Exists(_leads().filter(unit__province_id=province_id)))


def overdue_without_lead(overdue: QuerySet[Task]) -> QuerySet[Task]:
    return overdue.exclude(Exists(_leads()))


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class OverdueSummary:
    today: dt.date
    total: int
    by_lead_unit: list[GroupCount]
    by_document: list[GroupCount]
    by_age: dict[str, int]


def overdue_summary(tasks: QuerySet[Task], today: dt.date) -> OverdueSummary:
    """Overdue tasks among ``tasks`` (already scoped to the caller) counted by lead unit, by
    document and by days overdue: aggregates in the database, whatever the number of rows."""
    query = StatusQuery.on(today)
    overdue = query.overdue(tasks)
    ages = query.age_counts(overdue)
    total = ages.pop("total")
    ages.pop("without_lead")
    return OverdueSummary(
        today=today,
        total=total,
        by_lead_unit=overdue_by_lead_unit(overdue),
        by_document=overdue_by_document(overdue),
        by_age=ages,
    )
