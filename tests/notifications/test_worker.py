"""A real Celery worker (``celery -A portal worker``, a separate process) against this
machine's Redis: duplicates, retries and a worker killed mid-send.

Each test uses Redis db 13 and a queue of its own, and the worker process uses pytest's
test database (rows are committed: ``transactional_db``). The worker's mail backend appends
every delivered message to a file the test reads.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.smtp import LoopbackSMTP
from notifications.models import Kind, Reminder, ReminderStatus
from notifications.services import reminder_scan
from notifications.tasks import reminder_scan_task, reminder_send_task
from tasks.services import report_save_draft, report_submit
from tests.notifications.backends import delivered
from tests.notifications.conftest import build_world, celery_broker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/13"
DAY = dt.date(2026, 6, 23)  # the world's task is due 30/06/2026: 7 days ahead
TIMEOUT = 60


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at 127.0.0.1:6379 does not answer ({exc}); start it to run this test")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see the test run's in-memory SQLite database")
    return client


@pytest.fixture
def queue(redis_client):
    name = f"nq-reminders-test-{uuid.uuid4().hex[:10]}"
    yield name
    for key in redis_client.scan_iter(f"*{name}*"):
        redis_client.delete(key)
    for binding in redis_client.scan_iter("_kombu.binding.*"):
        for member in redis_client.smembers(binding):
            if name.encode() in member:
                redis_client.srem(binding, member)


class Worker:
    def __init__(
        self, queue: str, mail_dir: Path, backend: str, concurrency: int, smtp_port: int = 0
    ) -> None:
        self.mail_dir = mail_dir
        self.log = mail_dir / "worker.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "TEST_DATABASE_NAME": connection.settings_dict["NAME"],
            "CELERY_BROKER_URL": REDIS_URL,
            "TEST_CELERY_QUEUE": queue,
            "TEST_EMAIL_BACKEND": f"tests.notifications.backends.{backend}",
            "TEST_MAIL_DIR": str(mail_dir),
            "TEST_SMTP_PORT": str(smtp_port or ""),
        }
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}@%h",
                    "--pool=prefork",
                    f"--concurrency={concurrency}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, condition, what: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited while waiting for {what}:\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}; worker log:\n{self.output()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture
def start_worker(queue, tmp_path):
    started: list[Worker] = []

    def start(
        backend: str = "RecordingBackend", concurrency: int = 2, smtp_port: int = 0
    ) -> Worker:
        worker = Worker(queue, tmp_path, backend, concurrency, smtp_port)
        started.append(worker)
        return worker

    with celery_broker(REDIS_URL, queue):
        yield start
    for worker in started:
        worker.stop()


def settled() -> bool:
    return not Reminder.objects.filter(
        status__in=(ReminderStatus.PENDING, ReminderStatus.SENDING), channel="immediate"
    ).exists()


def test_the_same_reminder_and_the_same_scan_twice_send_one_mail_per_recipient(start_worker):
    # given the reminders of 23/06 recorded and a worker with two processes
    world = build_world()
    reminder_scan(today=DAY, enqueue=False)
    due_soon = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    worker = start_worker()
    # when the same send is enqueued twice and the scan runs twice (two beats)
    reminder_send_task.delay(due_soon.pk)
    reminder_send_task.delay(due_soon.pk)
    reminder_scan_task.delay(DAY.isoformat())
    reminder_scan_task.delay(DAY.isoformat())
    worker.wait_for(
        lambda: Reminder.objects.filter(status=ReminderStatus.SENT).count() == 3, "three sends"
    )
    worker.wait_for(
        lambda: len(re.findall(r"reminder_scan\[\S+\] succeeded", worker.output())) == 2,
        "both scans",
    )
    worker.wait_for(settled, "nothing pending")
    time.sleep(1)  # let any duplicate message that is still in flight arrive
    # then exactly one mail per recipient and reminder
    mails = delivered(worker.mail_dir)
    keys = sorted(m["key"] for m in mails)
    assert keys == sorted(Reminder.objects.filter(status="sent").values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 3
    assert sorted((m["to"][0], m["key"].split(":")[0]) for m in mails) == [
        ("nt.canbo@example.vn", "due_soon"),
        ("nt.canbo@example.vn", "quarter_report"),
        ("nt.phoihop@example.vn", "coordinate"),
    ]
    assert Reminder.objects.get(pk=due_soon.pk).attempts == 1


def test_a_send_that_fails_once_is_delivered_on_retry(start_worker):
    world = build_world()
    reminder_scan(today=DAY, enqueue=False)
    due_soon = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    worker = start_worker("FailOnceBackend", concurrency=1)
    reminder_send_task.delay(due_soon.pk)
    worker.wait_for(
        lambda: Reminder.objects.filter(pk=due_soon.pk, status=ReminderStatus.SENT).exists(),
        "the retried send",
    )
    due_soon.refresh_from_db()
    assert due_soon.attempts == 2
    assert "SMTPServerDisconnected" in due_soon.last_error
    assert [m["key"] for m in delivered(worker.mail_dir)] == [due_soon.key]
    assert "Retry in" in worker.output()


def test_a_worker_killed_mid_send_delivers_on_redelivery(start_worker):
    # given a mail server that hangs on the first message, and acks_late with
    # reject_on_worker_lost: the message stays in Redis until the send is done
    world = build_world()
    reminder_scan(today=DAY, enqueue=False)
    due_soon = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    worker = start_worker("HangOnceBackend", concurrency=2)
    reminder_send_task.delay(due_soon.pk)
    pid_file = worker.mail_dir / "hung.pid"
    worker.wait_for(pid_file.exists, "the send to start")
    # when the pool process doing the send is killed
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    # then the message is redelivered, takes its own claim back and sends once
    worker.wait_for(
        lambda: Reminder.objects.filter(pk=due_soon.pk, status=ReminderStatus.SENT).exists(),
        "the redelivered send",
    )
    due_soon.refresh_from_db()
    assert due_soon.attempts == 2
    assert [m["key"] for m in delivered(worker.mail_dir)] == [due_soon.key]


def test_a_workflow_notification_goes_out_through_a_worker_to_a_real_smtp_server(start_worker):
    # given the unit's leader asked for single mails, a worker and an SMTP server on loopback
    world = build_world()
    track = world.task.tracks.get()
    with LoopbackSMTP(keep=True) as smtp:
        worker = start_worker(concurrency=1, smtp_port=smtp.port)
        # when the officer submits a report (committed: the send is queued on commit)
        report = report_save_draft(
            track=track,
            user=world.officer,
            year=2026,
            quarter=2,
            percent=50,
            narrative="Đang triển khai",
            today=DAY,
        )
        report_submit(report_id=report.pk, user=world.officer, version=report.version)
        worker.wait_for(
            lambda: Reminder.objects.filter(kind=Kind.REPORT_SUBMITTED, status="sent").exists(),
            "the leader's mail",
        )
        kept = smtp.kept
    # then the leader, and only the leader, got one mail naming the report, over SMTP
    [message] = kept
    assert message["To"] == world.leader.email
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "[Chờ duyệt] Báo cáo Quý II/2026 – 99/KH-TN 1 – Nhiệm vụ thử 1"
    assert Reminder.objects.get().recipient == world.leader
