"""Who sees which task, and the progress-report life cycle with its guards."""

import datetime as dt

import pytest

from accounts.choices import Role
from accounts.models import Unit, User
from accounts.services import membership_ensure
from tasks.models import ProgressReport, Task, TaskTrack
from tasks.selectors import report_visible_to, task_get_for_user, task_visible_to
from tasks.services import (
    NotAllowed,
    ReportError,
    StaleVersion,
    report_approve,
    report_previous,
    report_reopen,
    report_return,
    report_save_draft,
    report_submit,
    report_withdraw,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def user(username):
    return User.objects.get(username=username)


def lai_chau_track(ref="STT 5"):
    return TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref=ref)


def test_officer_sees_own_tasks_and_what_they_implement_not_others(seeded):
    officer = user("laichau.canbo")
    visible = set(task_visible_to(officer).values_list("document__slug", "ref"))
    assert ("26-ctr-tu", "STT 5") in visible
    assert ("26-ctr-tu", "STT 6.1") in visible
    # The central task Lai Châu's row 5 implements is visible from below.
    assert ("kh-11-nq-tw", "II.3") in visible
    # Another province's plan is not.
    assert not any(slug == "kh-72-kl-tw-bac-kan" for slug, _ in visible)
    bac_kan_task = Task.objects.filter(document__slug="kh-72-kl-tw-bac-kan").first()
    assert task_get_for_user(officer, bac_kan_task.pk) is None


def test_member_of_a_collective_assignee_sees_the_task(seeded):
    # Tỉnh ủy Lai Châu is one of the 14 members of item 7's collective lead.
    person = User.objects.create_user("tu.laichau", password="x-123456789")
    membership_ensure(user=person, unit=Unit.objects.get(key="tinh-uy-lai-chau"), role=Role.OFFICER)
    refs = set(
        task_visible_to(person).filter(document__slug="kh-11-nq-tw").values_list("ref", flat=True)
    )
    assert "II.7" in refs


def test_central_reviewer_sees_everything(seeded):
    assert task_visible_to(user("bktw.rasoat")).count() == Task.objects.count()


def test_anonymous_sees_nothing(seeded):
    from django.contrib.auth.models import AnonymousUser

    assert not task_visible_to(AnonymousUser()).exists()


def test_visibility_is_one_query(seeded, django_assert_num_queries):
    officer = user("laichau.canbo")
    # the user's memberships, the succession records, their units' groups, then the list
    with django_assert_num_queries(4):
        list(task_visible_to(officer))
    with django_assert_num_queries(1):  # the access is read once per request (user object)
        list(task_visible_to(officer))


def test_report_life_cycle_drives_the_track(seeded):
    officer, leader = user("laichau.canbo"), user("laichau.lanhdao")
    track = lai_chau_track()
    report = report_save_draft(
        track=track,
        user=officer,
        year=2026,
        quarter=4,
        percent=100,
        narrative="Đã tổ chức triển khai.",
        completed_on=dt.date(2026, 11, 20),
        today=TODAY,
    )
    # A draft is private to the unit.
    assert report in report_visible_to(officer)
    assert report not in report_visible_to(user("bktw.rasoat"))
    report = report_submit(report_id=report.pk, user=officer, version=report.version)
    assert report in report_visible_to(user("bktw.rasoat"))
    with pytest.raises(NotAllowed):
        report_approve(report_id=report.pk, user=officer, version=report.version)
    report = report_approve(report_id=report.pk, user=leader, version=report.version)
    track.refresh_from_db()
    assert (track.percent, track.completed_on) == (100, dt.date(2026, 11, 20))
    # A reviewer may not send it back; only the unit's leader reopens it, with a reason.
    with pytest.raises(NotAllowed):
        report_reopen(
            report_id=report.pk, user=user("bktw.rasoat"), version=report.version, reason="x"
        )
    with pytest.raises(NotAllowed):
        report_reopen(report_id=report.pk, user=officer, version=report.version, reason="x")
    with pytest.raises(ReportError, match="lý do mở lại"):
        report_reopen(report_id=report.pk, user=leader, version=report.version, reason=" ")
    with pytest.raises(ReportError, match="mở lại"):
        report_return(report_id=report.pk, user=leader, version=report.version, reason="x")
    report = report_reopen(
        report_id=report.pk, user=leader, version=report.version, reason="Thiếu minh chứng"
    )
    assert (report.state, report.return_reason) == ("returned", "Thiếu minh chứng")
    track.refresh_from_db()
    assert (track.percent, track.completed_on) == (0, None)
    # The reopening, who did it and why, stay in the report's history.
    record = report.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason) == (
        leader,
        "Mở lại: Thiếu minh chứng",
    )


def test_stale_edit_is_refused_and_the_first_text_survives(seeded):
    officer = user("laichau.canbo")
    track = lai_chau_track()
    first = report_save_draft(
        track=track, user=officer, year=2026, quarter=4, percent=10, narrative="Bản A", today=TODAY
    )
    report_save_draft(
        track=track,
        user=officer,
        year=2026,
        quarter=4,
        percent=20,
        narrative="Bản B",
        version=first.version,
        today=TODAY,
    )
    with pytest.raises(StaleVersion, match="người khác"):
        report_save_draft(
            track=track,
            user=officer,
            year=2026,
            quarter=4,
            percent=30,
            narrative="Bản C",
            version=first.version,
            today=TODAY,
        )
    stored = ProgressReport.objects.get(track=track)
    assert (stored.narrative, stored.percent) == ("Bản B", 20)


@pytest.mark.parametrize(
    ("percent", "completed_on", "message"),
    [
        (101, None, "0 đến 100"),
        (-1, None, "0 đến 100"),
        (100, dt.date(2026, 12, 1), "sau ngày hôm nay"),
        (50, dt.date(2026, 11, 1), "100%"),
    ],
)
def test_bad_progress_is_refused_and_changes_nothing(seeded, percent, completed_on, message):
    with pytest.raises(ReportError, match=message):
        report_save_draft(
            track=lai_chau_track(),
            user=user("laichau.canbo"),
            year=2026,
            quarter=4,
            percent=percent,
            narrative="x",
            completed_on=completed_on,
            today=TODAY,
        )
    assert not ProgressReport.objects.exists()


def test_empty_narrative_cannot_be_submitted_and_nfd_is_stored_nfc(seeded):
    import unicodedata

    officer = user("laichau.canbo")
    report = report_save_draft(
        track=lai_chau_track(),
        user=officer,
        year=2026,
        quarter=4,
        percent=5,
        narrative="   ",
        today=TODAY,
    )
    with pytest.raises(ReportError, match="kết quả thực hiện"):
        report_submit(report_id=report.pk, user=officer, version=report.version)
    report = report_save_draft(
        track=lai_chau_track(),
        user=officer,
        year=2026,
        quarter=4,
        percent=5,
        narrative=unicodedata.normalize("NFD", "Đã họp"),
        version=report.version,
        today=TODAY,
    )
    assert report.narrative == unicodedata.normalize("NFC", "Đã họp")


def test_officer_of_another_unit_cannot_write(seeded):
    with pytest.raises(NotAllowed):
        report_save_draft(
            track=lai_chau_track(),
            user=user("bkhdt.canbo"),
            year=2026,
            quarter=4,
            percent=5,
            narrative="x",
            today=TODAY,
        )


def test_reviewers_no_longer_return_reports_the_leader_does(seeded):
    from accounts.models import AuditEvent

    officer, leader = user("laichau.canbo"), user("laichau.lanhdao")
    report = report_save_draft(
        track=lai_chau_track(),
        user=officer,
        year=2026,
        quarter=4,
        percent=50,
        narrative="Đang triển khai",
        today=TODAY,
    )
    report = report_submit(report_id=report.pk, user=officer, version=report.version)
    # The Lai Châu monitoring body comments and asks for explanations, but does not return.
    monitor = User.objects.create_user("rasoat.laichau", password="x-123456789")
    membership_ensure(
        user=monitor, unit=Unit.objects.get(key="bcsd-ubnd-lai-chau"), role=Role.REVIEWER
    )
    with pytest.raises(NotAllowed):
        report_return(report_id=report.pk, user=monitor, version=report.version, reason="x")
    # The refusal is audited by the action itself (the page and the API alike).
    refused = AuditEvent.objects.get(action="refused", username="rasoat.laichau")
    assert "report_return" in refused.detail
    returned = report_return(
        report_id=report.pk, user=leader, version=report.version, reason="Bổ sung số liệu"
    )
    assert (returned.state, returned.return_reason) == ("returned", "Bổ sung số liệu")


def test_officer_withdraws_a_submitted_report(seeded):
    officer, leader = user("laichau.canbo"), user("laichau.lanhdao")
    report = report_save_draft(
        track=lai_chau_track(),
        user=officer,
        year=2026,
        quarter=4,
        percent=40,
        narrative="Đang làm",
        today=TODAY,
    )
    with pytest.raises(ReportError, match="rút lại"):
        report_withdraw(report_id=report.pk, user=officer, version=report.version)
    report = report_submit(report_id=report.pk, user=officer, version=report.version)
    with pytest.raises(NotAllowed):
        report_withdraw(report_id=report.pk, user=user("bkhdt.canbo"), version=report.version)
    report = report_withdraw(report_id=report.pk, user=officer, version=report.version)
    assert (report.state, report.submitted_at) == ("draft", None)
    # Back in draft, it can be edited and sent again; nobody can approve it meanwhile.
    with pytest.raises(ReportError, match="đã gửi"):
        report_approve(report_id=report.pk, user=leader, version=report.version)


def test_a_100_percent_report_needs_its_completion_date(seeded):
    officer = user("laichau.canbo")
    with pytest.raises(ReportError, match="100% cần ghi ngày hoàn thành"):
        report_save_draft(
            track=lai_chau_track(),
            user=officer,
            year=2026,
            quarter=4,
            percent=100,
            narrative="Xong",
            today=TODAY,
        )
    assert not ProgressReport.objects.exists()


def test_copy_last_quarter_finds_the_latest_earlier_report(seeded):
    officer = user("laichau.canbo")
    track = lai_chau_track()
    for quarter, text in ((2, "Quý hai"), (3, "Quý ba")):
        report_save_draft(
            track=track,
            user=officer,
            year=2026,
            quarter=quarter,
            percent=10 * quarter,
            narrative=text,
            today=TODAY,
        )
    previous = report_previous(track=track, year=2026, quarter=4)
    assert (previous.narrative, previous.percent) == ("Quý ba", 30)
    assert report_previous(track=track, year=2027, quarter=1).narrative == "Quý ba"
    assert report_previous(track=track, year=2026, quarter=2) is None
