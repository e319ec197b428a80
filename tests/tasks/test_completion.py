"""A task's stored completion dates follow its tracks through every service that changes
them, and the daily repair puts right a write that went around the services."""

import datetime as dt

import pytest

from accounts.models import Unit, User
from tasks.models import Task, TaskTrack
from tasks.services import (
    report_approve,
    report_reopen,
    report_save_draft,
    report_submit,
    task_completion_refresh,
    task_completion_repair,
    task_record_event,
    task_save,
    task_upsert,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def completion(task):
    task.refresh_from_db()
    return task.completed_on, task.first_completed_on


def approve(track, day):
    officer, leader = (
        User.objects.get(username="laichau.canbo"),
        User.objects.get(username="laichau.lanhdao"),
    )
    report = report_save_draft(
        track=track,
        user=officer,
        year=2026,
        quarter=4,
        percent=100,
        narrative="Đã hoàn thành.",
        completed_on=day,
        today=TODAY,
    )
    report = report_submit(report_id=report.pk, user=officer, version=report.version)
    return report_approve(report_id=report.pk, user=leader, version=report.version)


def test_approval_completes_the_task_and_reopening_undoes_it(seeded):
    track = TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref="STT 5")
    task = track.task
    assert completion(task) == (None, None)
    report = approve(track, dt.date(2026, 11, 20))
    assert completion(task) == (dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    report_reopen(
        report_id=report.pk,
        user=User.objects.get(username="laichau.lanhdao"),
        version=report.version,
        reason="Thiếu minh chứng",
    )
    assert completion(task) == (None, None)


def test_a_collective_task_is_completed_when_its_last_track_is(seeded):
    task = Task.objects.get(document__slug="kh-11-nq-tw", ref="II.7")
    tracks = list(task.tracks.order_by("pk"))
    assert len(tracks) == 14
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=30 * i) for i in range(14)]
    for track, day in zip(tracks[:-1], days, strict=False):
        TaskTrack.objects.filter(pk=track.pk).update(completed_on=day, percent=100)
    task_completion_refresh(task_ids=[task.pk])
    assert completion(task) == (None, None)  # one province has not finished
    TaskTrack.objects.filter(pk=tracks[-1].pk).update(completed_on=days[5], percent=100)
    task_completion_refresh(task_ids=[task.pk])
    assert completion(task) == (max(days[:13]), days[0])


def test_a_new_lead_unit_reopens_a_completed_task(seeded):
    track = TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref="STT 5")
    task = track.task
    approve(track, dt.date(2026, 11, 20))
    assert completion(task)[0] == dt.date(2026, 11, 20)
    leads = [(a.unit, a.printed_name) for a in task.assignments.filter(role="lead")]
    extra = Unit.objects.get(key="ban-tuyen-giao-tu-lai-chau")
    task_upsert(
        document=task.document,
        ref=task.ref,
        title=task.title,
        position=task.position,
        parent=task.parent,
        deadline_text=task.deadline_text,
        leads=[*leads, (extra, "Ban Tuyên giáo Tỉnh ủy")],
    )
    assert task.tracks.count() == 2
    assert completion(task) == (None, None)


def test_saving_a_copy_read_before_an_approval_keeps_the_completion(seeded):
    # An administrator opened the task before the leader approved; saving the form (or any
    # service saving an old copy) must not put back the old "not completed".
    track = TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref="STT 5")
    read_before = Task.objects.get(pk=track.task_id)
    approve(track, dt.date(2026, 11, 20))
    read_before.title += " (đã sửa)"
    task_save(task=read_before)
    assert completion(read_before) == (dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    Task.objects.filter(pk=track.task_id).update(deadline_kind="event")  # an event task now
    task_record_event(
        task=Task.objects.get(pk=track.task_id),
        event_on=dt.date(2026, 1, 2),
        due_on=dt.date(2026, 6, 30),
    )
    stale_again = Task.objects.get(pk=track.task_id)
    Task.objects.filter(pk=track.task_id).update(completed_on=dt.date(2026, 11, 21))
    # writes the event's columns only
    task_record_event(task=stale_again, event_on=dt.date(2026, 1, 3), due_on=dt.date(2026, 6, 30))
    assert completion(stale_again)[0] == dt.date(2026, 11, 21)


def test_the_repair_puts_right_what_went_around_the_services(seeded):
    track = TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref="STT 5")
    assert task_completion_repair() == 0  # the seed went through the services
    # A track completed by a bulk update (no service), and a task marked done by hand.
    TaskTrack.objects.filter(pk=track.pk).update(completed_on=dt.date(2026, 1, 5), percent=100)
    other = Task.objects.get(document__slug="26-ctr-tu", ref="STT 2")
    Task.objects.filter(pk=other.pk).update(completed_on=dt.date(2025, 1, 1))
    assert task_completion_repair() == 2
    assert completion(track.task) == (dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    assert completion(other) == (None, None)
    assert task_completion_repair() == 0


def test_the_repair_job_is_named_and_scheduled_daily():
    from django.conf import settings

    from tasks.tasks import completion_repair_task

    assert completion_repair_task.name == "tasks.completion_repair"
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "tasks.completion_repair"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.hour == {6} and schedule.minute == {30}
