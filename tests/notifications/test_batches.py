"""Planning and sending at scale: the daily digest is one mail per person per day, the weekly
digest is planned once a week, the scan's queries do not grow with the rows, and a batch of
sends uses one SMTP connection (counted at a real SMTP server on loopback)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.smtp import LoopbackSMTP
from notifications import sending, services
from notifications.models import Channel, Kind, Reminder, ReminderStatus
from notifications.services import reminder_plan, reminder_scan
from tests.notifications.test_scan import at, mails_to, scan

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 7, 20)


def _add_tasks(world, count: int, deadline: str, start: int = 100) -> None:
    for number in range(start, start + count):
        world.add_task(str(number), deadline, coordinators=[(world.coordinator, "phối hợp")])


def test_the_daily_digest_is_one_mail_per_person_per_day(world, django_capture_on_commit_callbacks):
    # given an officer who reads the daily digest and five tasks owing reminders today
    services.preference_update(user=world.officer, mode="daily_digest", muted_kinds=[])
    _add_tasks(world, 4, "Quý II/2026")
    # when the day's scan runs (twice: two beats)
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    # then the officer gets one mail listing all of them, the others theirs one by one
    [digest] = mails_to("nt.canbo")
    assert digest.subject == "[Tổng hợp thông báo] 6 nội dung ngày 23/06/2026"
    rows = Reminder.objects.filter(recipient=world.officer).exclude(kind=Kind.DAILY_DIGEST)
    assert rows.count() == 6 and {r.status for r in rows} == {ReminderStatus.SENT}
    assert {r.channel for r in rows} == {Channel.DIGEST}
    assert len(mails_to("nt.phoihop")) == 5
    # and a reminder that arrives later the same day waits for tomorrow's digest
    world.add_task("200", "Trước ngày 24/06/2026")
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    with at(D(2026, 6, 23)), django_capture_on_commit_callbacks(execute=True):
        services.daily_digest_build(today=D(2026, 6, 23))
    assert len(mails_to("nt.canbo")) == 1
    late = Reminder.objects.get(recipient=world.officer, task__ref="200")
    assert (late.status, late.digest) == (ReminderStatus.PENDING, None)
    with at(D(2026, 6, 24)), django_capture_on_commit_callbacks(execute=True):
        services.daily_digest_build(today=D(2026, 6, 24))
    assert [m.subject for m in mails_to("nt.canbo")][1] == (
        "[Tổng hợp thông báo] 1 nội dung ngày 24/06/2026"
    )


def test_the_weekly_digest_is_planned_once_a_week(world, django_capture_on_commit_callbacks):
    world.add_task("3", "Quý I/2026")  # overdue since 31/03/2026
    scan(MONDAY, django_capture_on_commit_callbacks)
    assert Reminder.objects.filter(kind=Kind.OVERDUE_DIGEST, recipient=world.reviewer).count() == 1
    # later that week the digest is on record: not planned again, overdue tasks not read
    with CaptureQueriesContext(connection) as queries:
        planned = reminder_plan(MONDAY + dt.timedelta(days=2))
    assert not [p for p in planned if p.kind == Kind.OVERDUE_DIGEST]
    assert not [q for q in queries if 'DISTINCT "tasks_task"."document_id"' in q["sql"]]
    # the next week it is planned again (from the documents with overdue tasks)
    with CaptureQueriesContext(connection) as queries:
        planned = reminder_plan(MONDAY + dt.timedelta(days=7))
    assert [p.recipient for p in planned if p.kind == Kind.OVERDUE_DIGEST] == [world.reviewer]
    assert [q for q in queries if 'DISTINCT "tasks_task"."document_id"' in q["sql"]]


def _scan_queries(day: dt.date) -> tuple[int, int]:
    Reminder.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        result = reminder_scan(today=day, enqueue=False)
    return len(queries), len(result.created)


@pytest.mark.parametrize("day", [D(2026, 6, 23), D(2026, 7, 3)])
def test_the_scan_queries_do_not_grow_with_the_rows(world, day):
    # given one task, then forty more (due soon or overdue, recurring) with coordinators
    few = _scan_queries(day)
    _add_tasks(world, 15, "Quý II/2026", start=100)
    _add_tasks(world, 15, "Quý I/2026", start=200)
    _add_tasks(world, 10, "Hằng quý", start=300)
    many = _scan_queries(day)
    # then the scan made many more reminders with the same number of queries
    assert many[1] > few[1] + 30
    assert many[0] == few[0]


def _digest_queries(readers: int, day: dt.date) -> tuple[int, int]:
    """Queries of one daily digest build over ``readers`` people with two rows each."""
    from accounts.models import User

    users = User.objects.bulk_create(
        User(username=f"nt.doc-{day:%d}-{i}", email=f"doc{i}@example.vn") for i in range(readers)
    )
    Reminder.objects.bulk_create(
        Reminder(
            key=f"test:{day}:{user.pk}:{n}",
            kind=Kind.DUE_SOON,
            channel=Channel.DIGEST,
            recipient=user,
            due_on=day,
            scan_date=day,
        )
        for user in users
        for n in range(2)
    )
    with CaptureQueriesContext(connection) as ctx:
        ids = sending.daily_digest_build(today=day, enqueue=False)
    assert len(ids) == readers
    assert all(
        Reminder.objects.filter(digest_id=pk).count() == 2 for pk in ids
    )  # each reader's two rows in their own digest
    return len(ctx.captured_queries), len(ids)


def test_the_daily_digest_build_queries_do_not_grow_with_the_readers(db):
    few, _ = _digest_queries(2, D(2026, 6, 23))
    many, built = _digest_queries(40, D(2026, 6, 24))
    assert built == 40 and many == few


def test_a_batch_of_sends_uses_one_smtp_connection(world, settings):
    # given eleven reminders waiting to be sent immediately, batches of four
    _add_tasks(world, 4, "Quý II/2026")
    result = reminder_scan(today=D(2026, 6, 23), enqueue=False)
    assert len(result.queued) == 11
    settings.REMINDER_SEND_BATCH_SIZE = 4
    with LoopbackSMTP(keep=True) as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        # when the sends are queued (the tests run Celery eagerly: each batch is one task)
        with at(D(2026, 6, 23)):
            services.enqueue_sends(result.queued)
        # then every reminder went out, three batches over three connections
        sent = Reminder.objects.filter(status=ReminderStatus.SENT)
        assert sent.count() == 11
        assert smtp.messages == 11
        assert smtp.connections == math.ceil(11 / 4) == 3
        keys = sorted(m["X-Portal-Reminder"] for m in smtp.kept)
    assert keys == sorted(sent.values_list("key", flat=True))
    assert mail.outbox == []  # through the SMTP server, not the test outbox


def test_a_redelivered_batch_finishes_its_own_claims_and_no_other_batch_does(world):
    _add_tasks(world, 2, "Quý II/2026")
    ids = reminder_scan(today=D(2026, 6, 23), enqueue=False).queued
    # given a batch whose worker died after claiming its rows, before recording any send
    assert sending._claim(ids, "batch-1") == ids
    with at(D(2026, 6, 23)):
        # when another batch is handed the same ids, it finds them taken
        assert services.reminder_send_batch(reminder_ids=ids, claim="batch-2") == (
            {"skipped": len(ids)},
            [],
        )
        assert mail.outbox == []
        # and the redelivered message (same claim) sends each one once
        outcomes, retry = services.reminder_send_batch(reminder_ids=ids, claim="batch-1")
    assert (outcomes, retry) == ({"sent": len(ids)}, [])
    assert sorted(m.extra_headers["X-Portal-Reminder"] for m in mail.outbox) == sorted(
        Reminder.objects.filter(pk__in=ids).values_list("key", flat=True)
    )
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", "claim")) == {
        (ReminderStatus.SENT, "")
    }
