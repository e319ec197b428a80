"""The scan and the send against the database, with the date passed in (tasks eager)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from notifications import sending, services
from notifications.models import Channel, Kind, Reminder, ReminderStatus
from notifications.services import reminder_scan, reminder_send
from tasks.models import ProgressReport, TaskTrack
from tests.notifications.backends import delivered

pytestmark = pytest.mark.django_db
D = dt.date


@contextmanager
def at(day):
    """07:00 on ``day`` in Hà Nội: the beat's hour; sends read the clock for "today"."""
    moment = dt.datetime(day.year, day.month, day.day, 7, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        yield


def scan(day, capture):
    with at(day), capture(execute=True):
        return reminder_scan(today=day)


@pytest.fixture
def eager_retries():
    """Run eager retries in-process, as a worker would (the project propagates eager
    errors, which makes Celery raise the Retry instead of running it)."""
    from portal.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def rows(task, **filters):
    return sorted(
        (r.kind, r.recipient.username, r.offset_days, r.status)
        for r in Reminder.objects.filter(task=task, **filters).select_related("recipient")
    )


def mails_to(username, kind=""):
    return [
        m
        for m in mail.outbox
        if m.to == [f"{username}@example.vn"]
        and m.extra_headers["X-Portal-Reminder"].startswith(kind)
    ]


def test_seven_days_before_the_lead_officer_and_the_coordinator_are_reminded_once(
    world, django_capture_on_commit_callbacks
):
    # given a task due 30/06/2026 with a coordinating unit
    # when the scan runs twice on 23/06 (two beats, or the same scan enqueued twice)
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    # then one reminder each, sent once
    assert rows(world.task) == [
        ("coordinate", "nt.phoihop", 14, "sent"),
        ("due_soon", "nt.canbo", 7, "sent"),
    ]
    assert len(mails_to("nt.canbo", "due_soon")) == 1
    assert len(mails_to("nt.phoihop")) == 1
    # and the quarter report reminder (Q2 is due 25/06), once as well
    assert len(mails_to("nt.canbo", "quarter_report")) == 1
    assert len(mail.outbox) == 3


def test_the_mail_is_vietnamese_with_the_deadline_printed_and_as_a_date(
    world, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://theodoi.example.gov.vn/"
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    [message] = mails_to("nt.canbo", "due_soon")
    assert message.subject == "[Nhắc việc] Còn 7 ngày đến hạn: 1 – Nhiệm vụ thử 1"
    body = message.body
    assert "Kính gửi Nt.Canbo" in body
    assert "Văn bản: Kế hoạch số 99/KH-TN" in body
    assert "Thời hạn (như in): Hoàn thành trong quý II năm 2026" in body
    assert "Hạn hoàn thành: 30/06/2026" in body
    assert "Còn 7 ngày" in body
    assert f"https://theodoi.example.gov.vn/nhiem-vu/{world.task.pk}/" in body
    assert message.extra_headers["X-Portal-Reminder"].startswith("due_soon:t")


def test_each_window_reminds_once_and_a_missed_scan_is_caught_up(
    world, django_capture_on_commit_callbacks
):
    for day in (D(2026, 5, 31), D(2026, 6, 1), D(2026, 6, 20), D(2026, 6, 30)):
        scan(day, django_capture_on_commit_callbacks)
    # 31/05 opens the 30-day window, 01/06 is inside it, 20/06 (no scan on 16/06) catches
    # up the 14-day window, 30/06 the 1-day window (the 7-day one was never scanned).
    assert [r[2] for r in rows(world.task, kind=Kind.DUE_SOON)] == [1, 14, 30]


def test_overdue_goes_to_the_officers_and_the_unit_leader(
    world, django_capture_on_commit_callbacks
):
    scan(D(2026, 7, 1), django_capture_on_commit_callbacks)
    assert rows(world.task) == [
        ("overdue", "nt.canbo", 0, "sent"),
        ("overdue_leader", "nt.lanhdao", 0, "sent"),
    ]
    [message] = mails_to("nt.lanhdao")
    assert message.subject.startswith("[Quá hạn – báo lãnh đạo]")
    assert "Đã quá hạn 1 ngày" in message.body


def test_a_task_completed_since_the_scan_sends_nothing(world):
    reminder_scan(today=D(2026, 6, 23))  # the sends are not run (no on_commit here)
    TaskTrack.objects.filter(task=world.task).update(completed_on=D(2026, 6, 23))
    for reminder in Reminder.objects.filter(task=world.task):
        assert reminder_send(reminder_id=reminder.pk, today=D(2026, 6, 24)) == "cancelled"
    assert mail.outbox == []
    assert set(Reminder.objects.filter(task=world.task).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_a_moved_deadline_cancels_the_reminder_for_the_old_date(world):
    reminder_scan(today=D(2026, 6, 23))
    world.task.due_on = D(2026, 9, 30)
    world.task.save()
    reminder = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    assert reminder_send(reminder_id=reminder.pk, today=D(2026, 6, 24)) == "cancelled"


def test_a_second_send_of_the_same_reminder_is_skipped(world):
    reminder_scan(today=D(2026, 6, 23))
    reminder = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    assert reminder_send(reminder_id=reminder.pk, claim="a", today=D(2026, 6, 23)) == "sent"
    assert reminder_send(reminder_id=reminder.pk, claim="b", today=D(2026, 6, 23)) == "skipped"
    assert reminder_send(reminder_id=reminder.pk, claim="a", today=D(2026, 6, 23)) == "skipped"
    assert len(mails_to("nt.canbo", "due_soon")) == 1


def test_a_redelivered_message_finishes_its_own_claim_others_do_not(world):
    reminder_scan(today=D(2026, 6, 23))
    reminder = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    # a worker claimed it and died before sending
    assert sending._claim([reminder.pk], "message-1")
    assert reminder_send(reminder_id=reminder.pk, claim="message-2", today=D(2026, 6, 23)) == (
        "skipped"
    )
    assert reminder_send(reminder_id=reminder.pk, claim="message-1", today=D(2026, 6, 23)) == (
        "sent"
    )
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_a_claim_lost_for_hours_is_released_by_the_next_scan(world):
    reminder_scan(today=D(2026, 6, 23))
    reminder = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    sending._claim([reminder.pk], "lost")
    Reminder.objects.filter(pk=reminder.pk).update(
        claimed_at=reminder.created_at - dt.timedelta(hours=3)
    )
    result = reminder_scan(today=D(2026, 6, 24))
    assert reminder.pk in result.queued
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.PENDING


def test_muted_kinds_and_the_daily_digest(world, django_capture_on_commit_callbacks):
    services.preference_update(user=world.partner, mode="immediate", muted_kinds=["coordinate"])
    services.preference_update(user=world.officer, mode="daily_digest", muted_kinds=[])
    other = world.add_task("2", "Quý III/2026")
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    scan(D(2026, 9, 1), django_capture_on_commit_callbacks)
    assert not Reminder.objects.filter(recipient=world.partner).exists()
    # the officer's two reminders went into one digest mail per day, never one by one
    officer_rows = Reminder.objects.filter(recipient=world.officer, task__in=[world.task, other])
    assert {r.channel for r in officer_rows} == {Channel.DIGEST}
    assert {r.status for r in officer_rows} == {ReminderStatus.SENT}
    digests = mails_to("nt.canbo")
    assert [m.subject for m in digests] == [
        "[Tổng hợp thông báo] 2 nội dung ngày 23/06/2026",  # with the quarter report
        "[Tổng hợp thông báo] 1 nội dung ngày 01/09/2026",
    ]
    assert "[Sắp đến hạn] Nhiệm vụ: 1 – Nhiệm vụ thử 1" in digests[0].body
    # a second digest run the same day sends nothing more
    with at(D(2026, 9, 1)), django_capture_on_commit_callbacks(execute=True):
        services.daily_digest_build(today=D(2026, 9, 1))
    assert len(mails_to("nt.canbo")) == 2


def test_weekly_overdue_digest_to_the_reviewer(world, django_capture_on_commit_callbacks):
    world.add_task("3", "Quý I/2026")  # overdue since 31/03/2026
    scan(D(2026, 7, 20), django_capture_on_commit_callbacks)  # a Monday
    scan(D(2026, 7, 22), django_capture_on_commit_callbacks)  # same week: nothing new
    [digest] = mails_to("nt.rasoat")
    assert digest.subject == "[Tổng hợp] 2 nhiệm vụ quá hạn tuần 20/07/2026"
    assert "3 – Nhiệm vụ thử 3" in digest.body
    assert "Đã quá hạn 111 ngày" in digest.body
    assert not mails_to("nt.khac")


def test_quarter_report_reminder_and_its_recheck(world, django_capture_on_commit_callbacks):
    reminder_scan(today=D(2026, 6, 15))
    reminder = Reminder.objects.get(kind=Kind.QUARTER_REPORT, recipient=world.officer)
    assert (reminder.unit, reminder.due_on, reminder.offset_days) == (
        world.lead,
        D(2026, 6, 25),
        10,
    )
    # once every open track has its quarter report submitted, the reminder is void
    for track in TaskTrack.objects.filter(unit=world.lead):
        ProgressReport.objects.create(
            track=track,
            period_year=2026,
            period_quarter=2,
            state="submitted",
            narrative="Đã thực hiện",
            author=world.officer,
        )
    assert reminder_send(reminder_id=reminder.pk, today=D(2026, 6, 16)) == "cancelled"


def test_quarter_report_mail_lists_the_tasks_without_a_report(world):
    reminder_scan(today=D(2026, 6, 24))
    reminder = Reminder.objects.get(kind=Kind.QUARTER_REPORT, recipient=world.officer)
    assert reminder_send(reminder_id=reminder.pk, today=D(2026, 6, 24)) == "sent"
    [message] = mail.outbox
    assert message.subject == "[Nhắc báo cáo] Báo cáo tiến độ quý II/2026 (kèm báo cáo 6 tháng)"
    assert "chốt số liệu từ 15/03/2026 đến 14/06/2026" in message.body
    assert "gửi báo cáo chậm nhất ngày 25/06/2026" in message.body
    assert "99/KH-TN 1 – Nhiệm vụ thử 1" in message.body


def test_a_failed_send_is_retried_and_delivered(
    world, settings, django_capture_on_commit_callbacks, tmp_path, eager_retries
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailOnceBackend"
    settings.TEST_MAIL_DIR = str(tmp_path)
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    # the first message sent (whichever reminder it was) failed once and went out on retry
    reminders = Reminder.objects.filter(status=ReminderStatus.SENT)
    [retried] = [r for r in reminders if r.attempts == 2]
    assert "SMTPServerDisconnected" in retried.last_error  # the failure is on record
    assert all(r.attempts == 1 for r in reminders if r != retried)
    sent = [m["key"] for m in delivered(tmp_path)]
    assert sorted(sent) == sorted(r.key for r in reminders)  # each exactly once


def test_a_send_that_keeps_failing_is_marked_failed(world, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.AlwaysFailBackend"
    reminder_scan(today=D(2026, 6, 23))
    reminder = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    with pytest.raises(services.TransientSendError):
        reminder_send(reminder_id=reminder.pk, today=D(2026, 6, 23), final_attempt=False)
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.PENDING
    assert reminder_send(reminder_id=reminder.pk, today=D(2026, 6, 23)) == "failed"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 2)
    assert "SMTPServerDisconnected" in reminder.last_error
    # an administrator can put it back in the queue
    assert services.reminder_resend(reminder_ids=[reminder.pk]) == [reminder.pk]


def test_users_without_email_still_get_the_in_app_notification(
    world, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=world.officer.pk).update(email="")
    scan(D(2026, 6, 23), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    assert (reminder.status, reminder.emailed) == ("sent", False)
    assert not mails_to("nt.canbo")


def test_event_and_undated_tasks_remind_nobody(world):
    event = world.add_task("4", "Sau khi Thủ tướng Chính phủ phê duyệt")
    unknown = world.add_task("5", "Khi nào xong thì báo")
    for day in (D(2026, 6, 23), D(2026, 12, 30)):
        reminder_scan(today=day)
    assert not Reminder.objects.filter(task__in=[event, unknown]).exists()


def test_merged_unit_reminders_go_to_the_successor(world):
    from accounts.models import UnitSuccession

    UnitSuccession.objects.create(
        predecessor=world.lead, successor=world.coordinator, effective_on=D(2026, 6, 1)
    )
    reminder_scan(today=D(2026, 6, 23))
    # the predecessor's own officer (not yet moved) and the successor's both act for it
    assert rows(world.task, kind=Kind.DUE_SOON) == [
        ("due_soon", "nt.canbo", 7, "pending"),
        ("due_soon", "nt.phoihop", 7, "pending"),
    ]


def test_a_merger_after_the_scan_date_changes_nothing_yet(world):
    from accounts.models import UnitSuccession

    UnitSuccession.objects.create(
        predecessor=world.lead, successor=world.coordinator, effective_on=D(2026, 7, 1)
    )
    reminder_scan(today=D(2026, 6, 23))
    assert rows(world.task, kind=Kind.DUE_SOON) == [("due_soon", "nt.canbo", 7, "pending")]


def test_the_command_prints_what_it_would_send_then_sends(world, capsys):
    call_command("send_reminders", "--date", "2026-06-23", "--dry-run")
    out = capsys.readouterr().out
    assert "due_soon" in out and "nt.canbo" in out and "hạn 30/06/2026" in out
    assert not Reminder.objects.exists()
    call_command("send_reminders", "--date", "2026-06-23")
    out = capsys.readouterr().out
    assert "due_soon        nt.canbo             hạn 30/06/2026: sent" in out
    assert len(mails_to("nt.canbo", "due_soon")) == 1
    assert "Còn 7 ngày" in mails_to("nt.canbo", "due_soon")[0].body
    call_command("send_reminders", "--date", "2026-06-23")
    assert len(mails_to("nt.canbo", "due_soon")) == 1


def test_the_seeded_portal_scans_without_error_and_reminds_lai_chau(
    seeded, django_capture_on_commit_callbacks
):
    officer = User.objects.get(username="laichau.canbo")
    reviewer = User.objects.get(username="bktw.rasoat")
    with at(D(2026, 12, 15)), django_capture_on_commit_callbacks(execute=True):
        result = reminder_scan(today=D(2026, 12, 15))  # a Tuesday, Q4 report window
    kinds = {(p.kind, p.recipient.username) for p in result.created}
    assert (Kind.QUARTER_REPORT, officer.username) in kinds
    assert (Kind.OVERDUE_DIGEST, reviewer.username) in kinds
    again = reminder_scan(today=D(2026, 12, 15))
    assert again.created == []
    assert Reminder.objects.filter(status=ReminderStatus.PENDING, channel="immediate").count() == 0


def test_a_track_completed_the_day_before_is_not_reminded(world):
    TaskTrack.objects.filter(task=world.task).update(completed_on=D(2026, 6, 22))
    reminder_scan(today=D(2026, 6, 23))
    reminder_scan(today=D(2026, 7, 1))
    assert not Reminder.objects.filter(task=world.task).exists()
