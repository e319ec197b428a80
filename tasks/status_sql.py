"""Computed status of stored tasks: per task (for pages and the API) and as SQL conditions.

Public entry points (for pages, the API, the XLSX and periodic reports):
- ``task_status_for(task, today)``: the status of one task, its tracks and, for a recurring
  duty, each occurrence with the report that met it, judged by the pure rules
  (``tasks.status`` and ``tasks.occurrences``) on ``today`` (any cut-off date).
- ``StatusQuery.on(day)``: the same rules as database conditions, so lists filter,
  count (``counts``: the 2x2 grid in one query) and order by status on any cut-off date
  without judging rows in Python. Per occurrence, correlated subqueries: for a PAST
  cut-off (a periodic report's ``judge_as_of``), where the stored columns cannot answer.
- ``StatusQuery.current(today)`` (a ``StoredStatusQuery``): today's pages, the API, the
  overdue review and the weekly digest's documents (``StatusQuery.for_day`` picks it for
  today or later, ``on`` for a past day; the reminders' per-track planning still judges
  with ``tasks.status`` from the phrase). It reads the columns ``stored_status_parts`` derives
  from ``task_status_for`` (``Task.open_due_on``, ``met_due_on``, ``met_late``,
  ``closed_status``, kept by ``tasks.services.open_due_refresh`` in the transaction of every
  write that can change them and recomputed by the daily repair), so every status is an
  indexable range of a stored date: OVERDUE is ``open_due_on < today``. A test holds
  ``stored_status_on`` to ``task_status_for`` on several days.

Decisions
---------
- A task's status is the ``rollup`` of its tracks' statuses; a task with no tracks is judged
  with no completion. ``days_overdue`` is the largest of its tracks'.
- DATE, PERIOD and EVENT tasks: the rollup equals judging the deadline once, with one
  completion date for the whole task: NULL while any track is open (or there are none),
  else the latest track's completion (a task is late exactly when its last track was). The
  task stores it (``Task.completed_on``, kept by ``task_completion_refresh``) and the
  conditions below compare it with the deadline columns: no subquery per row.
- RECURRING tasks are judged per occurrence (``tasks.occurrences``): the occurrences come
  from the printed phrase, the document's issue date and its horizon, so the conditions are
  built per distinct (phrase, start, rhythm, issue date, horizon), read once per request
  (one small query); each group's conditions count every track's approved reports of the
  occurrences' closing quarters in correlated subqueries. A test holds them to the pure
  function on a table of cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone

from documents.models import TITLE_LENGTH
from portal.db import YearEnd
from portal.vietnamese import shorten
from tasks.choices import AssignmentRole, ReportState
from tasks.choices import DeadlineKind as StoredKind
from tasks.deadlines import (
    REASON_EMPTY,
    Deadline,
    DeadlineKind,
    Recurrence,
    parse_deadline,
    quarter_end,
    quarter_of,
)
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack
from tasks.occurrences import (
    ApprovedReport,
    JudgedOccurrence,
    Occurrence,
    Schedule,
    first_missed,
    first_period_end,
    judge,
    schedule,
    track_status,
)
from tasks.status import (
    HORIZON_NOTE,
    Status,
    days_overdue,
    due_at_horizon,
    rollup,
    task_status,
)


@dataclass(frozen=True)
class TrackStatus:
    track: TaskTrack
    status: Status
    occurrences: tuple[JudgedOccurrence, ...] = ()


@dataclass(frozen=True)
class TaskOccurrence:
    """One occurrence of a recurring task: its status over every track (``rollup``) and the
    approved reports that met it, with the track each came from."""

    occurrence: Occurrence
    status: Status
    reports: tuple[tuple[TaskTrack | None, ApprovedReport], ...]


@dataclass(frozen=True)
class TaskStatusView:
    status: Status
    days_overdue: int
    tracks: tuple[TrackStatus, ...]
    occurrences: tuple[TaskOccurrence, ...] = ()
    open_ended: bool = False  # recurring, and the document has no horizon
    due_on: dt.date | None = None  # the due date in force (see ``due_basis``)
    due_basis: str = ""  # "printed", "event", "document_horizon", or "" (none)
    # The due date before any extension (printed, the event's, the horizon's); ``due_on``
    # differs from it when an extension approved in time moved it (Task.extended_due_on).
    original_due_on: dt.date | None = None


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
    its printed phrase (pure, cached): its occurrences need parts that are not stored. A
    dated one (printed, or due at the document's horizon) is due on its extension's date
    when an extension approved in time set one (``Task.extended_due_on``)."""
    deadline = printed_deadline(task)
    # Rows read as columns (the reminder scan's) may not carry the extension yet.
    extended = getattr(task, "extended_due_on", None)
    if extended and deadline.kind in (DeadlineKind.DATE, DeadlineKind.PERIOD):
        return replace(deadline, due_on=extended)
    return deadline


def printed_deadline(task: Task) -> Deadline:
    """The task's deadline from its stored columns, before any extension."""
    if task.deadline_kind == StoredKind.RECURRING:
        return _recurring_deadline(task.deadline_text, task.starts_on, task.recurrence)
    if task.deadline_kind == StoredKind.UNKNOWN and task.deadline_note == REASON_EMPTY:
        return due_at_horizon(
            Deadline(task.deadline_text, DeadlineKind.UNKNOWN, reason=REASON_EMPTY),
            task.document.horizon_year,
        )
    return Deadline(
        text=task.deadline_text,
        kind=DeadlineKind(task.deadline_kind),
        due_on=task.due_on,
        starts_on=task.starts_on,
        recurrence=Recurrence(task.recurrence) if task.recurrence else None,
        normalized=task.deadline_normalized,
        reason=task.deadline_note if task.deadline_kind == StoredKind.UNKNOWN else "",
    )


def task_schedule(task: Task, today: dt.date) -> Schedule:
    """The occurrences a recurring task owes (empty for other kinds)."""
    document = task.document
    return schedule(
        stored_deadline(task),
        issued_on=document.issued_on,
        issued_year=document.issued_year,
        horizon_year=document.horizon_year,
        today=today,
    )


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


def approved_reports(track: TaskTrack) -> list[ApprovedReport]:
    """The track's approved reports as the occurrence judge reads them. Uses the list
    ``task_list_related`` prefetches (``prefetched_approved_reports``) when present."""
    rows = track.__dict__.get("prefetched_approved_reports")
    if rows is None:
        rows = [r for r in track.reports.all() if r.state == ReportState.APPROVED]
    return [
        ApprovedReport(
            year=r.period_year,
            quarter=r.period_quarter,
            percent=r.percent,
            completed_on=r.completed_on,
            approved_on=_local_date(r.decided_at or r.updated_at),
            report_id=r.pk,
        )
        for r in rows
        if r.state == ReportState.APPROVED
    ]


def _recurring_status_for(task: Task, today: dt.date) -> TaskStatusView:
    plan = task_schedule(task, today)
    tracks = task.track_list()
    per_track: list[tuple[TaskTrack | None, list[JudgedOccurrence]]] = (
        [(track, judge(plan.occurrences, approved_reports(track), today)) for track in tracks]
        if tracks
        else [(None, judge(plan.occurrences, (), today))]
    )
    judged_tracks: list[TrackStatus] = []
    statuses: list[Status] = []
    overdue_days = 0
    for track, judged in per_track:
        status = track_status(judged, today, open_ended=plan.open_ended)
        statuses.append(status)
        missed = first_missed(judged)
        if missed is not None:
            overdue_days = max(overdue_days, (today - missed).days)
        if track is not None:
            judged_tracks.append(TrackStatus(track, status, tuple(judged)))
    occurrences = tuple(
        TaskOccurrence(
            occurrence=occurrence,
            status=rollup([judged[index].status for _, judged in per_track]),
            reports=tuple(
                (track, report)
                for track, judged in per_track
                if (report := judged[index].report) is not None
            ),
        )
        for index, occurrence in enumerate(plan.occurrences)
    )
    missed = [o.occurrence.due_on for o in occurrences if o.status is Status.OVERDUE]
    coming = [o.occurrence.due_on for o in occurrences if o.occurrence.due_on >= today]
    due_on = (missed or coming or [None])[0]
    return TaskStatusView(
        status=rollup(statuses),
        days_overdue=overdue_days,
        tracks=tuple(judged_tracks),
        occurrences=occurrences,
        open_ended=plan.open_ended,
        due_on=due_on,
        due_basis="printed" if due_on else "",
    )


def task_status_for(task: Task, today: dt.date) -> TaskStatusView:
    """Status of a task, of each of its tracks and (recurring) of each occurrence on ``today``.

    Uses ``task.track_list()`` and ``task.document``: fetch a list through
    ``task_list_related``, or it costs queries per row.
    """
    if task.deadline_kind == StoredKind.RECURRING:
        return _recurring_status_for(task, today)
    deadline = stored_deadline(task)
    # An EVENT task is due on its recorded event's date, or its extension's (as in SQL).
    event_due_on = (task.extended_due_on or task.event_due_on) if task.event_due_on else None

    def judge_one(completed_on: dt.date | None) -> tuple[Status, int]:
        return (
            task_status(
                deadline, completed_on=completed_on, today=today, event_due_on=event_due_on
            ),
            days_overdue(
                deadline, completed_on=completed_on, today=today, event_due_on=event_due_on
            ),
        )

    due_on, basis = deadline.due_on, "printed" if deadline.due_on else ""
    original = printed_deadline(task).due_on
    if deadline.kind is DeadlineKind.EVENT:
        due_on, basis = event_due_on, "event" if task.event_due_on else ""
        original = task.event_due_on
    elif deadline.normalized.startswith(HORIZON_NOTE):
        basis = "document_horizon"
    tracks = task.track_list()
    judged: list[TrackStatus] = []
    overdue_days = 0
    if not tracks:
        status, overdue_days = judge_one(None)
    else:
        for track in tracks:
            track_status_, track_days = judge_one(track.completed_on)
            judged.append(TrackStatus(track, track_status_))
            overdue_days = max(overdue_days, track_days)
        status = rollup([j.status for j in judged])
    return TaskStatusView(
        status=status,
        days_overdue=overdue_days,
        tracks=tuple(judged),
        due_on=due_on,
        due_basis=basis,
        original_due_on=original,
    )


# --------------------------------------------------------------------------- stored


@dataclass(frozen=True)
class StoredParts:
    """What ``Task`` stores so today's lists judge by column comparisons (``StoredStatusQuery``):
    the earliest due date some track has not met, the occurrence met by every track just
    before it (recurring duties, shown done during its own quarter) and whether it was met
    late, and the status while nothing is open."""

    open_due_on: dt.date | None
    met_due_on: dt.date | None = None
    met_late: bool = False
    closed_status: str = ""


_OPEN = frozenset({Status.OVERDUE, Status.IN_PROGRESS, Status.NOT_DUE})
_MET = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE})


def _quarter_after(year: int, quarter: int) -> dt.date:
    return quarter_end(year, quarter) + dt.timedelta(days=1)


def stored_status_parts(task: Task, today: dt.date) -> StoredParts:
    """The stored columns of ``task``, judged by the ONE rule (``task_status_for`` and, for a
    recurring duty, ``tasks.occurrences``) with every report approved by ``today``.

    They do not depend on the day they are read on (so ``stored_status_on`` gives
    ``task_status_for`` on any later day) except for a recurring deadline with no start and
    no document date, which starts afresh each 1 January: the daily repair recomputes it.
    Uses ``task.track_list()`` (with the approved reports) and ``task.document``."""
    if task.deadline_kind != StoredKind.RECURRING:
        view = task_status_for(task, today)
        if view.status in _OPEN:
            return StoredParts(open_due_on=view.due_on)
        return StoredParts(open_due_on=None, closed_status=view.status.value)
    deadline = stored_deadline(task)
    document = task.document
    if deadline.starts_on is None and first_period_end_of(document) is None:
        deadline = replace(deadline, starts_on=dt.date(today.year, 1, 1))
    per_track = [
        [r for r in approved_reports(track) if r.approved_on <= today]
        for track in task.track_list()
    ] or [[]]
    # Far enough that an open-ended schedule reaches an occurrence no report can have met.
    reported = [_quarter_after(r.year, r.quarter) for reports in per_track for r in reports]
    horizon_day = max([today, *reported])
    plan = schedule(
        deadline,
        issued_on=document.issued_on,
        issued_year=document.issued_year,
        horizon_year=document.horizon_year,
        today=horizon_day,
    )
    judged = [judge(plan.occurrences, reports, horizon_day) for reports in per_track]
    met_due_on, met_late, any_late = None, False, False
    for index, occurrence in enumerate(plan.occurrences):
        statuses = [track[index].status for track in judged]
        if not all(status in _MET for status in statuses):
            return StoredParts(occurrence.due_on, met_due_on, met_late)
        met_due_on = occurrence.due_on
        met_late = Status.DONE_LATE in statuses
        any_late |= met_late
    if not plan.occurrences:
        return StoredParts(None, closed_status=Status.UNDETERMINED.value)
    closed = Status.DONE_LATE if any_late else Status.DONE_ON_TIME
    return StoredParts(None, closed_status=closed.value)


def first_period_end_of(document: Any) -> dt.date | None:
    return first_period_end(document.issued_on, document.issued_year)


def stored_status_on(parts: StoredParts, today: dt.date) -> Status:
    """The status on ``today`` from the stored columns: what ``StoredStatusQuery`` computes
    in SQL, here for the tests that hold it to ``task_status_for``."""
    this_quarter_end = quarter_end(today.year, quarter_of(today))
    due, met = parts.open_due_on, parts.met_due_on
    if due is not None and due < today:
        return Status.OVERDUE
    if due is not None and met is not None and today <= met <= this_quarter_end:
        return Status.DONE_LATE if parts.met_late else Status.DONE_ON_TIME
    if due is not None:
        return Status.IN_PROGRESS if due <= this_quarter_end else Status.NOT_DUE
    return Status(parts.closed_status or Status.UNDETERMINED)


# --------------------------------------------------------------------------- as filters

_DATED = (StoredKind.DATE, StoredKind.PERIOD)
# Printed with no deadline at all (not an unreadable phrase): due at the document's horizon.
_BY_HORIZON = Q(deadline_kind=StoredKind.UNKNOWN, deadline_note=REASON_EMPTY)
AGE_BUCKETS = (("1-30", 1, 30), ("31-90", 31, 90), (">90", 91, None))


def age_bucket(days_overdue: int) -> str:
    """The AGE_BUCKETS label of a number of days overdue ("" when not overdue)."""
    for label, low, high in AGE_BUCKETS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return label
    return ""


_GroupKey = tuple[dt.date | None, str, dt.date | None, int | None, int | None]
_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class _RecurringGroup:
    plan: Schedule
    member: Q  # the tasks that owe these occurrences


def _period_key(year: int, quarter: int) -> int:
    return year * 10 + quarter


class StatusQuery:
    """The computed status of tasks on one day as database conditions.

    ``StatusQuery.on(today)`` reads the distinct recurring deadlines (one query); then
    ``filter``, ``exclude``, ``counts`` and ``overdue`` add no per-row work in Python.
    ``today`` may be any cut-off date: a report approved after it does not count yet.
    """

    def __init__(
        self,
        today: dt.date,
        recurring: Iterable[
            tuple[str, dt.date | None, str, dt.date | None, int | None, int | None]
        ] = (),
    ) -> None:
        self.today = today
        tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)
        self._cutoff = timezone.make_aware(tomorrow, ZoneInfo(settings.TIME_ZONE))
        by_plan: dict[Schedule, dict[_GroupKey, list[str]]] = {}
        for text, starts_on, recurrence, issued_on, issued_year, horizon_year in recurring:
            plan = schedule(
                _recurring_deadline(text, starts_on, recurrence),
                issued_on=issued_on,
                issued_year=issued_year,
                horizon_year=horizon_year,
                today=today,
            )
            key = (starts_on, recurrence, issued_on, issued_year, horizon_year)
            by_plan.setdefault(plan, {}).setdefault(key, []).append(text)
        self._recurring: list[_RecurringGroup] = []
        for plan, groups in by_plan.items():
            member = _NOTHING
            for (starts_on, recurrence, issued_on, issued_year, horizon_year), texts in sorted(
                groups.items(), key=repr
            ):
                member |= (
                    _equal("starts_on", starts_on)
                    & Q(recurrence=recurrence)
                    & _equal("document__issued_on", issued_on)
                    & _equal("document__issued_year", issued_year)
                    & _equal("document__horizon_year", horizon_year)
                    & Q(deadline_text__in=sorted(set(texts)))
                )
            member = Q(deadline_kind=StoredKind.RECURRING) & member
            self._recurring.append(_RecurringGroup(plan, member))

    @staticmethod
    def recurring_keys() -> QuerySet[Task, tuple[Any, ...]]:
        """The distinct (phrase, start, rhythm, issue date, issue year, horizon year) of the
        recurring tasks: what their schedules depend on, one group of conditions each."""
        return (
            Task.objects.filter(deadline_kind=StoredKind.RECURRING)
            .order_by()
            .values_list(
                "deadline_text",
                "starts_on",
                "recurrence",
                "document__issued_on",
                "document__issued_year",
                "document__horizon_year",
            )
            .distinct()
        )

    @classmethod
    def on(cls, today: dt.date) -> StatusQuery:
        """Per occurrence, on any cut-off date (a past one: reports' ``judge_as_of``)."""
        return cls(today, cls.recurring_keys())

    @classmethod
    def current(cls, today: dt.date | None = None) -> StatusQuery:
        """Today (or a later day) from the stored columns: ``StoredStatusQuery``."""
        return StoredStatusQuery(today or timezone.localdate())

    @classmethod
    def for_day(cls, day: dt.date) -> StatusQuery:
        """``current`` for today or a later day, ``on`` (per occurrence) for a past one."""
        return cls.current(day) if day >= timezone.localdate() else cls.on(day)

    # ------------------------------------------------------------------ recurring

    def _met_reports(self) -> QuerySet[ProgressReport]:
        """Approved reports that mark their occurrence done, approved by the cut-off."""
        return (
            ProgressReport.objects.filter(
                state=ReportState.APPROVED, percent=100, completed_on__isnull=False
            )
            .alias(
                approved_at=Coalesce("decided_at", "updated_at"),
                period_key=ExpressionWrapper(
                    F("period_year") * 10 + F("period_quarter"), output_field=IntegerField()
                ),
            )
            .filter(approved_at__lt=self._cutoff)
        )

    def _track_missing(self, occurrence: Occurrence) -> Q:
        """Some track of the task has no report meeting ``occurrence``."""
        met = self._met_reports().filter(
            track=OuterRef("pk"), period_key=_period_key(*occurrence.period)
        )
        return Q(Exists(TaskTrack.objects.filter(task=OuterRef("pk")).exclude(Exists(met))))

    def _track_missed_any(self, past: list[Occurrence]) -> Q:
        """Some track of the task lacks a report for one of the ``past`` occurrences."""
        keys = [_period_key(*o.period) for o in past]
        met_count = (
            self._met_reports()
            .filter(track=OuterRef("pk"), period_key__in=keys)
            .order_by()
            .values("track")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        short = (
            TaskTrack.objects.filter(task=OuterRef("pk"))
            .alias(met=Coalesce(Subquery(met_count, output_field=IntegerField()), 0))
            .filter(met__lt=len(keys))
        )
        return Q(Exists(short))

    def _late(self, occurrences: Iterable[Occurrence]) -> Q:
        """Some occurrence was met late (completed or approved after its due date)."""
        late = _NOTHING
        for occurrence in occurrences:
            day_after = dt.datetime.combine(occurrence.due_on + dt.timedelta(days=1), dt.time.min)
            late |= Q(period_key=_period_key(*occurrence.period)) & (
                Q(completed_on__gt=occurrence.due_on)
                | Q(approved_at__gte=timezone.make_aware(day_after, ZoneInfo(settings.TIME_ZONE)))
            )
        return Q(Exists(self._met_reports().filter(late, track__task=OuterRef("pk"))))

    def _group_conditions(self, plan: Schedule) -> dict[Status, Q]:
        """``tasks.occurrences.track_status`` rolled up over the tracks, as conditions."""
        occurrences = list(plan.occurrences)
        if not occurrences:
            return {Status.UNDETERMINED: Q()}
        today = self.today
        this_quarter_end = quarter_end(today.year, quarter_of(today))
        past = [o for o in occurrences if o.due_on < today]
        later = [o for o in occurrences if o.due_on >= today]
        no_tracks = ~Q(Exists(TaskTrack.objects.filter(task=OuterRef("pk"))))
        missed = (self._track_missed_any(past) | no_tracks) if past else _NOTHING
        rest = ~missed if past else Q()
        if not later:  # after the last occurrence: done, or missed for good
            late = self._late(occurrences)
            return {
                Status.OVERDUE: missed,
                Status.DONE_LATE: rest & late,
                Status.DONE_ON_TIME: rest & ~late,
            }
        current = later[0]
        is_last = len(later) == 1 and not plan.open_ended
        open_current = self._track_missing(current) | no_tracks
        conditions = {Status.OVERDUE: missed}
        if current.due_on <= this_quarter_end:
            conditions[Status.IN_PROGRESS] = rest & open_current
        elif is_last:
            conditions[Status.NOT_DUE] = rest & open_current
        else:
            conditions[Status.NOT_DUE] = rest
            return conditions
        if is_last:
            late = self._late(occurrences)
            conditions[Status.DONE_LATE] = rest & ~open_current & late
            conditions[Status.DONE_ON_TIME] = rest & ~open_current & ~late
        else:
            conditions[Status.DONE_ON_TIME] = rest & ~open_current
        return conditions

    def _recurring_condition(self, status: Status) -> Q:
        condition = _NOTHING
        for group in self._recurring:
            found = self._group_conditions(group.plan).get(status)
            if found is not None:
                condition |= group.member & found
        return condition

    def _recurring_missed_due(self, group: _RecurringGroup) -> Expression | None:
        """The earliest occurrence some track of the task missed."""
        past = [o for o in group.plan.occurrences if o.due_on < self.today]
        if not past:
            return None
        no_tracks = ~Q(Exists(TaskTrack.objects.filter(task=OuterRef("pk"))))
        whens = [When(no_tracks, then=Value(past[0].due_on))]
        whens += [When(self._track_missing(o), then=Value(o.due_on)) for o in past]
        return Case(*whens, output_field=DateField())

    # ------------------------------------------------------------------ building blocks

    def condition(self, status: Status) -> Q:
        """Tasks with ``status`` on the day."""
        today = self.today
        this_quarter_end = quarter_end(today.year, quarter_of(today))
        open_ = Q(completed_on__isnull=True)
        done = Q(completed_on__isnull=False)
        # DATE and PERIOD on their due date, EVENT on the due date its recorded event set,
        # each moved by an extension approved in time (``extended_due_on``) where there is one.
        due = Coalesce("extended_due_on", "due_on")
        event_due = Coalesce("extended_due_on", "event_due_on")
        dated = Q(deadline_kind__in=_DATED, due_on__isnull=False)
        happened = Q(deadline_kind=StoredKind.EVENT, event_due_on__isnull=False)
        # Printed without a deadline: due at the end of the document's horizon year.
        by_horizon = _BY_HORIZON & Q(document__horizon_year__isnull=False)
        horizon = "document__horizon_year"
        horizon_due = Coalesce("extended_due_on", YearEnd(F(horizon)))
        undated = (Q(deadline_kind=StoredKind.UNKNOWN) & ~by_horizon) | Q(
            deadline_kind__in=_DATED, due_on__isnull=True
        )
        waiting = Q(deadline_kind=StoredKind.EVENT, event_due_on__isnull=True)
        conditions: dict[Status, Q] = {
            Status.OVERDUE: open_
            & (
                (dated & Q(LessThan(due, today)))
                | (happened & Q(LessThan(event_due, today)))
                | (by_horizon & Q(LessThan(horizon_due, today)))
            ),
            Status.IN_PROGRESS: open_
            & (
                (dated & _between(due, today, this_quarter_end))
                | (happened & _between(event_due, today, this_quarter_end))
                | (by_horizon & _between(horizon_due, today, this_quarter_end))
            ),
            Status.NOT_DUE: open_
            & (
                (dated & Q(GreaterThan(due, this_quarter_end)))
                | (happened & Q(GreaterThan(event_due, this_quarter_end)))
                | (by_horizon & Q(GreaterThan(horizon_due, this_quarter_end)))
            ),
            Status.DONE_LATE: (dated & Q(GreaterThan(F("completed_on"), due)))
            | (happened & Q(GreaterThan(F("completed_on"), event_due)))
            | (by_horizon & Q(GreaterThan(F("completed_on"), horizon_due))),
            Status.DONE_ON_TIME: (dated & Q(LessThanOrEqual(F("completed_on"), due)))
            | (happened & Q(LessThanOrEqual(F("completed_on"), event_due)))
            | (by_horizon & Q(LessThanOrEqual(F("completed_on"), horizon_due)))
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
            When(Q(deadline_kind__in=_DATED), then=Coalesce("extended_due_on", "due_on")),
            When(
                Q(deadline_kind=StoredKind.EVENT, event_due_on__isnull=False),
                then=Coalesce("extended_due_on", "event_due_on"),
            ),
            When(
                _BY_HORIZON & Q(document__horizon_year__isnull=False),
                then=Coalesce("extended_due_on", YearEnd(F("document__horizon_year"))),
            ),
        ]
        for group in self._recurring:
            missed = self._recurring_missed_due(group)
            if missed is not None:
                whens.append(When(group.member, then=missed))
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
        labels of AGE_BUCKETS, by the pure ``age_bucket``) and without a lead unit
        (``without_lead``), in one query. Each row's missed due date is computed once and
        counted here: as aggregate filters, the recurring duties' per-occurrence CASE was
        evaluated once per bucket edge for every row (seconds on a few thousand tasks)."""
        counts = {"total": 0, "without_lead": 0, **{label: 0 for label, _, _ in AGE_BUCKETS}}
        rows = (
            overdue.order_by()
            .annotate(missed=F("missed_due"), has_lead=Exists(_leads()))
            .values_list("missed", "has_lead")
        )
        for missed, has_lead in rows.iterator(chunk_size=5000):
            counts["total"] += 1
            counts["without_lead"] += not has_lead
            if missed is not None:
                label = age_bucket((self.today - missed).days)
                if label:
                    counts[label] += 1
        return counts


class StoredStatusQuery(StatusQuery):
    """Today's status from the stored columns (``StoredParts``, kept by
    ``tasks.services.open_due_refresh``): every status is a range of ``open_due_on`` (or
    ``met_due_on``) or a value of ``closed_status``, so each branch can use an index, and a
    list, its counts and its groups never judge an occurrence again. Valid for the day the
    stored values were last refreshed and any later day (the daily repair keeps the
    yearly-restart duties right); for a past cut-off use ``StatusQuery.on``."""

    def __init__(self, today: dt.date) -> None:
        super().__init__(today)

    def condition(self, status: Status) -> Q:
        today = self.today
        this_quarter_end = quarter_end(today.year, quarter_of(today))
        shown_met = Q(met_due_on__gte=today, met_due_on__lte=this_quarter_end)
        not_past = Q(open_due_on__gte=today)
        closed = Q(open_due_on__isnull=True, closed_status=status.value)
        if status is Status.OVERDUE:
            return Q(open_due_on__lt=today)
        if status is Status.IN_PROGRESS:
            return not_past & Q(open_due_on__lte=this_quarter_end) & ~shown_met
        if status is Status.NOT_DUE:
            return (Q(open_due_on__gt=this_quarter_end) & ~shown_met) | closed
        if status in _MET:
            late = status is Status.DONE_LATE
            return (not_past & shown_met & Q(met_late=late)) | closed
        return closed

    def status_case(self) -> Case:
        """The status as one CASE over the stored columns (for a GROUP BY)."""
        today = self.today
        this_quarter_end = quarter_end(today.year, quarter_of(today))
        shown_met = Q(met_due_on__gte=today, met_due_on__lte=this_quarter_end)
        return Case(
            When(open_due_on__lt=today, then=Value(Status.OVERDUE.value)),
            When(
                Q(open_due_on__isnull=False) & shown_met & Q(met_late=True),
                then=Value(Status.DONE_LATE.value),
            ),
            When(
                Q(open_due_on__isnull=False) & shown_met,
                then=Value(Status.DONE_ON_TIME.value),
            ),
            When(open_due_on__lte=this_quarter_end, then=Value(Status.IN_PROGRESS.value)),
            When(open_due_on__isnull=False, then=Value(Status.NOT_DUE.value)),
            default=F("closed_status"),
        )

    def counts(
        self, tasks: QuerySet[Task], statuses: Iterable[Status]
    ) -> tuple[int, dict[Status, int]]:
        """How many ``tasks`` there are, and how many have each status: one GROUP BY over
        the status CASE."""
        rows = (
            tasks.order_by()
            .annotate(stored_status=self.status_case())
            .values("stored_status")
            .annotate(n=Count("pk"))
            .values_list("stored_status", "n")
        )
        found = dict(rows)
        wanted = list(dict.fromkeys(statuses))
        return sum(found.values()), {status: found.get(status.value, 0) for status in wanted}

    def missed_due(self) -> Expression:
        return F("open_due_on")

    def overdue(self, tasks: QuerySet[Task]) -> QuerySet[Task]:
        return (
            tasks.filter(open_due_on__lt=self.today)
            .alias(missed_due=F("open_due_on"))
            .order_by("open_due_on", "id")
        )

    def age_counts(self, overdue: QuerySet[Task]) -> dict[str, int]:
        """``overdue`` counted in all, by days overdue and without a lead unit: one
        aggregate over the stored date (the bucket edges are dates)."""
        buckets: dict[str, Any] = {}
        for label, low, high in AGE_BUCKETS:
            window = Q(open_due_on__lte=self.today - dt.timedelta(days=low))
            if high is not None:
                window &= Q(open_due_on__gte=self.today - dt.timedelta(days=high))
            buckets[label] = Count("pk", filter=window)
        totals = overdue.order_by().aggregate(
            total=Count("pk"), without_lead=Count("pk", filter=Q(has_lead=False)), **buckets
        )
        return {key: totals[key] for key in ("total", "without_lead", *buckets)}


def _between(due: Expression, first: dt.date, last: dt.date) -> Q:
    return Q(GreaterThanOrEqual(due, first)) & Q(LessThanOrEqual(due, last))


def _equal(field: str, value: object) -> Q:
    return Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})


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
        GroupCount(
            r["document_id"],
            r["document__number"] or shorten(r["document__title"], TITLE_LENGTH),
            r["n"],
        )
        for r in rows
    )


def overdue_in_lead_units(overdue: QuerySet[Task], unit_ids: Iterable[int]) -> QuerySet[Task]:
    """Led by one of ``unit_ids`` (a unit and those it answers for, from the access module)."""
    return overdue.filter(Exists(_leads().filter(unit_id__in=sorted(unit_ids))))


def overdue_in_provinces(overdue: QuerySet[Task], province_ids: Iterable[int]) -> QuerySet[Task]:
    """Led by a unit of one of ``province_ids`` (``CENTRAL``: of no province)."""
    ids = set(province_ids)
    if CENTRAL in ids:
        return overdue.filter(Exists(_leads().filter(unit__province__isnull=True)))
    return overdue.filter(Exists(_leads().filter(unit__province_id__in=sorted(ids))))


def overdue_without_lead(overdue: QuerySet[Task]) -> QuerySet[Task]:
    return overdue.filter(has_lead=False)


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
    query = StatusQuery.current(today)
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
