"""Chờ duyệt: what waits for a leader, oldest first, reports and values alike."""

import datetime as dt

import pytest

from accounts.models import Unit, User
from indicators.models import Indicator
from indicators.services import value_save_draft, value_submit
from portal.approvals import approval_count, approval_queue
from tasks.models import TaskTrack
from tasks.services import report_save_draft, report_submit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def _user(name):  # type: ignore[no-untyped-def]
    return User.objects.get(username=name)


def _submitted_report(ref, percent=20):  # type: ignore[no-untyped-def]
    track = TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref=ref)
    officer = _user("laichau.canbo")
    report = report_save_draft(
        track=track,
        user=officer,
        year=2026,
        quarter=4,
        percent=percent,
        narrative="Đang triển khai",
        today=TODAY,
    )
    return report_submit(report_id=report.pk, user=officer, version=report.version)


def _submitted_value():  # type: ignore[no-untyped-def]
    officer = _user("laichau.canbo")
    value = value_save_draft(
        indicator=Indicator.objects.get(code="CTR26-19"),
        scope=Unit.objects.get(key="tinh-lai-chau"),
        year=2024,
        value_text="48,5",
        source="Niên giám thống kê",
        user=officer,
        today=TODAY,
    )
    return value_submit(value_id=value.pk, user=officer, version=value.version)


def test_the_leader_sees_reports_and_values_oldest_first(seeded, django_assert_max_num_queries):
    first = _submitted_report("STT 5")
    value = _submitted_value()
    last = _submitted_report("STT 6.3")
    leader = _user("laichau.lanhdao")
    # the leader's access (memberships, successions, groups), provinces, reports, values
    with django_assert_max_num_queries(6):
        rows = approval_queue(leader)
    assert [(r.kind, r.obj.pk) for r in rows] == [
        ("report", first.pk),
        ("value", value.pk),
        ("report", last.pk),
    ]
    assert rows[0].period == "Quý IV/2026" and rows[1].period == "Năm 2024"
    assert approval_count(leader) == 3


def test_officers_and_other_leaders_see_nothing(seeded):
    _submitted_report("STT 5")
    assert approval_count(_user("laichau.canbo")) is None  # leads no unit: no link
    assert approval_queue(_user("laichau.canbo")) == []
    assert approval_queue(_user("bktw.rasoat")) == []


def test_bulk_approve_and_return_from_the_queue(client, seeded):
    report = _submitted_report("STT 5")
    other = _submitted_report("STT 6.3")
    client.force_login(_user("laichau.lanhdao"))
    page = client.get("/cho-duyet/").content.decode()
    assert "Chờ duyệt" in page and f"report-{report.pk}-{report.version}" in page
    response = client.post(
        f"/bao-cao/{other.pk}/tra-lai/",
        {"version": other.version, "reason": "Thiếu số liệu", "next": "/cho-duyet/"},
    )
    assert response["Location"] == "/cho-duyet/"
    # A stale version (someone changed it since the page was read) is not approved.
    response = client.post(
        "/cho-duyet/", {"chon": [f"report-{report.pk}-{report.version - 1}"]}, follow=True
    )
    assert "người khác cập nhật" in response.content.decode()
    response = client.post(
        "/cho-duyet/", {"chon": [f"report-{report.pk}-{report.version}"]}, follow=True
    )
    assert "Đã duyệt 1 mục." in response.content.decode()
    report.refresh_from_db()
    other.refresh_from_db()
    assert (report.state, other.state, other.return_reason) == (
        "approved",
        "returned",
        "Thiếu số liệu",
    )
    # An outside "next" is ignored.
    third = _submitted_report("STT 8")
    response = client.post(
        f"/bao-cao/{third.pk}/tra-lai/",
        {"version": third.version, "reason": "x", "next": "https://example.org/"},
    )
    assert response["Location"].startswith("/nhiem-vu/")


def test_approve_all_from_the_queue(client, seeded):
    reports = [_submitted_report(ref) for ref in ("STT 5", "STT 6.3")]
    value = _submitted_value()
    client.force_login(_user("laichau.lanhdao"))
    page = client.get("/cho-duyet/").content.decode()
    assert "Duyệt tất cả 3 mục" in page
    keys = [f"report-{r.pk}-{r.version}" for r in reports] + [f"value-{value.pk}-{value.version}"]
    response = client.post("/cho-duyet/", {"chon": keys}, follow=True)
    assert "Đã duyệt 3 mục." in response.content.decode()
    assert approval_queue(_user("laichau.lanhdao")) == []
    value.refresh_from_db()
    assert value.state == "approved" and value.submitted_at is not None
