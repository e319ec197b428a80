"""Sending notifications: queueing, the claim, batches over one SMTP connection, digests.

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
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from notifications.composing import RELATED, Item, compose_items, compose_message
from notifications.models import (
    Channel,
    Kind,
    NotificationPreference,
    Reminder,
    ReminderStatus,
)
from notifications.planning import MUTABLE, Config, reminder_key, today_local
from tasks.models import TaskTrack

logger = logging.getLogger(__name__)


class TransientSendError(Exception):
    """The mail server did not take the message this time; the send will be retried."""


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
    """Gather each digest reader's pending reminders and notifications into one digest row
    for ``today`` and queue its send: one mail per person per day. A digest already sent
    today takes nothing more (tomorrow's will).

    A fixed number of queries whatever the number of readers: the digests are created once
    (their key), the pending ones locked, and one UPDATE gives every waiting row its reader's
    digest."""
    waiting = Reminder.objects.filter(
        status=ReminderStatus.PENDING, channel=Channel.DIGEST, digest__isnull=True
    )
    readers = sorted(set(waiting.values_list("recipient_id", flat=True)))
    if not readers:
        return []
    keys = [reminder_key(Kind.DAILY_DIGEST, "d", today, 0, user_id) for user_id in readers]
    Reminder.objects.bulk_create(
        [
            Reminder(
                key=key,
                kind=Kind.DAILY_DIGEST,
                recipient_id=user_id,
                due_on=today,
                scan_date=today,
            )
            for key, user_id in zip(keys, readers, strict=True)
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    open_digests = Reminder.objects.filter(key__in=keys, status=ReminderStatus.PENDING)
    ids = sorted(open_digests.select_for_update().values_list("pk", flat=True))
    if ids:
        digest_of_reader = open_digests.filter(recipient_id=OuterRef("recipient_id")).values("pk")
        waiting.filter(recipient_id__in=readers).update(digest_id=Subquery(digest_of_reader[:1]))
    if enqueue:
        transaction.on_commit(lambda: enqueue_sends(ids))
    return ids


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


_SEND_RELATED = ("recipient", *RELATED)


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
    """The recipient is still active and has not muted the kind since (if it may be)."""
    return muted is not None and (reminder.kind not in muted or reminder.kind not in MUTABLE)


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
                items.extend(
                    compose_items(item, today, config) if _still_wanted(item, muted) else []
                )
            kept = {item.reminder.pk for item in items}
            Reminder.objects.filter(pk__in=[r.pk for r in digest_items if r.pk not in kept]).update(
                status=ReminderStatus.CANCELLED
            )
            digest_items = [r for r in digest_items if r.pk in kept]
        else:
            items = compose_items(reminder, today, config) if _still_wanted(reminder, muted) else []
        message = compose_message(reminder, items, today) if items else None
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
