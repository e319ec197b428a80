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

from notifications.inbox import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
)
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
