"""Every write of reminders: the scan, the send, the digests, read marks and preferences.

Exactly once in effect, because the database decides:

- ``reminder_scan`` records what is owed with ``bulk_create(ignore_conflicts=True)`` on the
  unique ``Reminder.key``; a second scan, a second beat or the same scan enqueued twice only
  finds the rows there. Sends are queued on commit; a broker that does not answer is logged
  and the rows stay pending for the next scan.
- ``reminder_send`` claims a row with one conditional UPDATE (pending -> sending); only the
  claimant goes on. A message redelivered after its worker died carries the same Celery task
  id and may take its own claim back; any other message finds the row taken. The task's state
  is read again before sending: a task completed since the scan sends nothing.
- A send that fails transiently goes back to pending and is retried with backoff (the Celery
  task); the last failure marks it failed. Every attempt and error is recorded on the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.choices import Role
from accounts.models import Membership, Unit, User, expand_units
from accounts.selectors import group_members
from documents.models import Document
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
    is_occurrence,
    occurrence_done,
    offset_window,
    report_period,
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
from tasks.status_sql import stored_deadline

logger = logging.getLogger(__name__)

# A claim older than this is taken to be lost (longer than the broker's visibility timeout,
# so a message Redis redelivers gets the first chance to finish its own claim).
CLAIM_TIMEOUT = dt.timedelta(hours=2)
_DATED = (StoredKind.DATE, StoredKind.PERIOD)


class TransientSendError(Exception):
    """The mail server did not take the message this time; the send will be retried."""


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


class People:
    """Active users by unit and role, reviewers' scopes and preferences, loaded once."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.by_unit: dict[tuple[int, str], list[User]] = defaultdict(list)
        self.reviewer_units: dict[int, set[int]] = defaultdict(set)
        self.users: dict[int, User] = {}
        memberships = Membership.objects.filter(user__is_active=True).select_related("user")
        for membership in memberships.order_by("user__username"):
            self.by_unit[(membership.unit_id, membership.role)].append(membership.user)
            self.users[membership.user_id] = membership.user
            if membership.role == Role.REVIEWER:
                self.reviewer_units[membership.user_id].add(membership.unit_id)
        self.successors = {
            pk: (successor_id, since)
            for pk, successor_id, since in Unit.objects.filter(successor__isnull=False).values_list(
                "pk", "successor_id", "successor_from"
            )
        }
        self.reviews_all = set(Unit.objects.filter(reviews_all=True).values_list("pk", flat=True))
        self.monitors: dict[int, set[int]] = defaultdict(set)
        for document_id, unit_id in Document.monitors.through.objects.values_list(
            "document_id", "unit_id"
        ):
            self.monitors[unit_id].add(document_id)
        self.preferences = {p.user_id: p for p in NotificationPreference.objects.all()}

    def current_unit(self, unit_id: int) -> int:
        """A merged unit's open work passes to its successor from the merger's date."""
        for _ in range(5):
            successor = self.successors.get(unit_id)
            if successor is None or successor[1] is None or self.today < successor[1]:
                break
            unit_id = successor[0]
        return unit_id

    def officers(self, unit_id: int, *, fallback: bool = True) -> list[User]:
        """Officers of the unit first; a unit with no officer on the portal reaches its
        leaders instead (``fallback``), so the reminder still lands somewhere."""
        unit_id = self.current_unit(unit_id)
        officers = self.by_unit.get((unit_id, Role.OFFICER), [])
        return officers or (self.leaders(unit_id) if fallback else [])

    def leaders(self, unit_id: int) -> list[User]:
        return list(self.by_unit.get((self.current_unit(unit_id), Role.LEADER), ()))

    def reviewer_scope(self, user_id: int) -> set[int] | None:
        """Document ids a reviewer reviews; None means every document."""
        units = self.reviewer_units.get(user_id, set())
        if units & self.reviews_all:
            return None
        documents: set[int] = set()
        for unit_id in units:
            documents |= self.monitors.get(unit_id, set())
        return documents

    def wants(self, user: User, kind: str) -> bool:
        preference = self.preferences.get(user.pk)
        return preference is None or kind not in preference.muted_kinds

    def channel(self, user: User, kind: str) -> str:
        preference = self.preferences.get(user.pk)
        if kind in (Kind.OVERDUE_DIGEST, Kind.DAILY_DIGEST):
            return Channel.IMMEDIATE
        if preference is not None and preference.mode == Mode.DAILY_DIGEST:
            return Channel.DIGEST
        return Channel.IMMEDIATE


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
    task: Task | None = None
    track: TaskTrack | None = None
    unit: Unit | None = None

    def describe(self) -> str:
        if self.task is not None:
            what = f"{self.task.document.number or self.task.document.slug} {self.task.ref}"
        else:
            what = self.unit.name if self.unit is not None else "-"
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
        task: Task | None = None,
        track: TaskTrack | None = None,
        unit: Unit | None = None,
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
                    task=task,
                    track=track,
                    unit=unit,
                ),
            )


def _candidate_tracks(today: dt.date, config: Config) -> Iterable[TaskTrack]:
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
    return (
        TaskTrack.objects.filter(dated | recurring | event)
        .select_related("task", "task__document", "unit")
        .order_by("task_id", "unit_id")
    )


def _coordinators(task_ids: Iterable[int]) -> dict[int, list[int]]:
    """Coordinating unit ids per task, collective units expanded to their members."""
    members = group_members()
    found: dict[int, list[Unit]] = defaultdict(list)
    for assignment in TaskAssignment.objects.filter(
        task_id__in=list(task_ids), role=AssignmentRole.COORDINATE
    ).select_related("unit"):
        found[assignment.task_id].append(assignment.unit)
    return {
        task_id: [unit.pk for unit in expand_units(units, members)]
        for task_id, units in found.items()
    }


def _plan_tracks(plan: _Plan, config: Config) -> None:
    today, people = plan.today, plan.people
    coordinate_due: dict[tuple[int, dt.date], tuple[Task, int]] = {}
    deadlines: dict[int, Deadline] = {}
    for track in _candidate_tracks(today, config):
        task = track.task
        deadline = deadlines.get(task.pk) or deadlines.setdefault(task.pk, stored_deadline(task))
        owed = track_reminders(
            deadline,
            completed_on=track.completed_on,
            today=today,
            offsets=config.offsets,
            overdue_window=config.overdue_window,
            event_due_on=task.event_due_on,
        )
        for due in owed:
            common: dict[str, Any] = {
                "due_on": due.due_on,
                "offset": due.offset,
                "days_left": due.days_left,
                "task": task,
                "track": track,
                "unit": track.unit,
            }
            scope = f"t{track.pk}"
            if due.kind == Kind.DUE_SOON:
                plan.add(Kind.DUE_SOON, scope, people.officers(track.unit_id), **common)
            else:
                # the leaders hear of it as leaders: no fallback, no second mail
                officers = people.officers(track.unit_id, fallback=False)
                plan.add(Kind.OVERDUE, scope, officers, **common)
                plan.add(Kind.OVERDUE_LEADER, scope, people.leaders(track.unit_id), **common)
        upcoming = track_due(deadline, today, task.event_due_on)
        if (
            upcoming is not None
            and upcoming >= today
            and not occurrence_done(deadline, track.completed_on, upcoming)
        ):
            offset = offset_window((upcoming - today).days, config.coordinate_offsets)
            if offset is not None:
                coordinate_due[(task.pk, upcoming)] = (task, offset)
    coordinators = _coordinators(task_id for task_id, _ in coordinate_due)
    for (task_id, due_on), (task, offset) in coordinate_due.items():
        units = coordinators.get(task_id, ())
        recipients = [user for unit_id in units for user in people.officers(unit_id)]
        plan.add(
            Kind.COORDINATE,
            f"k{task_id}",
            recipients,
            due_on=due_on,
            offset=offset,
            days_left=(due_on - today).days,
            task=task,
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
        unit_ids = set(tracks_missing_report(period).values_list("unit_id", flat=True))
        units = Unit.objects.in_bulk(list(unit_ids))
        for unit_id in sorted(unit_ids):
            plan.add(
                Kind.QUARTER_REPORT,
                f"r{unit_id}",
                plan.people.officers(unit_id),
                due_on=period.due_on,
                offset=offset,
                days_left=(period.due_on - plan.today).days,
                unit=units[unit_id],
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


def _plan_weekly_digest(plan: _Plan) -> None:
    monday = week_start(plan.today)
    overdue = overdue_tracks(plan.today)
    if not overdue:
        return
    documents_with_overdue = {row.track.task.document_id for row in overdue}
    for user_id in plan.people.reviewer_units:
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
                    task=p.task,
                    track=p.track,
                    unit=p.unit,
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


def _enqueue(name: str, call: Any) -> bool | None:
    """Hand one message to the broker. A broker that does not answer must never fail the
    caller (a report being saved, a scan): the row stays pending and the next scan queues
    it again. Returns True when queued, None when the task itself failed (eager mode runs it
    here), False when the broker is unreachable."""
    try:
        call()
    except (KombuOperationalError, OSError):
        logger.warning(
            "Không xếp được %s vào hàng đợi; để lại cho lần quét sau.", name, exc_info=True
        )
        return False
    except Exception:
        logger.warning("%s chưa xong; để lại cho lần quét sau.", name, exc_info=True)
        return None
    return True


def enqueue_sends(reminder_ids: Iterable[int]) -> int:
    """Queue one send per id (after commit); returns how many were handed to the broker."""
    from notifications.tasks import reminder_send_task

    queued = 0
    for reminder_id in reminder_ids:
        outcome = _enqueue(
            f"reminder_send({reminder_id})",
            lambda rid=reminder_id: reminder_send_task.apply_async((rid,), retry=False),
        )
        if outcome is False:
            break  # the broker is down: the rest stay pending as well
        queued += outcome is True
    return queued


def enqueue_daily_digest(today: dt.date) -> bool:
    from notifications.tasks import daily_digest_task

    return bool(
        _enqueue(
            "daily_digest",
            lambda: daily_digest_task.apply_async((today.isoformat(),), retry=False),
        )
    )


# --------------------------------------------------------------------------- digests


@transaction.atomic
def daily_digest_build(*, today: dt.date, enqueue: bool = True) -> list[int]:
    """Gather each digest reader's pending reminders into one digest row for ``today`` and
    queue its send. A digest already sent today takes nothing more (tomorrow's will)."""
    ids: list[int] = []
    waiting = Reminder.objects.filter(
        status=ReminderStatus.PENDING, channel=Channel.DIGEST, digest__isnull=True
    )
    for user_id in sorted(set(waiting.values_list("recipient_id", flat=True))):
        digest, _ = Reminder.objects.get_or_create(
            key=reminder_key(Kind.DAILY_DIGEST, "d", today, 0, user_id),
            defaults={
                "kind": Kind.DAILY_DIGEST,
                "recipient_id": user_id,
                "due_on": today,
                "scan_date": today,
            },
        )
        digest = Reminder.objects.select_for_update().get(pk=digest.pk)
        if digest.status != ReminderStatus.PENDING:
            continue
        waiting.filter(recipient_id=user_id).update(digest=digest)
        ids.append(digest.pk)
    if enqueue:
        transaction.on_commit(lambda: enqueue_sends(ids))
    return ids


def weekly_overdue_digest(*, today: dt.date) -> list[int]:
    """Record this week's overdue digest for every reviewer with overdue tasks in scope and
    queue the sends (the daily scan does this too; running both is harmless)."""
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


# --------------------------------------------------------------------------- composing


def task_url(task: Task) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/nhiem-vu/{task.pk}/"


@dataclass(frozen=True)
class Item:
    """One line of a reminder mail: a task (or a unit's quarter report) and its date."""

    reminder: Reminder
    title: str
    document: str
    deadline_text: str
    due_on: dt.date
    days_left: int
    url: str
    unit: str
    details: list[str] = field(default_factory=list)

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def _track_item(reminder: Reminder, today: dt.date) -> Item | None:
    """The reminder's task line, or None when the reminder no longer holds."""
    task = reminder.task
    if task is None:
        return None
    deadline = stored_deadline(task)
    if not is_occurrence(deadline, reminder.due_on, task.event_due_on):
        return None  # the deadline was changed since the scan
    if reminder.kind == Kind.COORDINATE:
        tracks = list(task.tracks.all())
        due_on = reminder.due_on
        if tracks and all(occurrence_done(deadline, t.completed_on, due_on) for t in tracks):
            return None
        unit = ", ".join(t.unit.name for t in tracks)
    else:
        track = reminder.track
        if track is None or occurrence_done(deadline, track.completed_on, reminder.due_on):
            return None  # completed since the scan
        unit = track.unit.name
    return Item(
        reminder=reminder,
        title=f"{task.ref} – {task.title}",
        document=str(task.document),
        deadline_text=task.deadline_text or task.deadline_normalized,
        due_on=reminder.due_on,
        days_left=(reminder.due_on - today).days,
        url=task_url(task),
        unit=unit,
    )


def _report_item(reminder: Reminder, today: dt.date, config: Config) -> Item | None:
    if reminder.unit is None:
        return None
    quarter = (reminder.due_on.month - 1) // 3 + 1
    period = report_period(reminder.due_on.year, quarter, config.report_due_day)
    missing = list(tracks_missing_report(period, [reminder.unit.pk]))
    if not missing:
        return None  # every report for the quarter was sent since the scan
    details = [
        f"{t.task.document.number or t.task.document.slug} {t.task.ref} – {t.task.title[:120]} "
        f"({task_url(t.task)})"
        for t in missing[:30]
    ]
    if len(missing) > 30:
        details.append(f"... và {len(missing) - 30} nhiệm vụ khác")
    return Item(
        reminder=reminder,
        title=f"Báo cáo tiến độ {period.label}",
        document="",
        deadline_text=(
            f"chốt số liệu từ {period.data_from:%d/%m/%Y} đến {period.data_to:%d/%m/%Y}, "
            f"gửi báo cáo chậm nhất ngày {period.due_on:%d/%m/%Y}"
        ),
        due_on=period.due_on,
        days_left=(period.due_on - today).days,
        url=f"{settings.SITE_URL.rstrip('/')}/nhiem-vu/",
        unit=reminder.unit.name,
        details=details,
    )


def _overdue_digest_items(reminder: Reminder, today: dt.date) -> list[Item]:
    people = People(today)
    scope = people.reviewer_scope(reminder.recipient_id)
    return [
        Item(
            reminder=reminder,
            title=f"{row.track.task.ref} – {row.track.task.title}",
            document=str(row.track.task.document),
            deadline_text=row.track.task.deadline_text,
            due_on=row.due_on,
            days_left=-row.days,
            url=task_url(row.track.task),
            unit=row.track.unit.name,
        )
        for row in overdue_tracks(today, scope)
    ]


def _items(reminder: Reminder, today: dt.date, config: Config) -> list[Item]:
    if reminder.kind == Kind.QUARTER_REPORT:
        item = _report_item(reminder, today, config)
        return [item] if item else []
    if reminder.kind == Kind.OVERDUE_DIGEST:
        return _overdue_digest_items(reminder, today)
    item = _track_item(reminder, today)
    return [item] if item else []


_SUBJECTS = {
    Kind.DUE_SOON: "[Nhắc việc] Còn {days} ngày đến hạn: {title}",
    Kind.COORDINATE: "[Đề nghị phối hợp] Còn {days} ngày đến hạn: {title}",
    Kind.OVERDUE: "[Quá hạn] {title}",
    Kind.OVERDUE_LEADER: "[Quá hạn – báo lãnh đạo] {title}",
    Kind.QUARTER_REPORT: "[Nhắc báo cáo] {title}",
    Kind.OVERDUE_DIGEST: "[Tổng hợp] {count} nhiệm vụ quá hạn tuần {date}",
    Kind.DAILY_DIGEST: "[Tổng hợp nhắc việc] {count} nội dung ngày {date}",
}


def _message(reminder: Reminder, items: list[Item], today: dt.date) -> EmailMessage:
    first = items[0]
    subject = _SUBJECTS[Kind(reminder.kind)].format(
        days=max(first.days_left, 0),
        title=first.title[:90],
        count=len(items),
        date=f"{reminder.due_on:%d/%m/%Y}",
    )
    body = render_to_string(
        "emails/reminder.txt",
        {
            "reminder": reminder,
            "kind": Kind(reminder.kind),
            "items": items,
            "today": today,
            "recipient": reminder.recipient,
            "site_url": settings.SITE_URL.rstrip("/"),
        },
    )
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.recipient.email],
        headers={"X-Portal-Reminder": reminder.key},
    )


# --------------------------------------------------------------------------- sending


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return isinstance(exc, OSError)  # connection refused, reset, timeouts, SMTP disconnects


def _claim(reminder_id: int, claim: str) -> bool:
    """Take the row for this send. Only one claimant wins; a redelivered message (same claim)
    may take its own claim back after its worker died."""
    return bool(
        Reminder.objects.filter(pk=reminder_id)
        .exclude(channel=Channel.DIGEST)
        .filter(Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.SENDING, claim=claim))
        .update(
            status=ReminderStatus.SENDING,
            claim=claim,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def _finish(reminder: Reminder, claim: str, status: str, **fields: Any) -> None:
    now = timezone.now()
    values: dict[str, Any] = {"status": status, "claim": "", **fields}
    if status == ReminderStatus.SENT:
        values["sent_at"] = now
    Reminder.objects.filter(pk=reminder.pk, claim=claim).update(**values)


def _still_wanted(reminder: Reminder) -> bool:
    user = reminder.recipient
    if not user.is_active:
        return False
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or reminder.kind not in preference.muted_kinds


def reminder_send(
    *,
    reminder_id: int,
    claim: str | None = None,
    today: dt.date | None = None,
    final_attempt: bool = True,
) -> str:
    """Send one reminder (or one digest) if this call wins the claim.

    Returns "sent", "cancelled" (nothing to say any more), "failed", or "skipped" (another
    send has it, or it is done). A transient failure puts the row back to pending and raises
    TransientSendError unless ``final_attempt``; then, and on a permanent error, the row is
    marked failed with the error.
    """
    claim = claim or uuid.uuid4().hex
    today = today or today_local()
    if not _claim(reminder_id, claim):
        return "skipped"
    reminder = Reminder.objects.select_related(
        "recipient", "task", "task__document", "track", "track__unit", "unit"
    ).get(pk=reminder_id)
    config = Config.from_settings()
    digest_items: list[Reminder] = []
    try:
        if reminder.kind == Kind.DAILY_DIGEST:
            digest_items = list(
                reminder.items.filter(status=ReminderStatus.PENDING).select_related(
                    "recipient", "task", "task__document", "track", "track__unit", "unit"
                )
            )
            items: list[Item] = []
            for item in digest_items:
                items.extend(_items(item, today, config) if _still_wanted(item) else [])
            kept = {item.reminder.pk for item in items}
            Reminder.objects.filter(pk__in=[r.pk for r in digest_items if r.pk not in kept]).update(
                status=ReminderStatus.CANCELLED
            )
            digest_items = [r for r in digest_items if r.pk in kept]
        else:
            items = _items(reminder, today, config) if _still_wanted(reminder) else []
        message = _message(reminder, items, today) if items else None
    except Exception as exc:
        logger.exception("Không soạn được nhắc việc %s", reminder.key)
        _finish(reminder, claim, ReminderStatus.FAILED, last_error=f"{type(exc).__name__}: {exc}")
        return "failed"
    if message is None:
        _finish(reminder, claim, ReminderStatus.CANCELLED)
        return "cancelled"
    if reminder.recipient.email:
        try:
            message.send()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            transient = _is_transient(exc)
            if transient and not final_attempt:
                _finish(reminder, claim, ReminderStatus.PENDING, last_error=error)
                logger.warning("Gửi nhắc việc %s lỗi, sẽ gửi lại: %s", reminder.key, error)
                raise TransientSendError(error) from exc
            _finish(reminder, claim, ReminderStatus.FAILED, last_error=error)
            if reminder.kind == Kind.DAILY_DIGEST:  # its items go into tomorrow's digest
                Reminder.objects.filter(digest=reminder).update(digest=None)
            logger.error("Gửi nhắc việc %s thất bại: %s", reminder.key, error)
            return "failed"
    emailed = bool(reminder.recipient.email)
    _finish(reminder, claim, ReminderStatus.SENT, emailed=emailed)
    if digest_items:
        Reminder.objects.filter(pk__in=[r.pk for r in digest_items]).update(
            status=ReminderStatus.SENT, sent_at=timezone.now(), emailed=emailed
        )
    return "sent"


@transaction.atomic
def reminder_resend(*, reminder_ids: Iterable[int]) -> list[int]:
    """Put failed reminders back in the queue (an administrator's decision)."""
    ids = list(
        Reminder.objects.filter(pk__in=list(reminder_ids), status=ReminderStatus.FAILED)
        .exclude(channel=Channel.DIGEST)
        .values_list("pk", flat=True)
    )
    Reminder.objects.filter(pk__in=ids).update(status=ReminderStatus.PENDING, claim="")
    transaction.on_commit(lambda: enqueue_sends(ids))
    return ids


# --------------------------------------------------------------------------- the inbox


def notification_mark_read(*, user: User, reminder_id: int) -> bool:
    """Mark one of the user's notifications read; another user's id changes nothing."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preference_update(
    *, user: User, mode: str, muted_kinds: Sequence[str]
) -> NotificationPreference:
    """Set how a user receives reminders (immediate or daily digest) and the kinds muted."""
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    preference.mode = mode
    order = [str(kind) for kind in MUTABLE_KINDS]
    wanted = set(muted_kinds)
    preference.muted_kinds = [k for k in order if k in wanted] + sorted(wanted - set(order))
    preference.full_clean()
    preference.save()
    return preference
