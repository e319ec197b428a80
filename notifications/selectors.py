"""Every read of reminders that depends on who asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.access import access_for
from accounts.models import User
from notifications import kinds
from notifications.composing import RELATED, link_of, title_of
from notifications.models import Kind, NotificationPreference, Reminder, ReminderStatus
from tasks.models import Task


def inbox_for(user: Any, *, unread: bool = False) -> QuerySet[Reminder]:
    """The user's in-app notifications, newest first: every reminder and notification
    addressed to them that still holds (one cancelled because the task was done or the report
    withdrawn meanwhile is not shown; a daily digest is only the envelope of rows already
    listed), with what they name read in the same query."""
    if not user.is_authenticated:
        return Reminder.objects.none()
    rows = (
        Reminder.objects.filter(recipient=user)
        .exclude(kind=Kind.DAILY_DIGEST)
        .exclude(status=ReminderStatus.CANCELLED)
        .select_related(*RELATED, "task__document__issuer")
        .order_by("-created_at", "-id")
    )
    return rows.filter(read_at__isnull=True) if unread else rows


@dataclass(frozen=True)
class Entry:
    """One notification as the inbox page and the API show it: its kind, what it names and
    where that is."""

    id: int
    kind: str
    label: str
    title: str
    url: str
    due_on: dt.date
    created_at: dt.datetime
    read_at: dt.datetime | None
    actor: str
    note: str
    when: str  # "hạn 30/06/2026", "tuần từ 20/07/2026", or nothing for news of a step

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def entries(rows: Iterable[Reminder]) -> list[Entry]:
    """The rows of ``inbox_for`` said the same way everywhere (no further query)."""
    return [
        Entry(
            id=row.pk,
            kind=row.kind,
            label=str(row.get_kind_display()),
            title=title_of(row),
            url=link_of(row),
            due_on=row.due_on,
            created_at=row.created_at,
            read_at=row.read_at,
            actor=(row.actor.full_name or row.actor.username) if row.actor else "",
            note=row.note,
            when=_when(row),
        )
        for row in rows
    ]


def _when(row: Reminder) -> str:
    if row.kind == Kind.OVERDUE_DIGEST:
        return f"tuần từ {row.due_on:%d/%m/%Y}"
    if not kinds.get(row.kind).event or row.kind == Kind.EXPLANATION_REQUESTED:
        return f"hạn {row.due_on:%d/%m/%Y}"
    return ""


def unread_count(user: User) -> int:
    return inbox_for(user, unread=True).count()


def preference_for(user: User) -> NotificationPreference:
    """The user's preference, or the default (the daily digest, nothing muted) unsaved."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def reminders_for_task(task: Task, user: User) -> QuerySet[Reminder]:
    """The reminder log of one task (its tracks, its coordinators, the digests aside).

    Reviewers of the task's document (Ban Kinh tế Trung ương for every document) and admins
    see every row; anyone else sees only the reminders addressed to them.
    """
    if not user.is_authenticated or not user.is_active:
        return Reminder.objects.none()
    rows = (
        Reminder.objects.filter(task=task)
        .select_related("recipient", "track__unit", "unit")
        .order_by("-created_at", "-id")
    )
    if access_for(user).reviews_document(task.document_id):
        return rows
    return rows.filter(recipient=user)
