"""What reminders are owed: the daily scan plans them from the tasks' columns (who, when,
which window) and records them once (the unique ``Reminder.key`` decides); the weekly overdue
digest is planned only for reviewers who have not got this week's yet."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.access import Directory, indicator_scopes, track_unit
from accounts.choices import Role
from accounts.models import Unit, User, expand_units
from accounts.selectors import group_members
from indicators.models import IndicatorValue
from notifications.models import (
    MUTABLE_KINDS,
    Channel,
    Kind,
    Mode,
    NotificationPreference,
    Reminder,
    ReminderStatus,
)
from notifications.schedule import (
    ReportPeriod,
    occurrence_done,
    offset_window,
    report_reminders,
    track_due,
    track_reminders,
    week_start,
)
from tasks.choices import AssignmentRole, ReportState
from tasks.choices import DeadlineKind as StoredKind
from tasks.deadlines import Deadline
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack
from tasks.status import Status, days_overdue, due_date, task_status
from tasks.status_sql import StatusQuery, stored_deadline

logger = logging.getLogger(__name__)

# A claim older than this is taken to be lost (longer than the broker's visibility timeout,
# so a message Redis redelivers gets the first chance to finish its own claim).
CLAIM_TIMEOUT = dt.timedelta(hours=2)
_DATED = (StoredKind.DATE, StoredKind.PERIOD)


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Config:
    offsets: tuple[int, ...]
    coordinate_offsets: tuple[int, ...]
    overdue_window: int
    report_offsets: tuple[int, ...]
    report_due_day: int

    @classmethod
    def from_settings(cls) -> Config:
        return cls(
            offsets=tuple(getattr(settings, "REMINDER_OFFSETS_DAYS", (30, 14, 7, 1))),
            coordinate_offsets=tuple(
                getattr(settings, "REMINDER_COORDINATE_OFFSETS_DAYS", (30, 14))
            ),
            overdue_window=getattr(settings, "REMINDER_OVERDUE_WINDOW_DAYS", 7),
            report_offsets=tuple(getattr(settings, "REMINDER_REPORT_OFFSETS_DAYS", (10, 1))),
            report_due_day=getattr(settings, "REMINDER_REPORT_DUE_DAY", 25),
        )


def today_local() -> dt.date:
    """Today in Asia/Ho_Chi_Minh (the project's TIME_ZONE)."""
    return timezone.localdate()


def reminder_key(kind: str, scope: str, due_on: dt.date, offset: int, recipient_id: int) -> str:
    """The idempotency key: kind, scope, due date, offset window and recipient."""
    return f"{kind}:{scope}:{due_on.isoformat()}:{offset}:u{recipient_id}"


# --------------------------------------------------------------------------- who is who

MUTABLE = frozenset(str(kind) for kind in MUTABLE_KINDS)


DEFAULT_MODE = NotificationPreference._meta.get_field("mode").default


def channel_for(preference: NotificationPreference | None, kind: str) -> str:
    """How a notification of ``kind`` reaches someone with ``preference`` (None: the
    default, the daily digest). The digests themselves always go out as they are."""
    if kind in (Kind.OVERDUE_DIGEST, Kind.DAILY_DIGEST):
        return Channel.IMMEDIATE
    mode = preference.mode if preference is not None else DEFAULT_MODE
    return Channel.DIGEST if mode == Mode.DAILY_DIGEST else Channel.IMMEDIATE


class People:
    """Who acts for which unit and reviews which document today (the access module's
    ``Directory``: the same rule as the pages, loaded once, when first asked: a decision's
    notification goes to the author and needs none), with the preferences: everybody's for
    the scan, or only the recipients' (``load_preferences``) for one notification."""

    def __init__(self, today: dt.date, *, preferences: bool = True) -> None:
        self.today = today
        self.preferences: dict[int, NotificationPreference] = {}
        if preferences:
            self.load_preferences()

    @cached_property
    def directory(self) -> Directory:
        return Directory(self.today)

    @property
    def users(self) -> dict[int, User]:
        return self.directory.users

    @cached_property
    def reviewer_units(self) -> dict[int, frozenset[int]]:
        return {
            user_id: access.reviewing
            for user_id, access in self.directory.access.items()
            if access.reviewing
        }

    def load_preferences(self, user_ids: Iterable[int] | None = None) -> None:
        rows = NotificationPreference.objects.all()
        if user_ids is not None:
            rows = rows.filter(user_id__in=list(user_ids))
        self.preferences = {p.user_id: p for p in rows}

    def officers(self, unit_id: int, *, fallback: bool = True) -> list[User]:
        """Officers acting for the unit (its successor's, after a merger) first; a unit with
        no officer on the portal reaches its leaders instead (``fallback``), so the reminder
        still lands somewhere."""
        officers = self.directory.people(unit_id, Role.OFFICER)
        return officers or (self.leaders(unit_id) if fallback else [])

    def leaders(self, unit_id: int) -> list[User]:
        return self.directory.people(unit_id, Role.LEADER)

    def track_leaders(self, track: TaskTrack) -> list[User]:
        """The leaders of the unit that answers for a track (``accounts.access.track_unit``)."""
        return self.leaders(track_unit(track))

    def value_leaders(self, value: IndicatorValue) -> list[User]:
        """The leaders who decide on an indicator value: those whose indicator scopes hold
        its scope (``accounts.access.indicator_scopes``, the rule the approval checks). Asked
        only of the leaders of the scope and of the units in its province or in a province
        that answers for it (one query): nobody else can hold the scope."""
        answering = self.directory.successions.answering(value.scope_id, self.today)
        units = Unit.objects.filter(Q(pk__in=answering) | Q(province_id__in=answering))
        candidates: dict[int, User] = {}
        for unit_id in units.values_list("pk", flat=True):
            for user in self.leaders(unit_id):
                candidates.setdefault(user.pk, user)
        return [
            user
            for user in candidates.values()
            if value.scope_id in indicator_scopes(user, Role.LEADER)
        ]

    def reviewer_scope(self, user_id: int) -> frozenset[int] | None:
        """Document ids a reviewer reviews; None means every document."""
        return self.directory.reviewed_documents(user_id)

    def wants(self, user: User, kind: str) -> bool:
        preference = self.preferences.get(user.pk)
        return preference is None or kind not in preference.muted_kinds or kind not in MUTABLE

    def channel(self, user: User, kind: str) -> str:
        return channel_for(self.preferences.get(user.pk), kind)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Planned:
    """A reminder the scan finds owed today (not yet known to be new)."""

    key: str
    kind: str
    recipient: User
    due_on: dt.date
    offset: int
    days_left: int
    channel: str
    task_id: int | None = None
    track_id: int | None = None
    unit_id: int | None = None
    about: str = ""  # the task ("<document number> <ref>") or the unit, for listings

    def describe(self) -> str:
        what = self.about or "-"
        return (
            f"{self.kind:<15} {self.recipient.username:<20} {what[:60]:<60} "
            f"hạn {self.due_on:%d/%m/%Y} (còn {self.days_left} ngày) [{self.channel}]"
        )


@dataclass
class _Plan:
    people: People
    today: dt.date
    items: dict[str, Planned] = field(default_factory=dict)

    def add(
        self,
        kind: str,
        scope: str,
        recipients: Iterable[User],
        *,
        due_on: dt.date,
        offset: int,
        days_left: int,
        task_id: int | None = None,
        track_id: int | None = None,
        unit_id: int | None = None,
        about: str = "",
    ) -> None:
        for user in recipients:
            if not self.people.wants(user, kind):
                continue
            key = reminder_key(kind, scope, due_on, offset, user.pk)
            self.items.setdefault(
                key,
                Planned(
                    key=key,
                    kind=kind,
                    recipient=user,
                    due_on=due_on,
                    offset=offset,
                    days_left=days_left,
                    channel=self.people.channel(user, kind),
                    task_id=task_id,
                    track_id=track_id,
                    unit_id=unit_id,
                    about=about,
                ),
            )


@dataclass(frozen=True)
class _TrackRow:
    """The columns of a track and its task that planning reads (no model instances: at
    national size a day's candidates are some 100,000 tracks). The deadline columns carry
    the task's names, so ``stored_deadline`` reads them as it reads a task."""

    track_id: int
    unit_id: int
    handed_to_id: int | None
    completed_on: dt.date | None
    task_id: int
    deadline_kind: str
    deadline_text: str
    due_on: dt.date | None
    starts_on: dt.date | None
    recurrence: str
    deadline_normalized: str
    deadline_note: str
    event_due_on: dt.date | None
    about: str


_TRACK_COLUMNS = (
    "pk", "unit_id", "handed_to_id", "completed_on", "task_id", "task__deadline_kind",
    "task__deadline_text", "task__due_on", "task__starts_on", "task__recurrence",
    "task__deadline_normalized", "task__deadline_note", "task__event_due_on", "task__ref",
    "task__document__number", "task__document__slug",
)  # fmt: skip


def _candidate_tracks(today: dt.date, config: Config) -> Iterable[_TrackRow]:
    """Tracks that may owe a reminder today; dated ones are narrowed in the database."""
    horizon = max((*config.offsets, *config.coordinate_offsets, 0))
    dated = Q(
        task__deadline_kind__in=_DATED,
        completed_on__isnull=True,
        task__due_on__gte=today - dt.timedelta(days=config.overdue_window),
        task__due_on__lte=today + dt.timedelta(days=horizon),
    )
    recurring = Q(task__deadline_kind=StoredKind.RECURRING)
    event = Q(
        task__deadline_kind=StoredKind.EVENT,
        task__event_due_on__isnull=False,
        completed_on__isnull=True,
    )
    rows = (
        TaskTrack.objects.filter(dated | recurring | event)
        .order_by("task_id", "unit_id")
        .values_list(*_TRACK_COLUMNS)
    )
    for *columns, ref, number, slug in rows.iterator(chunk_size=5000):
        yield _TrackRow(*columns, about=f"{number or slug} {ref}")


@dataclass(frozen=True)
class _UnitRef:
    """What ``expand_units`` reads of a unit without members (its id)."""

    pk: int
    is_group: bool


def _coordinators(task_ids: Iterable[int]) -> dict[int, list[int]]:
    """Coordinating unit ids per task, collective units expanded to their members (read as
    columns: a national day asks this of some 10,000 tasks)."""
    members = group_members()
    found: dict[int, list[Any]] = defaultdict(list)
    rows = (
        TaskAssignment.objects.filter(task_id__in=list(task_ids), role=AssignmentRole.COORDINATE)
        .order_by("task_id", "position", "pk")
        .values_list("task_id", "unit_id", "unit__kind")
    )
    for task_id, unit_id, kind in rows:
        # only a unit with members can expand (any other stands for itself): a few are built
        unit = Unit(pk=unit_id, kind=kind) if unit_id in members else _UnitRef(unit_id, False)
        found[task_id].append(unit)
    return {
        task_id: [unit.pk for unit in expand_units(units, members)]
        for task_id, units in found.items()
    }


def _plan_tracks(plan: _Plan, config: Config) -> None:
    today, people = plan.today, plan.people
    coordinate_due: dict[tuple[int, dt.date], tuple[str, int]] = {}
    deadlines: dict[int, Deadline] = {}
    # What a deadline owes today depends only on it and the track's dates; recurring tasks
    # share a few hundred phrases, so each combination is judged once per scan.
    judged: dict[tuple[Deadline, dt.date | None, dt.date | None], tuple[Any, Any]] = {}
    for track in _candidate_tracks(today, config):
        task_id = track.task_id
        if task_id not in deadlines:  # the row has the task's deadline columns
            deadlines[task_id] = stored_deadline(track)  # type: ignore[arg-type]
        deadline = deadlines[task_id]
        key = (deadline, track.completed_on, track.event_due_on)
        if key not in judged:
            judged[key] = (
                track_reminders(
                    deadline,
                    completed_on=track.completed_on,
                    today=today,
                    offsets=config.offsets,
                    overdue_window=config.overdue_window,
                    event_due_on=track.event_due_on,
                ),
                track_due(deadline, today, track.event_due_on),
            )
        owed, upcoming = judged[key]
        for due in owed:
            common: dict[str, Any] = {
                "due_on": due.due_on,
                "offset": due.offset,
                "days_left": due.days_left,
                "task_id": task_id,
                "track_id": track.track_id,
                "unit_id": track.unit_id,
                "about": track.about,
            }
            scope = f"t{track.track_id}"
            if due.kind == Kind.DUE_SOON:
                plan.add(Kind.DUE_SOON, scope, people.officers(track_unit(track)), **common)
            else:
                # the leaders hear of it as leaders: no fallback, no second mail
                officers = people.officers(track_unit(track), fallback=False)
                plan.add(Kind.OVERDUE, scope, officers, **common)
                plan.add(Kind.OVERDUE_LEADER, scope, people.leaders(track_unit(track)), **common)
        if (
            upcoming is not None
            and upcoming >= today
            and not occurrence_done(deadline, track.completed_on, upcoming)
        ):
            offset = offset_window((upcoming - today).days, config.coordinate_offsets)
            if offset is not None:
                coordinate_due[(task_id, upcoming)] = (track.about, offset)
    coordinators = _coordinators(task_id for task_id, _ in coordinate_due)
    for (task_id, due_on), (about, offset) in coordinate_due.items():
        units = coordinators.get(task_id, ())
        recipients = [user for unit_id in units for user in people.officers(unit_id)]
        plan.add(
            Kind.COORDINATE,
            f"k{task_id}",
            recipients,
            due_on=due_on,
            offset=offset,
            days_left=(due_on - today).days,
            task_id=task_id,
            about=about,
        )


def _reportable_tracks() -> Q:
    """Tracks that report progress each quarter: open, with a readable deadline (routine and
    recurring duties report every quarter), not waiting for an event."""
    open_dated = Q(task__deadline_kind__in=_DATED, completed_on__isnull=True)
    event = Q(
        task__deadline_kind=StoredKind.EVENT, task__event_due_on__isnull=False, completed_on=None
    )
    routine = Q(task__deadline_kind__in=(StoredKind.RECURRING, StoredKind.ONGOING))
    return open_dated | event | routine


def tracks_missing_report(
    period: ReportPeriod, unit_ids: Iterable[int] | None = None
) -> QuerySet[TaskTrack]:
    """Reportable tracks (of these units, or all) with no submitted or approved report for
    the quarter, among tasks that had started by the end of its data window."""
    reported = ProgressReport.objects.filter(
        period_year=period.year,
        period_quarter=period.quarter,
        state__in=(ReportState.SUBMITTED, ReportState.APPROVED),
    ).values("track_id")
    tracks = TaskTrack.objects.filter(_reportable_tracks())
    if unit_ids is not None:
        tracks = tracks.filter(unit_id__in=list(unit_ids))
    return (
        tracks.filter(Q(task__starts_on__isnull=True) | Q(task__starts_on__lte=period.data_to))
        .exclude(pk__in=reported)
        .select_related("task", "task__document", "unit")
        .order_by("task__document_id", "task__position", "task_id")
    )


def _plan_reports(plan: _Plan, config: Config) -> None:
    for period, offset in report_reminders(
        plan.today, config.report_offsets, config.report_due_day
    ):
        unit_ids = {
            handed or unit
            for unit, handed in tracks_missing_report(period)
            .order_by()
            .values_list("unit_id", "handed_to_id")
            .distinct()
        }
        names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
        for unit_id in sorted(unit_ids):
            plan.add(
                Kind.QUARTER_REPORT,
                f"r{unit_id}",
                plan.people.officers(unit_id),
                due_on=period.due_on,
                offset=offset,
                days_left=(period.due_on - plan.today).days,
                unit_id=unit_id,
                about=names[unit_id],
            )


@dataclass(frozen=True)
class OverdueRow:
    track: TaskTrack
    due_on: dt.date
    days: int


def overdue_tracks(today: dt.date, documents: set[int] | None = None) -> list[OverdueRow]:
    """Every track overdue on ``today`` (in ``documents`` when given), worst first."""
    tracks = (
        TaskTrack.objects.filter(
            Q(task__deadline_kind__in=_DATED, task__due_on__lt=today, completed_on=None)
            | Q(task__deadline_kind=StoredKind.RECURRING)
            | Q(task__deadline_kind=StoredKind.EVENT, task__event_due_on__isnull=False)
        )
        .select_related("task", "task__document", "unit")
        .order_by("task__document_id", "task__position", "task_id", "unit__name")
    )
    if documents is not None:
        tracks = tracks.filter(task__document_id__in=documents)
    rows: list[OverdueRow] = []
    deadlines: dict[int, Deadline] = {}
    for track in tracks:
        task = track.task
        deadline = deadlines.get(task.pk) or deadlines.setdefault(task.pk, stored_deadline(task))
        done, event_due_on = track.completed_on, task.event_due_on
        status = task_status(deadline, completed_on=done, today=today, event_due_on=event_due_on)
        if status is Status.OVERDUE:
            due = due_date(deadline, completed_on=done, today=today, event_due_on=event_due_on)
            days = days_overdue(deadline, completed_on=done, today=today, event_due_on=event_due_on)
            if due is not None:
                rows.append(OverdueRow(track, due, days))
    rows.sort(key=lambda row: -row.days)
    return rows


def _documents_with_overdue(today: dt.date) -> set[int]:
    """Documents with at least one overdue task that has a track (one ``SELECT DISTINCT
    document_id``, judged by the same status conditions as the lists)."""
    tasks = Task.objects.filter(Exists(TaskTrack.objects.filter(task=OuterRef("pk"))))
    overdue = StatusQuery.for_day(today).filter(tasks, [Status.OVERDUE])
    return set(overdue.order_by().values_list("document_id", flat=True).distinct())


def _plan_weekly_digest(plan: _Plan) -> None:
    """This week's overdue digest for every reviewer with overdue work in scope. Planned only
    for reviewers who have not got this week's yet: on the other days of the week the scan
    reads one index range of the reminder log and nothing else."""
    monday = week_start(plan.today)
    reviewers = set(plan.people.reviewer_units)
    if not reviewers:
        return
    have = set(
        Reminder.objects.filter(
            kind=Kind.OVERDUE_DIGEST, due_on=monday, recipient_id__in=reviewers
        ).values_list("recipient_id", flat=True)
    )
    waiting = reviewers - have
    if not waiting:
        return
    documents_with_overdue = _documents_with_overdue(plan.today)
    if not documents_with_overdue:
        return
    for user_id in sorted(waiting):
        scope = plan.people.reviewer_scope(user_id)
        if scope is not None and not scope & documents_with_overdue:
            continue
        plan.add(
            Kind.OVERDUE_DIGEST,
            "w",
            [plan.people.users[user_id]],
            due_on=monday,
            offset=0,
            days_left=0,
        )


def reminder_plan(today: dt.date, config: Config | None = None) -> list[Planned]:
    """Everything owed on ``today``, whether or not it was recorded already."""
    config = config or Config.from_settings()
    plan = _Plan(People(today), today)
    _plan_tracks(plan, config)
    _plan_reports(plan, config)
    _plan_weekly_digest(plan)
    return list(plan.items.values())


# --------------------------------------------------------------------------- the scan


@dataclass
class ScanResult:
    today: dt.date
    planned: list[Planned]
    created: list[Planned]
    queued: list[int]


def _existing_keys(keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(Reminder.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def reminder_scan(*, today: dt.date, dry_run: bool = False, enqueue: bool = True) -> ScanResult:
    """Record every reminder owed on ``today`` and queue the sends.

    Safe to run any number of times for the same day (the unique key decides). Pending rows
    left by an earlier day (a broker that was down, a retry that never came back) and claims
    older than CLAIM_TIMEOUT are queued again. With ``dry_run`` nothing is written; without
    ``enqueue`` the caller sends the pending rows itself (the management command).
    """
    from notifications.sending import enqueue_daily_digest, enqueue_sends

    planned = reminder_plan(today)
    existing = _existing_keys([p.key for p in planned])
    new = [p for p in planned if p.key not in existing]
    if dry_run:
        return ScanResult(today, planned, new, [])
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    key=p.key,
                    kind=p.kind,
                    channel=p.channel,
                    recipient=p.recipient,
                    task_id=p.task_id,
                    track_id=p.track_id,
                    unit_id=p.unit_id,
                    due_on=p.due_on,
                    offset_days=p.offset,
                    days_left=p.days_left,
                    scan_date=today,
                )
                for p in new
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        Reminder.objects.filter(
            status=ReminderStatus.SENDING, claimed_at__lt=timezone.now() - CLAIM_TIMEOUT
        ).update(status=ReminderStatus.PENDING, claim="")
        queued = list(
            Reminder.objects.filter(
                status=ReminderStatus.PENDING, channel=Channel.IMMEDIATE
            ).values_list("pk", flat=True)
        )
        digest_waiting = Reminder.objects.filter(
            status=ReminderStatus.PENDING, channel=Channel.DIGEST, digest__isnull=True
        ).exists()
        if enqueue:
            transaction.on_commit(lambda: enqueue_sends(queued))
            if digest_waiting:
                transaction.on_commit(lambda: enqueue_daily_digest(today))
    return ScanResult(today, planned, new, queued)


def weekly_overdue_digest(*, today: dt.date) -> list[int]:
    """Record this week's overdue digest for every reviewer with overdue tasks in scope and
    queue the sends (the daily scan does this too; running both is harmless)."""
    from notifications.sending import enqueue_sends

    plan = _Plan(People(today), today)
    _plan_weekly_digest(plan)
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    key=p.key,
                    kind=p.kind,
                    recipient=p.recipient,
                    due_on=p.due_on,
                    scan_date=today,
                )
                for p in plan.items.values()
            ],
            ignore_conflicts=True,
        )
        ids = list(
            Reminder.objects.filter(
                kind=Kind.OVERDUE_DIGEST, due_on=week_start(today), status=ReminderStatus.PENDING
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: enqueue_sends(ids))
    return ids
