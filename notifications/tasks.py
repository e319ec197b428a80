"""Celery entry points: thin, named, safe to run twice. Each takes ids or an ISO date, calls one
service, and leaves every decision to the database (see notifications.planning and
notifications.sending)."""

from __future__ import annotations

import datetime as dt
import random

from celery import shared_task
from django.conf import settings

from notifications import planning, sending

# Backoff for a mail server that does not answer: base doubling per retry, capped well below
# the Redis visibility timeout (an ETA longer than it would be redelivered early).
RETRY_BACKOFF_SECONDS = getattr(settings, "REMINDER_RETRY_BACKOFF_SECONDS", 60)
RETRY_BACKOFF_MAX_SECONDS = settings.BROKER_VISIBILITY_TIMEOUT // 2
MAX_RETRIES = 6


def _day(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else planning.today_local()


@shared_task(name="notifications.reminder_scan")
def reminder_scan_task(today: str | None = None) -> int:
    """The daily scan (beat, 07:00 Asia/Ho_Chi_Minh): record what is owed, queue the sends."""
    return len(planning.reminder_scan(today=_day(today)).created)


@shared_task(
    bind=True,
    name="notifications.reminder_send",
    autoretry_for=(sending.TransientSendError,),
    retry_backoff=RETRY_BACKOFF_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def reminder_send_task(self, reminder_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one reminder; the Celery task id is the claim, so a redelivered message can
    finish its own claim after its worker died."""
    return sending.reminder_send(
        reminder_id=reminder_id,
        claim=self.request.id,
        final_attempt=self.request.retries >= MAX_RETRIES,
    )


@shared_task(bind=True, name="notifications.reminder_send_batch", max_retries=MAX_RETRIES)
def reminder_send_batch_task(self, reminder_ids: list[int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Send a batch of reminders over one SMTP connection. The Celery task id is every row's
    claim; ids whose send failed transiently are retried (with backoff) as a smaller batch
    under the same id, so a redelivered or retried batch finishes its own claims."""
    retries = self.request.retries
    outcomes, again = sending.reminder_send_batch(
        reminder_ids=reminder_ids, claim=self.request.id, final_attempt=retries >= MAX_RETRIES
    )
    if again:
        backoff = min(RETRY_BACKOFF_SECONDS * 2**retries, RETRY_BACKOFF_MAX_SECONDS)
        raise self.retry(args=(again,), countdown=random.uniform(0, backoff))  # noqa: S311
    return outcomes


@shared_task(name="notifications.daily_digest")
def daily_digest_task(today: str | None = None) -> int:
    return len(sending.daily_digest_build(today=_day(today)))


@shared_task(name="notifications.weekly_overdue_digest")
def weekly_overdue_digest_task(today: str | None = None) -> int:
    return len(planning.weekly_overdue_digest(today=_day(today)))
