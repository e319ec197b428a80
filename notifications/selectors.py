"""Every read of reminders that depends on who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import access_for
from accounts.models import User
from notifications.models import Kind, NotificationPreference, Reminder, ReminderStatus
from tasks.models import Task


def inbox_for(user: User) -> QuerySet[Reminder]:
    """The user's in-app notifications: every reminder addressed to them that still holds
    (a reminder cancelled because the task was done meanwhile is not shown; a daily digest is
    only the envelope of reminders already listed)."""
    if not user.is_authenticated:
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(recipient=user)
        .exclude(kind=Kind.DAILY_DIGEST)
        .exclude(status=ReminderStatus.CANCELLED)
        .select_related("task", "task__document", "task__document__issuer", "unit")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def preference_for(user: User) -> NotificationPreference:
    """The user's preference, or the default (immediate mails, nothing muted) unsaved."""
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
