"""Deadline extensions (đề nghị gia hạn): who asks, who decides, the in-time rule, and the
status that pages, lists (SQL) and the API read from it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.choices import Role, UnitKind
from tasks.extensions import (
    ExtensionError,
    extension_approve,
    extension_refuse,
    extension_request,
    extensions_awaiting,
)
from tasks.models import DeadlineExtension, ExtensionState, Task, TaskTrack
from tasks.services import NotAllowed, task_completion_refresh, task_record_event
from tasks.status import Status, extension_in_time
from tasks.status_sql import StatusQuery, task_status_for
from tests.factories import DocumentFactory, UnitFactory, UserFactory, make_task

D = dt.date
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=HCM)


# ------------------------------------------------------------------ pure: the in-time rule


@pytest.mark.parametrize(
    ("due", "requested", "approved", "moves"),
    [
        (D(2024, 6, 30), D(2024, 5, 10), D(2024, 5, 20), True),  # asked and agreed in time
        (D(2024, 6, 30), D(2024, 6, 30), D(2024, 6, 30), True),  # the due day itself counts
        (D(2024, 6, 30), D(2024, 6, 1), D(2024, 7, 1), False),  # agreed the day after
        (D(2024, 6, 30), D(2024, 7, 1), D(2024, 7, 2), False),  # asked after it passed
        (D(2024, 6, 30), D(2024, 8, 1), D(2024, 6, 1), False),  # nonsense order: still no
        (D(2030, 12, 31), D(2026, 12, 2), D(2026, 12, 3), True),  # due at the horizon
    ],
)
def test_an_extension_moves_the_due_date_only_when_asked_and_agreed_in_time(
    due, requested, approved, moves
):
    assert extension_in_time(due, requested_on=requested, approved_on=approved) is moves


# ------------------------------------------------------------------ the people


@pytest.fixture
def world(db):
    issuer = UnitFactory(name="Tỉnh ủy thử", kind=UnitKind.PROVINCIAL_PARTY)
    lead = UnitFactory(name="Sở thử chủ trì")
    other = UnitFactory(name="Sở khác")
    monitor = UnitFactory(name="Ban theo dõi thử")
    document = DocumentFactory(issuer=issuer, horizon_year=2030)
    document.monitors.add(monitor)
    task = make_task(document, "1", leads=[lead], deadline="Hoàn thành trong quý II năm 2024")
    return {
        "task": task,
        "document": document,
        "lead": lead,
        "issuer": issuer,
        "officer": UserFactory(roles=[(lead, Role.OFFICER)]),
        "lead_leader": UserFactory(roles=[(lead, Role.LEADER)]),
        "boss": UserFactory(roles=[(issuer, Role.LEADER)]),
        "issuer_officer": UserFactory(roles=[(issuer, Role.OFFICER)]),
        "reviewer": UserFactory(roles=[(monitor, Role.REVIEWER)]),
        "stranger": UserFactory(roles=[(other, Role.OFFICER)]),
    }


PROPOSED = D(2024, 9, 30)


def _ask(world, proposed=PROPOSED, user=None, task=None):  # type: ignore[no-untyped-def]
    return extension_request(
        task=task or world["task"],
        user=user or world["officer"],
        unit=world["lead"],
        reason="Chờ ý kiến thẩm định của Bộ",
        proposed_due_on=proposed,
    )


def test_only_the_lead_unit_asks(world, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)))
    for user in ("stranger", "boss", "reviewer"):
        with pytest.raises(NotAllowed):
            _ask(world, user=world[user])
    extension = _ask(world)
    assert extension.state == ExtensionState.REQUESTED
    assert extension.original_due_on == D(2024, 6, 30)
    assert extension.history.count() == 1  # audited: who asked, when


def test_one_open_request_per_task_and_a_later_date(world, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)))
    with pytest.raises(ExtensionError, match="sau hạn hiện hành"):
        _ask(world, proposed=D(2024, 6, 30))
    _ask(world)
    with pytest.raises(ExtensionError, match="đang chờ quyết định"):
        _ask(world, proposed=D(2024, 12, 31))
    with pytest.raises(ExtensionError, match="lý do"):
        extension_request(
            task=world["task"],
            user=world["officer"],
            unit=world["lead"],
            reason="  ",
            proposed_due_on=D(2025, 1, 1),
        )


def test_recurring_duties_and_waiting_events_are_not_extended(world, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)))
    document, lead = world["document"], [world["lead"]]
    yearly = make_task(document, "2", leads=lead, deadline="Hằng năm")
    with pytest.raises(ExtensionError, match="định kỳ"):
        _ask(world, task=yearly)
    event = make_task(document, "3", leads=lead, deadline="Sau khi Thủ tướng phê duyệt")
    with pytest.raises(ExtensionError, match="chờ sự kiện"):
        _ask(world, task=event)
    task_record_event(task=event, event_on=D(2024, 3, 1), due_on=D(2024, 6, 1))
    event.refresh_from_db()
    assert _ask(world, task=event).original_due_on == D(2024, 6, 1)


def test_the_assigning_body_or_a_reviewer_decides(world, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)))
    extension = _ask(world)
    for user in ("officer", "lead_leader", "issuer_officer", "stranger"):
        with pytest.raises(NotAllowed):
            extension_approve(extension_id=extension.pk, user=world[user], today=D(2024, 5, 10))
    assert list(extensions_awaiting(world["boss"])) == [extension]
    assert list(extensions_awaiting(world["reviewer"])) == [extension]
    assert list(extensions_awaiting(world["lead_leader"])) == []
    with pytest.raises(ExtensionError, match="lý do không đồng ý"):
        extension_refuse(
            extension_id=extension.pk, user=world["reviewer"], note="", today=D(2024, 5, 10)
        )
    refused = extension_refuse(
        extension_id=extension.pk,
        user=world["reviewer"],
        note="Không đủ căn cứ",
        today=D(2024, 5, 10),
    )
    assert refused.state == ExtensionState.REFUSED and refused.decided_by == world["reviewer"]
    assert Task.objects.get(pk=world["task"].pk).extended_due_on is None
    with pytest.raises(ExtensionError, match="đã được quyết định"):
        extension_approve(extension_id=extension.pk, user=world["boss"], today=D(2024, 5, 11))
    # A new request once the first is decided; the leader of the issuing body agrees.
    second = _ask(world)
    assert extension_approve(
        extension_id=second.pk, user=world["boss"], today=D(2024, 5, 12)
    ).applies


def test_an_extension_agreed_in_time_moves_the_status_and_keeps_the_original(world, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)))
    task = world["task"]
    extension = _ask(world)
    approved = extension_approve(
        extension_id=extension.pk, user=world["boss"], today=D(2024, 5, 20)
    )
    assert approved.applies and approved.state == ExtensionState.APPROVED
    task = Task.objects.select_related("document").get(pk=task.pk)
    assert (task.due_on, task.extended_due_on) == (D(2024, 6, 30), D(2024, 9, 30))
    view = task_status_for(task, D(2024, 8, 1))
    assert (view.status, view.due_on, view.original_due_on) == (
        Status.IN_PROGRESS,
        D(2024, 9, 30),
        D(2024, 6, 30),
    )
    assert task_status_for(task, D(2024, 10, 1)).status is Status.OVERDUE
    query = StatusQuery.on(D(2024, 8, 1))
    assert list(query.filter(Task.objects.all(), [Status.IN_PROGRESS])) == [task]
    assert not query.filter(Task.objects.all(), [Status.OVERDUE]).exists()
    # The stored open due date today's lists judge by moved with it, on the task and on its
    # lead assignment (the index the unit's overdue page reads).
    assert task.open_due_on == D(2024, 9, 30)
    assert {a.open_due_on for a in task.assignments.filter(role="lead")} == {D(2024, 9, 30)}
    current = StatusQuery.current(D(2024, 8, 1))
    assert list(current.filter(Task.objects.all(), [Status.IN_PROGRESS])) == [task]
    # The history says what moved it.
    latest = task.history.order_by("-history_id").first()  # (the clock was moved back)
    assert latest.extended_due_on == D(2024, 9, 30)
    assert "Gia hạn đến 30/09/2024" in latest.history_change_reason


@pytest.mark.parametrize(
    ("asked", "agreed"), [(D(2024, 7, 2), D(2024, 7, 3)), (D(2024, 6, 20), D(2024, 7, 1))]
)
def test_an_extension_after_the_due_date_passed_changes_nothing(world, time_machine, asked, agreed):
    time_machine.move_to(at(asked))
    extension = _ask(world)
    approved = extension_approve(extension_id=extension.pk, user=world["boss"], today=agreed)
    assert approved.state == ExtensionState.APPROVED and not approved.applies
    task = Task.objects.select_related("document").get(pk=world["task"].pk)
    assert task.extended_due_on is None
    assert task_status_for(task, D(2024, 8, 1)).status is Status.OVERDUE
    assert StatusQuery.on(D(2024, 8, 1)).filter(Task.objects.all(), [Status.OVERDUE]).exists()


# ------------------------------------------------------------------ SQL agrees with the rule

DAYS = [D(2024, 5, 1), D(2024, 8, 1), D(2024, 12, 31), D(2025, 3, 1), D(2030, 12, 1), D(2031, 1, 2)]


def test_status_conditions_agree_with_the_pure_rule_with_extensions(world):
    document, lead = world["document"], [world["lead"]]
    tasks = [world["task"]]
    tasks += [
        make_task(document, ref, leads=lead, deadline=text)
        for ref, text in [
            ("p", "2023-2024"),
            ("d", "Hoàn thành trong quý IV năm 2024"),
            ("h", ""),  # due at the document's horizon (2030)
            ("e", "Sau khi Thủ tướng phê duyệt"),
            ("e2", "Sau khi được phê duyệt"),
        ]
    ]
    task_record_event(task=tasks[4], event_on=D(2024, 2, 1), due_on=D(2024, 6, 30))
    task_record_event(task=tasks[5], event_on=D(2024, 2, 1), due_on=D(2024, 12, 31))
    # Extensions as the approval service writes them (a later date than the one in force).
    extended = {0: D(2024, 9, 30), 1: D(2025, 6, 30), 3: D(2031, 6, 30), 4: D(2024, 12, 31)}
    for index, day in extended.items():
        Task.objects.filter(pk=tasks[index].pk).update(extended_due_on=day)
    # Completed: one before its original date, one between the original and the extension,
    # one after the extension; the others open.
    for index, done in {0: D(2024, 8, 15), 1: D(2025, 7, 1), 5: D(2024, 11, 1)}.items():
        TaskTrack.objects.filter(task=tasks[index]).update(completed_on=done, percent=100)
    task_completion_refresh(task_ids=[t.pk for t in tasks])
    rows = Task.objects.select_related("document").prefetch_related("tracks")
    seen: set[Status] = set()
    for day in DAYS:
        expected = {task.pk: task_status_for(task, day) for task in rows}
        seen |= {v.status for v in expected.values()}
        query = StatusQuery.on(day)
        for status in Status:
            matched = set(query.filter(Task.objects.all(), [status]).values_list("pk", flat=True))
            assert matched == {pk for pk, v in expected.items() if v.status == status}, (
                day,
                status,
            )
        missed = dict(
            query.overdue(Task.objects.all()).annotate(m=query.missed_due()).values_list("pk", "m")
        )
        assert missed == {
            pk: v.due_on for pk, v in expected.items() if v.status == Status.OVERDUE
        }, day
    assert {Status.DONE_ON_TIME, Status.DONE_LATE, Status.OVERDUE, Status.IN_PROGRESS} <= seen
    # The task done between its original date and its extension is done on time.
    assert task_status_for(rows.get(pk=tasks[0].pk), D(2025, 1, 1)).status is Status.DONE_ON_TIME


# ------------------------------------------------------------------ pages and the API


def test_the_task_page_shows_both_dates_and_keeps_what_was_typed(world, client, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)), tick=False)
    task = world["task"]
    client.force_login(world["officer"])
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Đề nghị gia hạn" in page and "nhiệm vụ định kỳ được đánh giá theo từng kỳ" in page
    response = client.post(
        f"/nhiem-vu/{task.pk}/gia-han/",
        {"gh-unit": world["lead"].pk, "gh-proposed_due_on": "31/02/2024", "gh-reason": "Lý do gõ"},
    )
    assert response.status_code == 400
    assert "Lý do gõ" in response.content.decode()
    response = client.post(
        f"/nhiem-vu/{task.pk}/gia-han/",
        {
            "gh-unit": world["lead"].pk,
            "gh-proposed_due_on": "30/09/2024",
            "gh-reason": "Chờ thẩm định",
        },
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get(task=task)
    client.force_login(world["reviewer"])
    queue = client.get("/cho-duyet/").content.decode()
    assert f"gia-han-{extension.pk}" in queue and "Chờ thẩm định" in queue
    response = client.post(
        f"/nhiem-vu/{task.pk}/gia-han/{extension.pk}/quyet-dinh/",
        {"qd-decision": "approve", "qd-note": "", "next": "/cho-duyet/#gia-han"},
    )
    assert response["Location"] == "/cho-duyet/#gia-han"
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Hạn ban đầu" in page and "30/06/2024" in page
    assert "Gia hạn đến 30/09/2024</strong> theo đề nghị ngày 10/05/2024" in page


def test_an_approval_after_the_due_date_is_shown_as_such(world, client, time_machine):
    time_machine.move_to(at(D(2024, 7, 5)), tick=False)
    extension = _ask(world)
    extension_approve(extension_id=extension.pk, user=world["boss"], today=D(2024, 7, 5))
    client.force_login(world["boss"])  # the issuing body's leader sees what it assigned
    page = client.get(f"/nhiem-vu/{world['task'].pk}/").content.decode()
    assert "gia hạn sau khi đã quá hạn: không thay đổi tình trạng" in page
    assert "Chưa hoàn thành, quá hạn" in page


def test_the_api_requests_decides_and_shows_both_dates(world, client, time_machine):
    time_machine.move_to(at(D(2024, 5, 10)), tick=False)
    task = world["task"]
    client.force_login(world["stranger"])
    url = f"/api/v1/tasks/{task.pk}/extensions/"
    body = {"unit_id": world["lead"].pk, "proposed_due_on": "2024-09-30", "reason": "Lý do"}
    assert client.post(url, body, content_type="application/json").status_code == 404
    client.force_login(world["officer"])
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    extension_id = response.json()["id"]
    assert client.post(url, body, content_type="application/json").status_code == 400
    decision = f"/api/v1/tasks/{task.pk}/extensions/{extension_id}/decision/"
    assert (
        client.post(decision, {"decision": "approve"}, content_type="application/json").status_code
        == 403
    )
    client.force_login(world["boss"])
    response = client.post(decision, {"decision": "approve"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["applies"] is True
    detail = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert detail["original_due_on"] == "2024-06-30"
    assert detail["extended_due_on"] == detail["due_on"] == "2024-09-30"
    assert detail["deadline"]["due_on"] == "2024-06-30"
    listed = client.get(url).json()
    assert [e["state"] for e in listed] == ["approved"]
    assert client.get("/api/v1/tasks/").json()["results"][0]["extended_due_on"] == "2024-09-30"


def test_the_issuing_body_sees_the_tasks_it_assigned(world):
    from accounts.access import visible_tasks

    assert list(visible_tasks(world["boss"])) == [world["task"]]
    assert not visible_tasks(world["issuer_officer"]).exists()


def test_nobody_decides_their_own_request(world, time_machine):
    # given a person who both leads the lead unit and the issuing body (a committee that
    # assigned the task to itself)
    time_machine.move_to(at(D(2024, 5, 10)))
    both = UserFactory(roles=[(world["lead"], Role.LEADER), (world["issuer"], Role.LEADER)])
    extension = _ask(world, user=both)
    # when they try to agree to it, then they are refused and another decider is needed
    with pytest.raises(NotAllowed, match="không tự quyết định"):
        extension_approve(extension_id=extension.pk, user=both, today=D(2024, 5, 10))
    assert extension_approve(
        extension_id=extension.pk, user=world["boss"], today=D(2024, 5, 10)
    ).applies


def test_a_request_for_a_deadline_no_longer_in_force_can_only_be_refused(world, time_machine):
    # given a request made against 30/06/2024, then the printed deadline corrected
    time_machine.move_to(at(D(2024, 5, 10)))
    extension = _ask(world)
    task = world["task"]
    Task.objects.filter(pk=task.pk).update(due_on=D(2024, 8, 31), deadline_text="Tháng 8/2024")
    # when the assigning body agrees, then it is refused with the date now in force
    with pytest.raises(ExtensionError, match="31/08/2024"):
        extension_approve(extension_id=extension.pk, user=world["boss"], today=D(2024, 5, 12))
    assert Task.objects.get(pk=task.pk).extended_due_on is None
    # and it can still be refused, so the lead unit may ask again
    refused = extension_refuse(
        extension_id=extension.pk, user=world["boss"], note="Hạn đã đổi", today=D(2024, 5, 12)
    )
    assert refused.state == ExtensionState.REFUSED
