"""Progress reports through the API: the services' rules, versions, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import Unit, User
from accounts.services import membership_ensure
from tasks.models import ProgressReport
from tasks.services import report_save_draft, report_submit
from tests.api.conftest import DEMO_USERS, bac_kan_track, lai_chau_track

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def draft(track=None, narrative="Đã triển khai.", year=2026, quarter=4):  # type: ignore[no-untyped-def]
    track = track or lai_chau_track()
    author = User.objects.get(username="laichau.canbo")
    if track.unit.key != "bcsd-ubnd-lai-chau":
        author = User.objects.create_user("backan.canbo", password="x-123456789")
        membership_ensure(user=author, unit=track.unit, role=Role.OFFICER)
    return report_save_draft(
        track=track,
        user=author,
        year=year,
        quarter=quarter,
        percent=40,
        narrative=narrative,
        today=TODAY,
    )


def submitted(track=None):  # type: ignore[no-untyped-def]
    report = draft(track)
    return report_submit(report_id=report.pk, user=report.author, version=report.version)


def snapshot() -> list[tuple]:
    return list(
        ProgressReport.objects.order_by("pk").values_list(
            "pk", "state", "version", "narrative", "percent", "return_reason"
        )
    )


def test_officer_drafts_submits_and_leader_approves(api):
    officer, leader = api("laichau.canbo"), api("laichau.lanhdao")
    track = lai_chau_track()
    response = officer.post(
        f"/api/v1/tracks/{track.pk}/reports/",
        {
            "year": 2026,
            "quarter": 4,
            "percent": 100,
            "narrative": "Xong",
            "completed_on": "2026-11-20",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert response["ETag"] == '"1"'
    assert set(report) == {
        "id",
        "track_id",
        "period_year",
        "period_quarter",
        "state",
        "percent",
        "narrative",
        "completed_on",
        "return_reason",
        "version",
        "submitted_at",
        "decided_at",
        "decided_by_id",
        "on_behalf_of_id",
    }
    assert (report["state"], report["version"], report["track_id"]) == ("draft", 1, track.pk)
    url = f"/api/v1/reports/{report['id']}/"
    response = officer.patch(
        url, {"narrative": "Đã hoàn thành"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.content
    assert response.json()["narrative"] == "Đã hoàn thành"
    assert response.json()["percent"] == 100  # left out, kept
    assert response["ETag"] == '"2"'
    response = officer.post(url + "submit/", {"version": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    response = leader.post(url + "approve/", HTTP_IF_MATCH='W/"3"')
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved"
    track.refresh_from_db()
    assert (track.percent, track.completed_on) == (100, dt.date(2026, 11, 20))
    # The task now shows the track done.
    task = officer.get(f"/api/v1/tasks/{track.task_id}/").json()
    assert {t["id"]: t["completed_on"] for t in task["tracks"]}[track.pk] == "2026-11-20"
    # A reviewer no longer sends an approved report back; the unit's leader reopens it.
    response = api("bktw.rasoat").post(
        url + "reopen/", {"version": 4, "reason": "Thiếu minh chứng"}
    )
    assert response.status_code == 403, response.content
    response = leader.post(url + "reopen/", {"version": 4, "reason": "Thiếu minh chứng"})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["return_reason"]) == (
        "returned",
        "Thiếu minh chứng",
    )
    track.refresh_from_db()
    assert (track.percent, track.completed_on) == (0, None)


def test_clients_cannot_set_state_or_version(api):
    report = draft()
    response = api("laichau.canbo").patch(
        f"/api/v1/reports/{report.pk}/",
        {"state": "approved", "version": 1, "decided_at": "2026-01-01T00:00:00Z", "percent": 50},
        format="json",
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.state, report.version, report.decided_at, report.percent) == (
        "draft",
        2,
        None,
        50,
    )


def test_stale_patch_is_409_and_the_stored_text_survives(api):
    report = draft(narrative="Bản A")
    officer, leader = api("laichau.canbo"), api("laichau.lanhdao")
    url = f"/api/v1/reports/{report.pk}/"
    first = leader.patch(url, {"narrative": "Bản B"}, format="json", HTTP_IF_MATCH='"1"')
    assert first.status_code == 200
    second = officer.patch(url, {"narrative": "Bản C"}, format="json", HTTP_IF_MATCH='"1"')
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"
    assert "người khác" in second.json()["error"]["message"]
    also_stale = officer.patch(url, {"narrative": "Bản C", "version": 1}, format="json")
    assert also_stale.status_code == 409
    report.refresh_from_db()
    assert (report.narrative, report.version) == ("Bản B", 2)


def test_missing_or_unreadable_version_changes_nothing(api):
    report = draft(narrative="Bản A")
    officer = api("laichau.canbo")
    url = f"/api/v1/reports/{report.pk}/"
    before = snapshot()
    response = officer.patch(url, {"narrative": "Bản B"}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert officer.post(url + "submit/").status_code == 428
    response = officer.patch(url, {"narrative": "Bản B"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 412
    assert snapshot() == before


def test_business_refusals_are_400_with_the_services_message(api):
    report = draft(narrative="   ")
    officer = api("laichau.canbo")
    response = officer.post(f"/api/v1/reports/{report.pk}/submit/", {"version": 1})
    assert response.status_code == 400
    assert "kết quả thực hiện" in response.json()["error"]["message"]
    response = officer.post(
        f"/api/v1/tracks/{lai_chau_track().pk}/reports/",
        {"year": 2026, "quarter": 3, "percent": 50, "narrative": "x", "completed_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "100%" in response.json()["error"]["message"]
    response = officer.post(
        f"/api/v1/tracks/{lai_chau_track().pk}/reports/",
        {"year": 2026, "quarter": 5, "percent": 150, "narrative": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"quarter", "percent"}
    # A second report for the same quarter is a conflict, not a silent overwrite.
    response = officer.post(
        f"/api/v1/tracks/{lai_chau_track().pk}/reports/",
        {"year": 2026, "quarter": 4, "percent": 50, "narrative": "x"},
        format="json",
    )
    assert response.status_code == 409


# Who may do what to a Lai Châu report. None: nothing to expect (the action succeeds).
LAI_CHAU = {
    # action: {user: status}
    "create": {
        "admin": 201,
        "bkhdt.canbo": 404,
        "laichau.canbo": 201,
        "laichau.lanhdao": 201,
        "bktw.rasoat": 403,
        None: 401,
    },
    "patch": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 200,
        "laichau.lanhdao": 200,
        "bktw.rasoat": 404,  # a draft is private to its unit
        None: 401,
    },
    "submit": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 200,
        "laichau.lanhdao": 200,
        "bktw.rasoat": 404,
        None: 401,
    },
    "approve": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 403,
        "laichau.lanhdao": 200,
        "bktw.rasoat": 403,
        None: 401,
    },
    "return": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 403,
        "laichau.lanhdao": 200,
        "bktw.rasoat": 403,  # reviewers comment and ask for explanations; they do not return
        None: 401,
    },
}
# The same actions on a report of Bắc Kạn's provincial committee (another unit's task).
BAC_KAN = {
    "create": {
        "admin": 201,
        "bkhdt.canbo": 404,
        "laichau.canbo": 404,
        "laichau.lanhdao": 404,
        "bktw.rasoat": 403,
        None: 401,
    },
    "patch": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 404,
        "laichau.lanhdao": 404,
        "bktw.rasoat": 404,
        None: 401,
    },
    "submit": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 404,
        "laichau.lanhdao": 404,
        "bktw.rasoat": 404,
        None: 401,
    },
    "approve": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 404,
        "laichau.lanhdao": 404,
        "bktw.rasoat": 403,
        None: 401,
    },
    "return": {
        "admin": 200,
        "bkhdt.canbo": 404,
        "laichau.canbo": 404,
        "laichau.lanhdao": 404,
        "bktw.rasoat": 403,  # reviewers no longer return reports
        None: 401,
    },
}
CASES = [
    (where, action, user, expected)
    for where, table in (("lai_chau", LAI_CHAU), ("bac_kan", BAC_KAN))
    for action, row in table.items()
    for user, expected in row.items()
]


def test_the_matrix_covers_every_demo_user():
    for table in (LAI_CHAU, BAC_KAN):
        for row in table.values():
            assert set(row) == {*DEMO_USERS, None}


@pytest.mark.parametrize(("where", "action", "username", "expected"), CASES)
def test_authorisation_matrix(api, where, action, username, expected):
    track = lai_chau_track() if where == "lai_chau" else bac_kan_track()
    # Drafts for patch/submit; a submitted report for approve/return; nothing for create.
    report = None
    if action in ("patch", "submit"):
        report = draft(track)
    elif action in ("approve", "return"):
        report = submitted(track)
    client = api(username)
    before = snapshot()
    if action == "create":
        response = client.post(
            f"/api/v1/tracks/{track.pk}/reports/",
            {"year": 2026, "quarter": 3, "percent": 10, "narrative": "Nội dung"},
            format="json",
        )
    elif action == "patch":
        response = client.patch(
            f"/api/v1/reports/{report.pk}/",
            {"narrative": "Sửa"},
            format="json",
            HTTP_IF_MATCH=f'"{report.version}"',
        )
    else:
        body = {"version": report.version}
        if action == "return":
            body["reason"] = "Thiếu số liệu"
        response = client.post(f"/api/v1/reports/{report.pk}/{action}/", body, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}
        assert snapshot() == before  # refused: nothing changed
    else:
        assert snapshot() != before


def test_report_list_is_scoped_and_filtered(api):
    lai_chau = draft()
    other = draft(bac_kan_track())
    report_submit(report_id=other.pk, user=other.author, version=other.version)
    ids = lambda client, query="": {  # noqa: E731
        r["id"] for r in client.get(f"/api/v1/reports/?page_size=200{query}").json()["results"]
    }
    assert ids(api("laichau.canbo")) == {lai_chau.pk}
    assert ids(api("bktw.rasoat")) == {other.pk}  # drafts stay with their unit
    assert ids(api("bkhdt.canbo")) == set()
    assert ids(api("admin")) == {lai_chau.pk, other.pk}
    assert ids(api("admin"), "&state=draft") == {lai_chau.pk}
    assert ids(api("admin"), f"&track={other.track_id}") == {other.pk}
    response = api("laichau.canbo").get(f"/api/v1/reports/{other.pk}/")
    assert response.status_code == 404
    response = api("laichau.canbo").get(f"/api/v1/reports/{lai_chau.pk}/")
    assert response["ETag"] == f'"{lai_chau.version}"'


def test_report_list_query_count_does_not_grow_with_rows(api, django_assert_num_queries):
    client = api("laichau.canbo")
    track = lai_chau_track()
    periods = [(year, quarter) for year in range(2010, 2026) for quarter in (1, 2, 3, 4)]
    for year, quarter in periods[:5]:
        draft(track, year=year, quarter=quarter)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/reports/?page_size=200")
        return len(captured), len(response.json()["results"])

    few, rows = count()
    assert rows == 5
    assert few <= 10
    for year, quarter in periods[5:50]:
        draft(track, year=year, quarter=quarter)
    with django_assert_num_queries(few):
        response = client.get("/api/v1/reports/?page_size=200")
    assert len(response.json()["results"]) == 50


def test_member_of_another_unit_cannot_see_a_report_by_guessing_its_track(api):
    # A Lai Châu district committee officer: sees row 2 (a collective task) but not row 5.
    person = User.objects.create_user("muongte.canbo", password="x-123456789")
    membership_ensure(
        user=person, unit=Unit.objects.get(key="huyen-uy-muong-te"), role=Role.OFFICER
    )
    client = api()
    client.force_login(person)
    response = client.post(
        f"/api/v1/tracks/{lai_chau_track().pk}/reports/",
        {"year": 2026, "quarter": 4, "percent": 10, "narrative": "x"},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert not ProgressReport.objects.exists()


def test_text_is_stored_nfc_and_markup_is_kept_as_text(api):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Đã họp\u200b triển khai <script>alert(1)</script>")
    response = api("laichau.canbo").post(
        f"/api/v1/tracks/{lai_chau_track().pk}/reports/",
        {"year": 2026, "quarter": 4, "percent": 10, "narrative": nfd},
        format="json",
    )
    assert response.status_code == 201
    stored = ProgressReport.objects.get().narrative
    assert stored == "Đã họp triển khai <script>alert(1)</script>"
    assert unicodedata.is_normalized("NFC", stored)
    assert response["Content-Type"].startswith("application/json")


def test_a_100_percent_report_needs_its_completion_date(api):
    track = lai_chau_track()
    response = api("laichau.canbo").post(
        f"/api/v1/tracks/{track.pk}/reports/",
        {"year": 2026, "quarter": 4, "percent": 100, "narrative": "Xong"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "100% cần ghi ngày hoàn thành" in response.json()["error"]["message"]
    assert snapshot() == []


def test_officer_withdraws_and_only_the_leader_reopens(api):
    from accounts.models import AuditEvent

    report = submitted()
    officer, leader = api("laichau.canbo"), api("laichau.lanhdao")
    url = f"/api/v1/reports/{report.pk}/"
    # A reviewer sees the submitted report but may not withdraw it; the refusal is audited.
    response = api("bktw.rasoat").post(url + "withdraw/", {"version": 2}, format="json")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="refused", username="bktw.rasoat").exists()
    response = officer.post(url + "withdraw/", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response["ETag"]) == ("draft", '"3"')
    officer.post(url + "submit/", HTTP_IF_MATCH='"3"')
    assert leader.post(url + "approve/", HTTP_IF_MATCH='"4"').status_code == 200
    response = officer.post(url + "reopen/", {"version": 5, "reason": "Sai"}, format="json")
    assert response.status_code == 403
    response = leader.post(url + "reopen/", {"version": 5, "reason": " "}, format="json")
    assert response.status_code == 400
    response = leader.post(url + "reopen/", {"version": 5, "reason": "Sai số"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["return_reason"]) == ("returned", "Sai số")
