"""Celery settings that make a killed worker's job come back within minutes, and a real
worker killed with SIGKILL mid-send whose reminder the next worker delivers, recorded once."""

from __future__ import annotations

import os
import signal

import pytest
from django.conf import settings

from notifications.models import Kind, Reminder, ReminderStatus
from notifications.services import reminder_scan
from notifications.tasks import RETRY_BACKOFF_MAX_SECONDS, reminder_send_task
from tests.notifications.backends import delivered
from tests.notifications.conftest import build_world
from tests.notifications.test_worker import (  # noqa: F401 - fixtures
    DAY,
    queue,
    redis_client,
    start_worker,
)


def test_time_limits_fit_inside_a_visibility_timeout_of_minutes():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 60 <= visibility <= 10 * 60  # a killed worker's job is back within minutes
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility
    # a retry waiting for its countdown is held unacknowledged: it must not outlive the timeout
    assert visibility > RETRY_BACKOFF_MAX_SECONDS
    assert settings.EMAIL_TIMEOUT < settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_DB_REUSE_MAX > 0


VISIBILITY = 20  # seconds: the production relation (limits inside it) at a test's scale


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_outright_mid_send_is_redelivered_to_the_next_and_sent_once(
    start_worker,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setenv("BROKER_VISIBILITY_TIMEOUT", str(VISIBILITY))
    # given a reminder being sent by a worker whose mail server hangs
    world = build_world()
    reminder_scan(today=DAY, enqueue=False)
    due_soon = Reminder.objects.get(task=world.task, kind=Kind.DUE_SOON)
    first = start_worker("HangOnceBackend", concurrency=1)
    reminder_send_task.delay(due_soon.pk)
    first.wait_for((first.mail_dir / "hung.pid").exists, "the send to start")
    # when the whole worker (main process and pool) is killed with SIGKILL: nothing can
    # acknowledge or reject the message, it stays unacknowledged in Redis
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    assert not delivered(first.mail_dir)
    # then a new worker gets it back after the visibility timeout and sends it
    second = start_worker("HangOnceBackend", concurrency=1)
    second.wait_for(
        lambda: Reminder.objects.filter(pk=due_soon.pk, status=ReminderStatus.SENT).exists(),
        "the redelivered send",
        timeout=VISIBILITY * 3 + 30,
    )
    due_soon.refresh_from_db()
    assert due_soon.attempts == 2  # the killed attempt and the redelivered one
    assert [m["key"] for m in delivered(second.mail_dir)] == [due_soon.key]  # one mail
    assert Reminder.objects.filter(key=due_soon.key).count() == 1  # recorded once
