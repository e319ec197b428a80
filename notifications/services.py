"""Every write of notifications, by concern:

- ``notifications.planning``: the daily reminder scan (what is owed, to whom; recorded once);
- ``notifications.composing``: subjects, bodies and the lines of a mail, from the registry
  (``notifications.kinds``);
- ``notifications.sending``: queueing, the claim, batches over one SMTP connection, digests;
- ``notifications.inbox``: read marks and preferences;
- here: ``notify``, the one entry point for the notifications of the approval workflow and
  the explanation requests, and the public names of the modules above for their callers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from accounts.access import track_unit
from accounts.models import User
from notifications import kinds
from notifications.inbox import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
)
from notifications.models import Channel, Reminder, ReminderStatus
from notifications.planning import (
    Config,
    People,
    Planned,
    ScanResult,
    overdue_tracks,
    reminder_key,
    reminder_plan,
    reminder_scan,
    today_local,
    tracks_missing_report,
    weekly_overdue_digest,
)
from notifications.sending import (
    TransientSendError,
    daily_digest_build,
    enqueue_daily_digest,
    enqueue_sends,
    reminder_resend,
    reminder_send,
    reminder_send_batch,
    send_batch_size,
)

__all__ = [
    "Config",
    "People",
    "Planned",
    "ScanResult",
    "TransientSendError",
    "daily_digest_build",
    "enqueue_daily_digest",
    "enqueue_sends",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_step",
    "overdue_tracks",
    "preference_update",
    "reminder_key",
    "reminder_plan",
    "reminder_resend",
    "reminder_scan",
    "reminder_send",
    "reminder_send_batch",
    "send_batch_size",
    "today_local",
    "tracks_missing_report",
    "weekly_overdue_digest",
]


def _about(kind: kinds.NotificationKind, about: Any, today: dt.date) -> dict[str, Any]:
    """The columns of a notification about ``about``, and its scope for the key: a report
    or a value at its version (each step makes a new one), an explanation request (its
    answer by the time it was given: an answer may be replaced)."""
    if kind.about == "report":
        track = about.track
        return {
            "scope": f"p{about.pk}.v{about.version}",
            "report": about,
            "task_id": track.task_id,
            "track_id": track.pk,
            "unit_id": track_unit(track),
            "due_on": today,
        }
    if kind.about == "value":
        return {
            "scope": f"v{about.pk}.v{about.version}",
            "value": about,
            "unit_id": about.scope_id,
            "due_on": today,
        }
    if kind.about == "explanation":
        answered = about.answered_at
        return {
            "scope": f"e{about.pk}" + (f".a{int(answered.timestamp())}" if answered else ""),
            "explanation": about,
            "task_id": about.task_id,
            "unit_id": about.unit_id,
            "due_on": about.answer_by if answered is None else today,
        }
    raise ValueError(f"{kind.code} is not sent by an action")


def notify(
    code: str,
    about: Any,
    *,
    actor: User | None,
    note: str = "",
    today: dt.date | None = None,
) -> list[Reminder]:
    """Notify the kind's recipients of an action on ``about`` (a report, an indicator value
    or an explanation request), in the caller's transaction: the rows are written with it
    and the single mails are queued once it commits (``transaction.on_commit``); readers of
    the daily digest (the default) get it in the next morning's digest.

    The actor is never notified of their own action; inactive people and those who muted a
    mutable kind are left out. The key (kind, what at which version, day, recipient) makes a
    repeated call write nothing more. Returns the rows written now.
    """
    kind = kinds.get(code)
    if kind.recipients is None:
        raise ValueError(f"{code} is planned by the reminder scan, not sent by an action")
    today = today or today_local()
    people = People(today, preferences=False)
    recipients: dict[int, User] = {}
    for user in kind.recipients(people, about):
        if user is None or not user.is_active or (actor is not None and user.pk == actor.pk):
            continue
        recipients.setdefault(user.pk, user)
    if not recipients:
        return []
    people.load_preferences(recipients)
    fields = _about(kind, about, today)
    scope = fields.pop("scope")
    rows = [
        Reminder(
            key=reminder_key(code, scope, fields["due_on"], 0, user.pk),
            kind=code,
            channel=people.channel(user, code),
            recipient=user,
            actor=actor,
            note=note,
            scan_date=today,
            **fields,
        )
        for user in recipients.values()
        if people.wants(user, code)
    ]
    with transaction.atomic():
        existing = set(
            Reminder.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True)
        )
        new = [r for r in rows if r.key not in existing]
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
        immediate = list(
            Reminder.objects.filter(
                key__in=[r.key for r in new],
                channel=Channel.IMMEDIATE,
                status=ReminderStatus.PENDING,
            ).values_list("pk", flat=True)
        )
        if immediate:
            transaction.on_commit(lambda: enqueue_sends(immediate))
    return new


def notify_step(subject: Any, step: str, *, actor: User | None, note: str = "") -> list[Reminder]:
    """The notification of one step of the approval workflow (``portal.workflow``) on a
    report or an indicator value, if the step sends one. A withdrawal sends none and drops
    the leaders' notices of the submission not sent yet (a mail already sent stays sent)."""
    about = _SUBJECTS.get(subject._meta.label_lower, "")
    if step == "withdraw" and about:
        submitted = kinds.WORKFLOW_KINDS[(about, "submit")]
        Reminder.objects.filter(
            kind=submitted.code, status=ReminderStatus.PENDING, **{about: subject}
        ).update(status=ReminderStatus.CANCELLED)
    kind = kinds.WORKFLOW_KINDS.get((about, step))
    if kind is None:
        return []
    return notify(kind.code, subject, actor=actor, note=note)


# The workflow's subjects, by model: their notification kinds' ``about``.
_SUBJECTS = {"tasks.progressreport": "report", "indicators.indicatorvalue": "value"}
