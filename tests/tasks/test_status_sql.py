"""The status filter's database conditions agree with the pure status function."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from tasks.models import Task, TaskTrack
from tasks.selectors import task_list_related
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
    task_record_event(task=event_task, event_on=dt.date(2023, 3, 1), due_on=dt.date(2023, 9, 30))


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


# ------------------------------------------------------------ recurring tasks, per occurrence

RECURRING_DAYS = [
    dt.date(2014, 10, 1),
    dt.date(2016, 5, 10),
    dt.date(2020, 11, 20),
    dt.date(2023, 2, 1),
    dt.date(2024, 1, 5),
    dt.date(2025, 6, 15),
    dt.date(2030, 12, 31),
    dt.date(2031, 3, 1),
]


LATE = {(2020, 4), (2024, 2), (2030, 4)}


def _recurring_table() -> None:
    """Recurring tasks of documents with and without a day, a horizon or tracks, and
    reports approved on time, late, not yet, short of 100% or only submitted."""
    from accounts.services import unit_upsert
    from documents.services import document_upsert
    from tasks.models import ProgressReport
    from tasks.services import task_upsert

    issuer, _ = unit_upsert(key="t-issuer", name="Cơ quan ban hành thử", kind="party_central")
    units = [
        unit_upsert(key=f"t-unit-{i}", name=f"Đơn vị thử {i}", kind="ministry")[0] for i in range(3)
    ]
    author = User.objects.create(username="t-author")
    docs = [
        document_upsert(
            slug=slug,
            kind="KH",
            title=slug,
            issuer=issuer,
            issued_on=issued_on,
            issued_year=year,
            horizon_year=horizon,
        )[0]
        for slug, issued_on, year, horizon in [
            ("t-ctr", dt.date(2022, 12, 28), 2022, 2030),
            ("t-kh", None, 2022, 2030),
            ("t-1580", dt.date(2014, 9, 6), 2014, 2020),
            ("t-open", dt.date(2022, 12, 28), 2022, None),
        ]
    ]
    phrases = ["Hằng năm", "Định kỳ 6 tháng, hàng năm", "Hằng quý", "trước 15/12 hằng năm"]
    n = 0
    reports: list[ProgressReport] = []
    for doc in docs:
        for phrase in phrases:
            for leads in ([], units[:1], units[:2]):
                n += 1
                task, _ = task_upsert(
                    document=doc,
                    ref=f"T{n}",
                    title=f"Nhiệm vụ {n}",
                    deadline_text=phrase,
                    leads=[(u, u.name) for u in leads],
                    members={},
                )
                for t_index, track in enumerate(task.tracks.order_by("unit__key")):
                    for year in range(2014, 2032):
                        for quarter in (2, 4):
                            mode = (n + t_index + year + quarter) % 7
                            if n % 5 == 0:
                                mode = 0  # every occurrence on time
                            elif n % 5 == 1:
                                mode = 1 if (year, quarter) in LATE else 0
                            end = dt.date(year, quarter * 3, 30 if quarter == 2 else 31)
                            if mode == 6:
                                continue  # never reported
                            decided = {
                                0: end - dt.timedelta(days=5),  # on time
                                1: end + dt.timedelta(days=20),  # approved late
                                2: end - dt.timedelta(days=1),
                                3: end - dt.timedelta(days=10),
                                4: end,
                                5: end - dt.timedelta(days=3),
                            }[mode]
                            aware = timezone.make_aware(
                                dt.datetime.combine(decided, dt.time(16, 30))
                            )
                            reports.append(
                                ProgressReport(
                                    track=track,
                                    period_year=year,
                                    period_quarter=quarter,
                                    state="submitted" if mode == 5 else "approved",
                                    percent=80 if mode == 3 else 100,
                                    completed_on=None if mode == 3 else end - dt.timedelta(days=15),
                                    author=author,
                                    decided_at=aware,
                                )
                            )
    ProgressReport.objects.bulk_create(reports)


def test_recurring_conditions_agree_with_the_occurrence_rules():
    # given recurring tasks with mixed reports, judged on days before, inside and after
    # their documents' horizons
    _recurring_table()
    tasks = task_list_related(Task.objects.filter(deadline_kind="recurring"))
    seen: set[Status] = set()
    for today in RECURRING_DAYS:
        views = {task.pk: task_status_for(task, today) for task in tasks}
        expected = {pk: view.status for pk, view in views.items()}
        seen |= set(expected.values())
        query = StatusQuery.on(today)
        # then each status filter matches exactly the tasks the pure rules give it
        recurring = Task.objects.filter(deadline_kind="recurring")
        for status in Status:
            matched = set(query.filter(recurring, [status]).values_list("pk", flat=True))
            assert matched == {pk for pk, s in expected.items() if s == status}, (today, status)
        # the counts agree, and the overdue list knows the occurrence missed first
        total, counts = query.counts(recurring, list(Status))
        assert total == len(expected)
        assert counts == {s: list(expected.values()).count(s) for s in Status}
        overdue = query.overdue(recurring).annotate(missed=query.missed_due())
        for task in overdue:
            assert (today - task.missed).days == views[task.pk].days_overdue
    # and the table is varied enough to mean something
    assert {
        Status.OVERDUE,
        Status.IN_PROGRESS,
        Status.NOT_DUE,
        Status.DONE_ON_TIME,
        Status.DONE_LATE,
    } <= seen
