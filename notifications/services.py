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
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.access import Directory, track_unit
from accounts.choices import Role
from accounts.models import Unit, User, expand_units
from accounts.selectors import group_members
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
from tasks.status_sql import StatusQuery, stored_deadline

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
    """Who acts for which unit and reviews which document today (the access module's
    ``Directory``: the same rule as the pages), with everybody's preferences, loaded once."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.directory = Directory(today)
        self.users = self.directory.users
        self.reviewer_units = {
            user_id: access.reviewing
            for user_id, access in self.directory.access.items()
            if access.reviewing
        }
        self.preferences = {p.user_id: p for p in NotificationPreference.objects.all()}

    def officers(self, unit_id: int, *, fallback: bool = True) -> list[User]:
        """Officers acting for the unit (its successor's, after a merger) first; a unit with
        no officer on the portal reaches its leaders instead (``fallback``), so the reminder
        still lands somewhere."""
        officers = self.directory.people(unit_id, Role.OFFICER)
        return officers or (self.leaders(unit_id) if fallback else [])

    def leaders(self, unit_id: int) -> list[User]:
        return self.directory.people(unit_id, Role.LEADER)

    def reviewer_scope(self, user_id: int) -> frozenset[int] | None:
        """Document ids a reviewer reviews; None means every document."""
        return self.directory.reviewed_documents(user_id)

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


def send_batch_size() -> int:
    """Reminders per send task: one SMTP connection and one task message for each batch."""
    return max(1, getattr(settings, "REMINDER_SEND_BATCH_SIZE", 50))


def enqueue_sends(reminder_ids: Iterable[int]) -> int:
    """Queue the sends (after commit) in batches of ``send_batch_size()`` ids; returns how
    many ids were handed to the broker."""
    from notifications.tasks import reminder_send_batch_task

    ids = list(reminder_ids)
    size = send_batch_size()
    queued = 0
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        outcome = _enqueue(
            f"reminder_send_batch({batch[0]}…, {len(batch)})",
            lambda batch=batch: reminder_send_batch_task.apply_async((batch,), retry=False),
        )
        if outcome is False:
            break  # the broker is down: the rest stay pending as well
        queued += len(batch) if outcome is True else 0
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
        tracks = list(task.tracks.all())  # prefetched with their units for the batch
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


def _claim(reminder_ids: Sequence[int], claim: str) -> list[int]:
    """Take the rows for this send, in one transaction. Only one claimant wins each row; a
    redelivered or retried message (same claim) may take its own claims back after its
    worker died. Returns the ids taken, in the order asked."""
    with transaction.atomic():
        free = set(
            Reminder.objects.filter(pk__in=list(reminder_ids))
            .exclude(channel=Channel.DIGEST)
            .filter(
                Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.SENDING, claim=claim)
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if free:
            Reminder.objects.filter(pk__in=free).update(
                status=ReminderStatus.SENDING,
                claim=claim,
                claimed_at=timezone.now(),
                attempts=F("attempts") + 1,
            )
    return [pk for pk in reminder_ids if pk in free]


_SEND_RELATED = ("recipient", "task", "task__document", "track", "track__unit", "unit")


def _with_coordinate_tracks(reminders: list[Reminder]) -> list[Reminder]:
    """The tracks (and units) of coordination reminders' tasks, in one query for all."""
    coordinating = [r for r in reminders if r.kind == Kind.COORDINATE and r.task is not None]
    prefetch_related_objects(
        coordinating, Prefetch("task__tracks", TaskTrack.objects.select_related("unit"))
    )
    return reminders


def _load_claimed(reminder_ids: Sequence[int]) -> list[Reminder]:
    found = Reminder.objects.select_related(*_SEND_RELATED).in_bulk(list(reminder_ids))
    return _with_coordinate_tracks([found[pk] for pk in reminder_ids if pk in found])


def _finish(reminder: Reminder, claim: str, status: str, **fields: Any) -> None:
    now = timezone.now()
    values: dict[str, Any] = {"status": status, "claim": "", **fields}
    if status == ReminderStatus.SENT:
        values["sent_at"] = now
    Reminder.objects.filter(pk=reminder.pk, claim=claim).update(**values)


class _Outcomes:
    """Sent and cancelled rows of a batch, recorded ``every`` rows at a time (one UPDATE per
    outcome instead of one commit per mail; commits are what a send waits for). A worker
    killed before a flush leaves those rows claimed by the batch's message, which Redis
    redelivers: each is mailed at most once more, never lost."""

    def __init__(self, claim: str, every: int) -> None:
        self.claim, self.every = claim, every
        self.rows: dict[tuple[str, bool], list[int]] = defaultdict(list)
        self.count = 0

    def add(self, reminder: Reminder, status: str, *, emailed: bool = False) -> None:
        self.rows[(status, emailed)].append(reminder.pk)
        self.count += 1
        if self.count >= self.every:
            self.flush()

    def flush(self) -> None:
        now = timezone.now()
        for (status, emailed), ids in self.rows.items():
            values: dict[str, Any] = {"status": status, "claim": ""}
            if status == ReminderStatus.SENT:
                values.update(sent_at=now, emailed=emailed)
            Reminder.objects.filter(pk__in=ids, claim=self.claim).update(**values)
        self.rows.clear()
        self.count = 0


def _muted_kinds(users: Iterable[User]) -> dict[int, set[str] | None]:
    """The kinds each user mutes now (one query for all); None when no longer active."""
    users = list(users)
    preferences = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users]).values_list(
            "user_id", "muted_kinds"
        )
    )
    return {u.pk: set(preferences.get(u.pk) or ()) if u.is_active else None for u in users}


def _still_wanted(reminder: Reminder, muted: set[str] | None) -> bool:
    return muted is not None and reminder.kind not in muted


def _send_claimed(
    reminder: Reminder,
    *,
    claim: str,
    today: dt.date,
    config: Config,
    muted: set[str] | None,
    connection: BaseEmailBackend | None,
    final_attempt: bool,
    outcomes: _Outcomes | None = None,
) -> str:
    """Compose (re-checking that the reminder still holds), mail and record one claimed row
    (sent and cancelled rows through ``outcomes`` when given, else at once)."""
    digest_items: list[Reminder] = []
    try:
        if reminder.kind == Kind.DAILY_DIGEST:
            digest_items = _with_coordinate_tracks(
                list(
                    reminder.items.filter(status=ReminderStatus.PENDING).select_related(
                        *_SEND_RELATED
                    )
                )
            )
            items: list[Item] = []
            for item in digest_items:  # a digest's items share its recipient
                items.extend(_items(item, today, config) if _still_wanted(item, muted) else [])
            kept = {item.reminder.pk for item in items}
            Reminder.objects.filter(pk__in=[r.pk for r in digest_items if r.pk not in kept]).update(
                status=ReminderStatus.CANCELLED
            )
            digest_items = [r for r in digest_items if r.pk in kept]
        else:
            items = _items(reminder, today, config) if _still_wanted(reminder, muted) else []
        message = _message(reminder, items, today) if items else None
    except Exception as exc:
        logger.exception("Không soạn được nhắc việc %s", reminder.key)
        _finish(reminder, claim, ReminderStatus.FAILED, last_error=f"{type(exc).__name__}: {exc}")
        return "failed"
    if message is None:
        if outcomes is not None:
            outcomes.add(reminder, ReminderStatus.CANCELLED)
        else:
            _finish(reminder, claim, ReminderStatus.CANCELLED)
        return "cancelled"
    if reminder.recipient.email:
        try:
            message.connection = connection
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
    if outcomes is not None:
        outcomes.add(reminder, ReminderStatus.SENT, emailed=emailed)
    else:
        _finish(reminder, claim, ReminderStatus.SENT, emailed=emailed)
    if digest_items:
        Reminder.objects.filter(pk__in=[r.pk for r in digest_items]).update(
            status=ReminderStatus.SENT, sent_at=timezone.now(), emailed=emailed
        )
    return "sent"


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
    if not _claim([reminder_id], claim):
        return "skipped"
    [reminder] = _load_claimed([reminder_id])
    return _send_claimed(
        reminder,
        claim=claim,
        today=today or today_local(),
        config=Config.from_settings(),
        muted=_muted_kinds([reminder.recipient])[reminder.recipient_id],
        connection=None,
        final_attempt=final_attempt,
    )


def reminder_send_batch(
    *,
    reminder_ids: Sequence[int],
    claim: str,
    today: dt.date | None = None,
    final_attempt: bool = True,
) -> tuple[dict[str, int], list[int]]:
    """Send a batch of reminders over one mail connection: the rows claimed and loaded with
    their recipients' preferences in a few queries for the whole batch, then each composed,
    re-checked, mailed and recorded as ``reminder_send`` does. Returns the outcomes counted
    and the ids to try again later: those whose send failed transiently and, when the mail
    server stops answering, every id not yet tried. The batch's ``claim`` (its Celery task
    id) lets a redelivered or retried batch finish its own claims."""
    outcomes: dict[str, int] = defaultdict(int)
    retry: list[int] = []
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:
        if not _is_transient(exc) or final_attempt:
            raise
        logger.warning("Máy chủ thư không trả lời; %s nhắc việc gửi lại sau.", len(reminder_ids))
        return dict(outcomes), list(reminder_ids)
    try:
        claimed = _claim(reminder_ids, claim)
        outcomes["skipped"] = len(reminder_ids) - len(claimed)
        reminders = _load_claimed(claimed)
        muted = _muted_kinds({r.recipient_id: r.recipient for r in reminders}.values())
        today, config = today or today_local(), Config.from_settings()
        recorded = _Outcomes(claim, every=10)
        for index, reminder in enumerate(reminders):
            try:
                outcome = _send_claimed(
                    reminder,
                    claim=claim,
                    today=today,
                    config=config,
                    muted=muted[reminder.recipient_id],
                    connection=connection,
                    final_attempt=final_attempt,
                    outcomes=recorded,
                )
            except TransientSendError:
                retry.append(reminder.pk)
                connection.close()  # the server dropped us: a fresh connection for the rest
                try:
                    connection.open()
                except Exception:
                    retry.extend(r.pk for r in reminders[index + 1 :])
                    break
                continue
            outcomes[outcome] += 1
        recorded.flush()
    finally:
        connection.close()
    return {k: v for k, v in outcomes.items() if v}, retry


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
