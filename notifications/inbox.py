"""The user's own side: read marks and preferences."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import (
    MUTABLE_KINDS,
    NotificationPreference,
    Reminder,
)

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
