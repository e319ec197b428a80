"""Delegations (ủy quyền): the access module lets a deputy lead the unit during the period,
and every decision taken under it records the delegating leader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.access import Directory, Grant, Successions, access_for, compute_access
from accounts.choices import Role
from accounts.delegations import DelegationError, delegation_create, delegation_revoke
from accounts.models import Delegation, Membership
from portal.approvals import approval_queue
from portal.workflow import Step
from tasks.services import REPORTS, NotAllowed, report_approve, report_save_draft, report_submit
from tests.factories import DocumentFactory, UnitFactory, UserFactory, make_task

D = dt.date

# ------------------------------------------------------------------ pure


@pytest.mark.parametrize(
    ("day", "leads"),
    [
        (D(2026, 11, 30), False),  # the day before
        (D(2026, 12, 1), True),  # the first day
        (D(2026, 12, 10), True),  # the last day, included
        (D(2026, 12, 11), False),  # the day after
    ],
)
def test_a_deputy_leads_the_unit_during_the_period_only(day, leads):
    grant = Grant(unit_id=7, from_user_id=99, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 10))
    access = compute_access(
        user_id=5,
        day=day,
        memberships=[(7, Role.OFFICER)],
        successions=Successions(()),
        delegations=[grant],
    )
    assert access.leads(7) is leads
    assert access.delegated_by(7) == (99 if leads else None)
    assert access.acts_for(7)


def test_a_leader_in_their_own_name_is_not_acting_under_a_delegation():
    grant = Grant(unit_id=7, from_user_id=99, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 10))
    access = compute_access(
        user_id=5,
        day=D(2026, 12, 5),
        memberships=[(7, Role.LEADER)],
        successions=Successions(()),
        delegations=[grant],
    )
    assert access.leads(7) and access.delegated_by(7) is None


# ------------------------------------------------------------------ the database


@pytest.fixture
def unit_world(db):
    unit = UnitFactory(name="Sở thử")
    other = UnitFactory(name="Sở khác")
    leader = UserFactory(full_name="Lãnh Đạo Một", roles=[(unit, Role.LEADER)])
    deputy = UserFactory(full_name="Phó Phòng Hai", roles=[(unit, Role.OFFICER)])
    officer = UserFactory(roles=[(unit, Role.OFFICER)])
    outsider = UserFactory(roles=[(other, Role.OFFICER)])
    document = DocumentFactory()
    task = make_task(document, "1", leads=[unit], deadline="Năm 2030")
    return {
        "unit": unit,
        "leader": leader,
        "deputy": deputy,
        "officer": officer,
        "outsider": outsider,
        "task": task,
    }


def _delegate(w, starts_on=None, ends_on=None, **kwargs):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return delegation_create(
        unit=w["unit"],
        leader=kwargs.pop("leader", w["leader"]),
        deputy=kwargs.pop("deputy", w["deputy"]),
        starts_on=starts_on or today,
        ends_on=ends_on or today + dt.timedelta(days=6),
        today=today,
        **kwargs,
    )


def test_access_and_the_directory_carry_a_delegation(unit_world):
    w = unit_world
    today = timezone.localdate()
    delegation = _delegate(w, note="Đi công tác")
    for day, leads in [
        (today, True),
        (today + dt.timedelta(days=6), True),
        (today + dt.timedelta(days=7), False),
        (today - dt.timedelta(days=1), False),
    ]:
        access = access_for(w["deputy"], today=day)
        assert access.leads(w["unit"].pk) is leads, day
        assert access.delegated_by(w["unit"].pk) == (w["leader"].pk if leads else None)
        directory = Directory(day)
        assert (w["deputy"] in directory.people(w["unit"].pk, Role.LEADER)) is leads
        assert directory.access[w["deputy"].pk] == access
    assert not access_for(w["officer"]).leads(w["unit"].pk)
    # Revoked: at once, in both.
    delegation_revoke(delegation_id=delegation.pk, user=w["leader"])
    w["deputy"].__dict__.pop("_access_cache", None)
    assert not access_for(w["deputy"]).leads(w["unit"].pk)
    assert w["deputy"] not in Directory(today).people(w["unit"].pk, Role.LEADER)
    assert delegation.history.count() == 2


def test_a_delegation_ends_with_the_leaders_role(unit_world):
    w = unit_world
    _delegate(w)
    Membership.objects.filter(user=w["leader"]).delete()
    assert not access_for(w["deputy"]).leads(w["unit"].pk)
    assert w["deputy"] not in Directory(timezone.localdate()).people(w["unit"].pk, Role.LEADER)


def test_the_rules_of_a_delegation(unit_world):
    w = unit_world
    today = timezone.localdate()
    with pytest.raises(DelegationError, match="thành viên đang hoạt động"):
        _delegate(w, deputy=w["outsider"])
    with pytest.raises(DelegationError, match="chính mình"):
        _delegate(w, deputy=w["leader"])
    with pytest.raises(DelegationError, match="Chỉ lãnh đạo"):
        _delegate(w, leader=w["officer"])
    with pytest.raises(DelegationError, match="Ngày kết thúc"):
        _delegate(w, starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=2))
    with pytest.raises(DelegationError, match="trước ngày hôm nay"):
        _delegate(w, starts_on=today - dt.timedelta(days=1))
    w["officer"].is_active = False
    w["officer"].save()
    with pytest.raises(DelegationError, match="thành viên đang hoạt động"):
        _delegate(w, deputy=w["officer"])
    _delegate(w)
    with pytest.raises(DelegationError, match="trùng thời gian"):
        _delegate(w, starts_on=today + dt.timedelta(days=6), ends_on=today + dt.timedelta(days=9))
    later = _delegate(
        w, starts_on=today + dt.timedelta(days=7), ends_on=today + dt.timedelta(days=9)
    )
    with pytest.raises(DelegationError, match="Chỉ lãnh đạo"):
        delegation_revoke(delegation_id=later.pk, user=w["deputy"])


def test_a_decision_under_delegation_records_the_leader(unit_world, client):
    w = unit_world
    track = w["task"].tracks.get()
    today = timezone.localdate()
    report = report_save_draft(
        track=track,
        user=w["officer"],
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        percent=40,
        narrative="Đang làm",
        today=today,
    )
    report = report_submit(report_id=report.pk, user=w["officer"], version=report.version)
    with pytest.raises(NotAllowed):
        report_approve(report_id=report.pk, user=w["deputy"], version=report.version)
    _delegate(w)
    w["deputy"].__dict__.pop("_access_cache", None)
    rows = approval_queue(w["deputy"])
    assert [(r.obj.pk, r.on_behalf_of) for r in rows] == [(report.pk, w["leader"].pk)]
    client.force_login(w["deputy"])
    queue = client.get("/cho-duyet/").content.decode()
    assert "(thừa ủy quyền của Lãnh Đạo Một)" in queue
    approved = report_approve(report_id=report.pk, user=w["deputy"], version=report.version)
    assert approved.decided_by == w["deputy"] and approved.on_behalf_of == w["leader"]
    assert approved.history.first().on_behalf_of_id == w["leader"].pk
    page = client.get(f"/nhiem-vu/{w['task'].pk}/").content.decode()
    assert 'Phó Phòng Hai <span class="on-behalf">(thừa ủy quyền của Lãnh Đạo Một)</span>' in page
    api = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert api["on_behalf_of_id"] == w["leader"].pk and api["decided_by_id"] == w["deputy"].pk
    # The leader decides in their own name: nothing recorded.
    assert not access_for(w["leader"]).delegated_by(w["unit"].pk)


def test_an_extension_decided_by_a_deputy_of_the_assigning_body(db, time_machine):
    from tasks.extensions import extension_approve, extension_request

    issuer = UnitFactory()
    lead = UnitFactory()
    leader = UserFactory(roles=[(issuer, Role.LEADER)])
    deputy = UserFactory(roles=[(issuer, Role.OFFICER)])
    officer = UserFactory(roles=[(lead, Role.OFFICER)])
    task = make_task(DocumentFactory(issuer=issuer), "1", leads=[lead], deadline="Năm 2030")
    today = timezone.localdate()
    delegation_create(
        unit=issuer,
        leader=leader,
        deputy=deputy,
        starts_on=today,
        ends_on=today,
        today=today,
    )
    extension = extension_request(
        task=task, user=officer, unit=lead, reason="Lý do", proposed_due_on=D(2031, 6, 30)
    )
    decided = extension_approve(extension_id=extension.pk, user=deputy, today=today)
    assert decided.applies and decided.on_behalf_of == leader


def test_the_page_creates_keeps_typed_input_and_revokes(unit_world, client):
    w = unit_world
    client.force_login(w["leader"])
    page = client.get("/uy-quyen/")
    assert page.status_code == 200 and "Ủy quyền mới" in page.content.decode()
    today = timezone.localdate()
    response = client.post(
        "/uy-quyen/",
        {
            "unit": w["unit"].pk,
            "deputy": w["deputy"].pk,
            "starts_on": "31/02/2026",
            "ends_on": (today + dt.timedelta(days=3)).strftime("%d/%m/%Y"),
            "note": "Nghỉ phép năm",
        },
    )
    assert response.status_code == 400 and "Nghỉ phép năm" in response.content.decode()
    response = client.post(
        "/uy-quyen/",
        {
            "unit": w["unit"].pk,
            "deputy": w["deputy"].pk,
            "starts_on": today.strftime("%d/%m/%Y"),
            "ends_on": (today + dt.timedelta(days=3)).strftime("%d/%m/%Y"),
            "note": "Nghỉ phép năm",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.from_user, delegation.to_user) == (w["leader"], w["deputy"])
    response = client.post(
        "/uy-quyen/",
        {
            "unit": w["unit"].pk,
            "deputy": w["deputy"].pk,
            "starts_on": today.strftime("%d/%m/%Y"),
            "ends_on": today.strftime("%d/%m/%Y"),
            "note": "Trùng",
        },
    )
    assert response.status_code == 400 and "trùng thời gian" in response.content.decode()
    client.post("/uy-quyen/", {"action": "revoke", "delegation": delegation.pk})
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    client.force_login(w["deputy"])
    assert "Bạn chưa được ủy quyền" not in client.get("/uy-quyen/").content.decode()


def test_a_value_approved_by_a_deputy_records_the_leader(db):
    from decimal import Decimal

    from accounts.choices import UnitKind
    from indicators.models import Indicator
    from indicators.services import value_approve, value_save_draft, value_submit

    province = UnitFactory(name="Tỉnh thử", kind=UnitKind.PROVINCE)
    department = UnitFactory(name="Sở thử của tỉnh", province=province)
    leader = UserFactory(full_name="Lãnh Đạo Sở", roles=[(department, Role.LEADER)])
    deputy = UserFactory(roles=[(department, Role.OFFICER)])
    officer = UserFactory(roles=[(department, Role.OFFICER)])
    indicator = Indicator.objects.create(
        document=DocumentFactory(),
        code="thu-1",
        name="Tỷ lệ che phủ rừng",
        target_text="đạt 56%",
        target_kind="level",
        comparator="exact",
        target_low=Decimal(56),
        target_high=Decimal(56),
        scope=province,
        target_year=2030,
    )
    today = timezone.localdate()
    value = value_save_draft(
        indicator=indicator,
        scope=province,
        year=2025,
        value_text="50,5",
        source="Niên giám",
        user=officer,
        today=today,
    )
    value = value_submit(value_id=value.pk, user=officer, version=value.version)
    delegation_create(
        unit=department, leader=leader, deputy=deputy, starts_on=today, ends_on=today, today=today
    )
    approved = value_approve(value_id=value.pk, user=deputy, version=value.version)
    assert approved.on_behalf_of == leader and approved.decided_by == deputy
    # The leader in their own name records nobody.
    value = value_save_draft(
        indicator=indicator,
        scope=province,
        year=2024,
        value_text="49",
        source="Niên giám",
        user=officer,
        today=today,
    )
    value = value_submit(value_id=value.pk, user=officer, version=value.version)
    assert value_approve(value_id=value.pk, user=leader, version=value.version).on_behalf_of is None


def test_a_deputy_does_not_decide_on_their_own_report(unit_world):
    # given the deputy wrote and submitted the report, and holds the leader's delegation
    w = unit_world
    track = w["task"].tracks.get()
    today = timezone.localdate()
    report = report_save_draft(
        track=track,
        user=w["deputy"],
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        percent=40,
        narrative="Đang làm",
        today=today,
    )
    report = report_submit(report_id=report.pk, user=w["deputy"], version=report.version)
    _delegate(w)
    w["deputy"].__dict__.pop("_access_cache", None)
    # then their queue does not offer it, and the leader's does
    assert approval_queue(w["deputy"]) == []
    assert [r.obj.pk for r in approval_queue(w["leader"])] == [report.pk]
    # when the deputy tries to approve it, then they are refused and nothing changes
    assert not REPORTS.allowed(w["deputy"], Step.APPROVE, report)
    with pytest.raises(NotAllowed, match="không tự quyết định báo cáo"):
        report_approve(report_id=report.pk, user=w["deputy"], version=report.version)
    report.refresh_from_db()
    assert report.state == "submitted" and report.decided_by is None
    # the leader still decides in their own name
    approved = report_approve(report_id=report.pk, user=w["leader"], version=report.version)
    assert approved.decided_by == w["leader"] and approved.on_behalf_of is None
