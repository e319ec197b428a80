"""The status filter's database conditions agree with the pure status function."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks.models import Task, TaskTrack
from tasks.services import task_completion_refresh, task_record_event
from tasks.status import Status
from tasks.status_sql import StatusQuery, age_bucket, overdue_summary, task_status_for

pytestmark = pytest.mark.django_db

DAYS = [
    dt.date(2022, 3, 1),
    dt.date(2022, 4, 30),
    dt.date(2022, 5, 1),
    dt.date(2023, 12, 31),
    dt.date(2025, 7, 1),
    dt.date(2026, 11, 22),
    dt.date(2031, 1, 1),
]


def _complete_some_tracks() -> None:
    """Mixed progress: whole tasks done on time, done late, half done, and an event that
    happened, so every branch of the conditions has rows."""
    tracks = list(TaskTrack.objects.select_related("task").order_by("id"))
    for i, track in enumerate(tracks):
        due = track.task.due_on or dt.date(2023, 6, 30)
        if i % 3 == 0:
            track.completed_on = due - dt.timedelta(days=10)
        elif i % 5 == 0:
            track.completed_on = due + dt.timedelta(days=40)
        else:
            continue
        track.percent = 100
        track.save(update_fields=["completed_on", "percent"])
    task_completion_refresh(task_ids=[t.task_id for t in tracks])
    event_task = Task.objects.filter(deadline_kind="event").first()
    assert event_task is not None
    task_record_event(task=event_task, event_on=dt.date(2023, 3, 1))


@pytest.mark.parametrize("today", DAYS)
def test_conditions_agree_with_the_pure_function(seeded, today):
    _complete_some_tracks()
    tasks = Task.objects.select_related("document").prefetch_related("tracks")
    expected = {task.pk: task_status_for(task, today).status for task in tasks}
    assert len(set(expected.values())) >= 4  # the cases are varied enough to mean something
    for status in Status:
        matched = set(
            StatusQuery.on(today).filter(Task.objects.all(), [status]).values_list("pk", flat=True)
        )
        assert matched == {pk for pk, s in expected.items() if s == status}, status


def test_summary_counts_what_the_filter_matches(seeded):
    today = dt.date(2026, 11, 22)
    summary = overdue_summary(Task.objects.all(), today)
    overdue = StatusQuery.on(today).filter(Task.objects.all(), [Status.OVERDUE])
    assert summary.total == overdue.count() > 0
    assert sum(summary.by_age.values()) == summary.total
    assert sum(c.count for c in summary.by_document) == summary.total


@pytest.mark.parametrize(
    ("days", "label"),
    [(0, ""), (1, "1-30"), (30, "1-30"), (31, "31-90"), (90, "31-90"), (91, ">90"), (4000, ">90")],
)
def test_age_bucket_edges(days, label):
    assert age_bucket(days) == label
