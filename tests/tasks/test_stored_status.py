"""The stored open due date (``Task.open_due_on`` and what goes with it) holds to the ONE
status rule: the status read from the stored columns on a day equals ``task_status_for`` on
that day, after the refresh; each write path refreshes it; the repair finds drift."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import unit_upsert
from documents.services import document_upsert
from tasks.choices import AssignmentRole
from tasks.models import Task, TaskAssignment, TaskTrack
from tasks.selectors import task_list_related
from tasks.services import open_due_refresh, open_due_repair, task_record_event, task_upsert
from tasks.status import Status
from tasks.status_sql import (
    StatusQuery,
    StoredParts,
    stored_status_on,
    task_status_for,
)
from tests.tasks.test_status_sql import (
    DAYS,
    RECURRING_DAYS,
    _complete_some_tracks,
    _recurring_table,
)

pytestmark = pytest.mark.django_db


def _stored(task: Task) -> StoredParts:
    return StoredParts(task.open_due_on, task.met_due_on, task.met_late, task.closed_status)


def _assert_stored_agrees(today: dt.date, tasks: list[Task]) -> set[Status]:
    """After a refresh on ``today``: the stored columns read in Python and in SQL (filters,
    counts, the overdue order and ages) give what the pure rule gives."""
    open_due_refresh(task_ids=[t.pk for t in tasks], today=today)
    views = {task.pk: task_status_for(task, today) for task in tasks}
    expected = {pk: view.status for pk, view in views.items()}
    stored = {t.pk: _stored(t) for t in Task.objects.filter(pk__in=expected)}
    for pk, status in expected.items():
        assert stored_status_on(stored[pk], today) == status, (today, pk, stored[pk])
    query = StatusQuery.current(today)
    scope = Task.objects.filter(pk__in=expected)
    for status in Status:
        matched = set(query.filter(scope, [status]).values_list("pk", flat=True))
        assert matched == {pk for pk, s in expected.items() if s == status}, (today, status)
    total, counts = query.counts(scope, list(Status))
    assert total == len(expected)
    assert counts == {s: list(expected.values()).count(s) for s in Status}
    for task in query.overdue(scope).only("pk", "open_due_on"):
        assert (today - task.open_due_on).days == views[task.pk].days_overdue
    return set(expected.values())


def test_stored_columns_agree_with_the_rule_for_recurring_duties():
    # given recurring duties (documents with and without a day or a horizon, no tracks, one
    # or two tracks, occurrences met on time, late, not yet, short of 100%, only submitted)
    _recurring_table()
    tasks = list(task_list_related(Task.objects.filter(deadline_kind="recurring")))
    seen: set[Status] = set()
    for today in RECURRING_DAYS:
        # when the stored columns are refreshed on the day, then they judge as the rule does
        seen |= _assert_stored_agrees(today, tasks)
    assert {
        Status.OVERDUE,
        Status.IN_PROGRESS,
        Status.NOT_DUE,
        Status.DONE_ON_TIME,
        Status.DONE_LATE,
    } <= seen


@pytest.mark.parametrize("today", DAYS)
def test_stored_columns_agree_with_the_rule_for_every_kind(seeded, today):
    # given the seed's tasks (dated, periods, events recorded and awaited, ongoing,
    # unreadable, undated by the document's horizon, collective leads) with mixed progress
    _complete_some_tracks()
    track = TaskTrack.objects.filter(completed_on__isnull=True).first()
    TaskTrack.objects.filter(pk=track.pk).update(handed_to=track.unit, handed_on=today)
    tasks = list(task_list_related(Task.objects.all()))
    # then the stored columns judge as the rule does
    assert len(_assert_stored_agrees(today, tasks)) >= 4


def test_stored_columns_hold_on_later_days_without_a_refresh():
    # given recurring duties whose reports were all approved before the refresh day
    _recurring_table()
    refreshed = dt.date(2032, 2, 1)  # after every report of the table was approved
    tasks = list(task_list_related(Task.objects.filter(deadline_kind="recurring")))
    open_due_refresh(task_ids=[t.pk for t in tasks], today=refreshed)
    stored = {t.pk: _stored(t) for t in Task.objects.filter(pk__in=[t.pk for t in tasks])}
    # then on later days (quarter ends, a new year) the stored columns still agree
    for day in (refreshed, dt.date(2032, 3, 31), dt.date(2032, 12, 31), dt.date(2033, 1, 1)):
        for task in tasks:
            assert stored_status_on(stored[task.pk], day) == task_status_for(task, day).status


def _world():
    issuer, _ = unit_upsert(key="w-issuer", name="Cơ quan ban hành", kind="party_central")
    unit, _ = unit_upsert(key="w-unit", name="Bộ thử", kind="ministry")
    doc, _ = document_upsert(
        slug="w-doc", kind="KH", title="Kế hoạch", issuer=issuer, issued_on=dt.date(2024, 1, 10)
    )
    return doc, unit


def test_a_met_first_unmet_occurrence_moves_the_open_due_date(seeded):
    # given a quarterly duty whose lead has met no occurrence yet
    from accounts.access import access_for
    from accounts.models import Unit
    from tasks.services import report_approve, report_reopen, report_save_draft, report_submit

    officer = User.objects.get(username="laichau.canbo")
    leader = User.objects.get(username="laichau.lanhdao")
    unit = Unit.objects.get(pk=min(access_for(officer).acting))
    doc, _ = _world()
    task, _ = task_upsert(
        document=doc,
        ref="Q1",
        title="Báo cáo hằng quý",
        deadline_text="Hằng quý",
        leads=[(unit, unit.name)],
        members={},
    )
    task.refresh_from_db()
    first = task.open_due_on
    assert first == dt.date(2024, 6, 30)  # the first quarter ending 3 months after issue
    lead = TaskAssignment.objects.get(task=task, role=AssignmentRole.LEAD)
    assert lead.open_due_on == first and task.has_lead
    # when the report meeting it is approved
    report = report_save_draft(
        track=task.tracks.get(),
        user=officer,
        year=2024,
        quarter=2,
        percent=100,
        narrative="Xong",
        completed_on=dt.date(2024, 6, 1),
        today=timezone.localdate(),
    )
    report = report_submit(report_id=report.pk, user=officer, version=report.version)
    report = report_approve(report_id=report.pk, user=leader, version=report.version)
    # then the open due date moves to the next occurrence, on the task and its lead row
    task.refresh_from_db()
    lead.refresh_from_db()
    assert task.open_due_on == lead.open_due_on == dt.date(2024, 9, 30)
    assert task.met_due_on == dt.date(2024, 6, 30)
    # and reopening the report moves it back
    report_reopen(report_id=report.pk, user=leader, version=report.version, reason="Thiếu")
    task.refresh_from_db()
    lead.refresh_from_db()
    assert task.open_due_on == lead.open_due_on == first


def test_deadline_edit_event_and_document_horizon_refresh_it(seeded):
    doc, unit = _world()
    task, _ = task_upsert(
        document=doc,
        ref="D1",
        title="Nhiệm vụ",
        deadline_text="Quý II năm 2025",
        leads=[(unit, unit.name)],
        members={},
    )
    task.refresh_from_db()
    assert task.open_due_on == dt.date(2025, 6, 30)
    # a deadline edit (same tracks)
    task_upsert(
        document=doc,
        ref="D1",
        title="Nhiệm vụ",
        deadline_text="Quý IV năm 2025",
        leads=[(unit, unit.name)],
        members={},
    )
    task.refresh_from_db()
    assert task.open_due_on == dt.date(2025, 12, 31)
    # an event recorded
    event, _ = task_upsert(
        document=doc,
        ref="E1",
        title="Sau khi Luật được thông qua",
        deadline_text="Sau khi Luật được Quốc hội thông qua",
        leads=[(unit, unit.name)],
        members={},
    )
    event.refresh_from_db()
    assert event.open_due_on is None and event.closed_status == Status.AWAITING_EVENT
    task_record_event(task=event, event_on=dt.date(2025, 1, 1), due_on=dt.date(2025, 3, 1))
    event.refresh_from_db()
    assert event.open_due_on == dt.date(2025, 3, 1)
    # a task printed with no deadline follows its document's horizon
    undated, _ = task_upsert(
        document=doc, ref="U1", title="Không ghi hạn", deadline_text="", members={}
    )
    undated.refresh_from_db()
    assert undated.open_due_on is None and not undated.has_lead
    document_upsert(
        slug="w-doc",
        kind="KH",
        title="Kế hoạch",
        issuer=doc.issuer,
        issued_on=dt.date(2024, 1, 10),
        horizon_year=2027,
    )
    undated.refresh_from_db()
    assert undated.open_due_on == dt.date(2027, 12, 31)


def test_the_repair_finds_and_fixes_a_corrupted_row(seeded):
    # given stored columns as the services left them
    assert open_due_repair() == 0
    task = Task.objects.filter(open_due_on__isnull=False, has_lead=True).first()
    good = task.open_due_on
    # when a write goes around the services
    Task.objects.filter(pk=task.pk).update(open_due_on=dt.date(1999, 1, 1))
    TaskAssignment.objects.filter(task=task, role=AssignmentRole.LEAD).update(open_due_on=None)
    # then the repair (the command the daily job runs) puts it right, and says so
    call_command("open_due_repair", stdout=open("/dev/null", "w"))  # noqa: SIM115
    task.refresh_from_db()
    assert task.open_due_on == good
    assert set(
        TaskAssignment.objects.filter(task=task, role=AssignmentRole.LEAD).values_list(
            "open_due_on", flat=True
        )
    ) == {good}
    assert open_due_repair() == 0


def test_the_daily_job_is_named_and_scheduled():
    from django.conf import settings

    from tasks.tasks import open_due_repair_task

    assert open_due_repair_task.name == "tasks.open_due_repair"
    assert any(
        entry["task"] == "tasks.open_due_repair" for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )


def test_a_lead_added_later_gets_the_copy_of_the_open_due_date(db):
    from tests.factories import DocumentFactory, UnitFactory, make_task

    # given a task with one lead, its stored date copied onto that lead's row
    first, second = UnitFactory(), UnitFactory()
    task = make_task(DocumentFactory(), "1", leads=[first])
    task.refresh_from_db()
    assert task.open_due_on == dt.date(2024, 6, 30)
    # when a second lead is added by a write that leaves the task's own date unchanged
    TaskAssignment.objects.create(task=task, unit=second, role=AssignmentRole.LEAD)
    changed = open_due_refresh(task_ids=[task.pk])
    # then the new row's copy is put right too, and counted
    assert changed == 1
    assert set(
        TaskAssignment.objects.filter(task=task, role=AssignmentRole.LEAD).values_list(
            "unit_id", "open_due_on"
        )
    ) == {(first.pk, dt.date(2024, 6, 30)), (second.pk, dt.date(2024, 6, 30))}
