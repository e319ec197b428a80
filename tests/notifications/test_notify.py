"""Notifications of the approval workflow and the explanation requests: who hears of what,
once, never of their own action, in the daily digest unless they asked for single mails.

The seed's demo accounts: laichau.canbo (officer) and laichau.lanhdao (leader) of Đảng ủy
UBND tỉnh Lai Châu, bktw.rasoat (reviewer of every document). None has saved a preference,
so each has the default: the daily digest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Unit, User
from indicators.models import Indicator
from indicators.services import value_approve, value_return, value_save_draft, value_submit
from notifications import kinds, sending, services
from notifications.forms import PreferenceForm
from notifications.models import (
    MUTABLE_KINDS,
    Channel,
    Kind,
    Mode,
    NotificationPreference,
    Reminder,
    ReminderStatus,
)
from notifications.selectors import entries, inbox_for, preference_for
from portal.workflow import NotAllowed
from tasks.models import ProgressReport, Task, TaskTrack
from tasks.services import (
    explanation_answer,
    explanation_request,
    report_approve,
    report_reopen,
    report_return,
    report_save_draft,
    report_submit,
    report_withdraw,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _rows(kind: str | None = None) -> list[tuple[str, str]]:
    rows = Reminder.objects.order_by("kind", "recipient__username")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("kind", "recipient__username"))


def _report(ref: str = "STT 5", *, by: str = "laichau.canbo", percent: int = 20):  # type: ignore[no-untyped-def]
    track = TaskTrack.objects.get(task__document__slug="26-ctr-tu", task__ref=ref)
    author = _user(by)
    report = report_save_draft(
        track=track,
        user=author,
        year=2026,
        quarter=4,
        percent=percent,
        narrative="Đang triển khai",
        today=TODAY,
    )
    return report_submit(report_id=report.pk, user=author, version=report.version)


def _value(  # type: ignore[no-untyped-def]
    indicator=None, scope: str = "tinh-lai-chau", year: int = 2024, by: str = "laichau.canbo"
):
    officer = _user(by)
    value = value_save_draft(
        indicator=indicator or Indicator.objects.get(code="CTR26-19"),
        scope=Unit.objects.get(key=scope),
        year=year,
        value_text="48,5",
        source="Niên giám thống kê",
        user=officer,
        today=TODAY,
    )
    return value_submit(value_id=value.pk, user=officer, version=value.version)


# --------------------------------------------------------------------------- the registry


def test_one_registry_gives_the_choices_the_mutable_kinds_and_the_templates():
    assert [k.value for k in Kind] == [k.code for k in kinds.KINDS]
    assert [str(k.label) for k in Kind] == [k.label for k in kinds.KINDS]
    assert [k.value for k in MUTABLE_KINDS] == [k.code for k in kinds.KINDS if k.mutable]
    # asking to act cannot be muted; the digest is an envelope, not a kind to mute
    assert not {"report_returned", "explanation_requested", "daily_digest"} & {
        k.value for k in MUTABLE_KINDS
    }
    form_kinds = [code for code, _ in PreferenceForm().fields["muted_kinds"].choices]
    assert form_kinds == [k.value for k in MUTABLE_KINDS]
    root = Path(settings.BASE_DIR) / "templates"
    for kind in kinds.KINDS:
        assert all((root / name).is_file() for name in kind.templates), kind.code
        assert kind.audience and kind.subject
        assert bool(kind.actor_label) == kind.event  # a mail of an action names who acted
    assert {k.code for k in kinds.KINDS if k.event} == {
        f"{about}_{what}"
        for about, steps in (
            ("report", ("submitted", "approved", "returned", "reopened")),
            ("value", ("submitted", "approved", "returned", "reopened")),
            ("explanation", ("requested", "answered")),
        )
        for what in steps
    }


# --------------------------------------------------------------------------- reports


def test_a_submitted_report_notifies_the_units_leaders_not_its_author(seeded):
    report = _report()
    assert _rows() == [("report_submitted", "laichau.lanhdao")]
    row = Reminder.objects.get()
    # the default is the daily digest; what it names and where it links
    assert row.channel == Channel.DIGEST and row.status == ReminderStatus.PENDING
    assert (row.report, row.track_id, row.actor) == (
        report,
        report.track_id,
        _user("laichau.canbo"),
    )
    [entry] = entries(inbox_for(_user("laichau.lanhdao")))
    assert entry.title.startswith("Báo cáo Quý IV/2026 – 26-CTr/TU STT 5 – ")
    assert entry.url == f"/nhiem-vu/{report.track.task_id}/#bao-cao-{report.pk}"
    assert entry.label == "Báo cáo chờ duyệt" and entry.actor == "Lò Thị Bình"


def test_the_actor_is_never_notified_of_their_own_action(seeded):
    # the leader writes and submits the report himself: he is its only leader
    _report(by="laichau.lanhdao")
    assert _rows() == []


def test_decisions_notify_the_author_with_the_reason(seeded):
    leader, officer = _user("laichau.lanhdao"), _user("laichau.canbo")
    report = _report()
    report = report_return(
        report_id=report.pk, user=leader, version=report.version, reason="Bổ sung số liệu"
    )
    returned = Reminder.objects.get(kind=Kind.REPORT_RETURNED)
    assert (returned.recipient, returned.actor, returned.note) == (
        officer,
        leader,
        "Bổ sung số liệu",
    )
    report = report_submit(report_id=report.pk, user=officer, version=report.version)
    report = report_approve(report_id=report.pk, user=leader, version=report.version)
    report = report_reopen(
        report_id=report.pk, user=leader, version=report.version, reason="Sai tỷ lệ"
    )
    assert _rows() == [
        ("report_approved", "laichau.canbo"),
        ("report_reopened", "laichau.canbo"),
        ("report_returned", "laichau.canbo"),
        # a second submission (a new version) is a new notification
        ("report_submitted", "laichau.lanhdao"),
        ("report_submitted", "laichau.lanhdao"),
    ]


def test_a_decision_reaches_its_author_without_reading_everybodys_memberships(seeded):
    report = _report()
    leader = _user("laichau.lanhdao")
    with CaptureQueriesContext(connection) as ctx:
        report_approve(report_id=report.pk, user=leader, version=report.version)
    # the leader's own access is read for the permission; nobody else's for the recipients
    membership_reads = [q["sql"] for q in ctx.captured_queries if "accounts_membership" in q["sql"]]
    assert all(f'"user_id" = {leader.pk}' in sql for sql in membership_reads)
    assert _rows("report_approved") == [("report_approved", "laichau.canbo")]


def test_a_repeated_notification_writes_nothing_more(seeded):
    report = _report()
    assert services.notify("report_submitted", report, actor=_user("laichau.canbo")) == []
    assert Reminder.objects.count() == 1


def test_a_refused_step_notifies_nobody(seeded):
    report = _report()
    with pytest.raises(NotAllowed):  # an officer may not approve
        report_approve(report_id=report.pk, user=_user("bkhdt.canbo"), version=report.version)
    assert _rows() == [("report_submitted", "laichau.lanhdao")]


def test_a_withdrawal_notifies_nobody_and_the_leader_is_not_asked_any_more(
    seeded, django_capture_on_commit_callbacks
):
    report = _report()
    report_withdraw(report_id=report.pk, user=_user("laichau.canbo"), version=report.version)
    assert _rows() == [("report_submitted", "laichau.lanhdao")]
    assert Reminder.objects.get(kind=Kind.REPORT_SUBMITTED).status == ReminderStatus.CANCELLED
    assert entries(inbox_for(_user("laichau.lanhdao"))) == []
    with django_capture_on_commit_callbacks(execute=True):
        sending.daily_digest_build(today=TODAY)
    assert mail.outbox == []  # the digest has nothing to say


def test_a_notice_sent_before_the_withdrawal_says_nothing_in_a_later_digest(
    seeded, django_capture_on_commit_callbacks
):
    # the report is withdrawn after the digest took the notice in, before it was mailed
    report = _report()
    with django_capture_on_commit_callbacks(execute=False):
        sending.daily_digest_build(today=TODAY)
    Reminder.objects.filter(kind=Kind.REPORT_SUBMITTED).update(status=ReminderStatus.PENDING)
    report.state = "draft"
    report.save(update_fields=["state"])
    [digest] = Reminder.objects.filter(kind=Kind.DAILY_DIGEST)
    assert sending.reminder_send(reminder_id=digest.pk, today=TODAY) == "cancelled"
    assert mail.outbox == []


# --------------------------------------------------------------------------- values


def test_indicator_values_notify_the_scopes_leaders_then_the_author(seeded):
    value = _value()
    assert _rows() == [("value_submitted", "laichau.lanhdao")]
    leader = _user("laichau.lanhdao")
    value = value_return(value_id=value.pk, user=leader, version=value.version, reason="Sai nguồn")
    value = value_submit(value_id=value.pk, user=_user("laichau.canbo"), version=value.version)
    value_approve(value_id=value.pk, user=leader, version=value.version)
    assert _rows() == [
        ("value_approved", "laichau.canbo"),
        ("value_returned", "laichau.canbo"),
        ("value_submitted", "laichau.lanhdao"),
        ("value_submitted", "laichau.lanhdao"),
    ]
    [entry] = [e for e in entries(inbox_for(_user("laichau.canbo"))) if e.kind == "value_returned"]
    assert entry.title == f"Chỉ tiêu {value.indicator.name} – {value.scope.name}, năm 2024"
    assert entry.url == f"/chi-tieu/{value.indicator.code}/#gia-tri-{value.pk}"
    assert entry.note == "Sai nguồn"


# --------------------------------------------------------------------------- explanations


def test_an_explanation_request_reaches_the_lead_unit_and_its_answer_the_requester(seeded):
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")
    unit = task.tracks.get().unit
    reviewer = _user("bktw.rasoat")
    request = explanation_request(
        task=task,
        unit=unit,
        user=reviewer,
        question="Vì sao chậm?",
        answer_by=dt.date(2026, 12, 15),
        today=TODAY,
    )
    assert _rows() == [
        ("explanation_requested", "laichau.canbo"),
        ("explanation_requested", "laichau.lanhdao"),
    ]
    asked = Reminder.objects.filter(kind=Kind.EXPLANATION_REQUESTED).first()
    assert asked is not None
    assert (asked.due_on, asked.note, asked.task) == (dt.date(2026, 12, 15), "Vì sao chậm?", task)
    [entry] = entries(inbox_for(_user("laichau.canbo")))
    assert entry.url == f"/nhiem-vu/{task.pk}/#giai-trinh" and entry.when == "hạn 15/12/2026"
    explanation_answer(request_id=request.pk, user=_user("laichau.canbo"), answer="Chờ vốn")
    assert _rows("explanation_answered") == [("explanation_answered", "bktw.rasoat")]


# --------------------------------------------------------------------------- preferences


def test_the_default_is_the_daily_digest_one_mail_per_person(
    seeded, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://theodoi.example.gov.vn"
    assert preference_for(_user("laichau.lanhdao")).mode == Mode.DAILY_DIGEST
    first = _report("STT 5")
    second = _report("STT 6.3")
    value = _value()
    with django_capture_on_commit_callbacks(execute=True):
        ids = sending.daily_digest_build(today=TODAY)
    assert len(ids) == 1
    [message] = mail.outbox
    assert message.to == [_user("laichau.lanhdao").email]
    assert message.subject == "[Tổng hợp thông báo] 3 nội dung ngày 22/11/2026"
    assert "[Báo cáo chờ duyệt] Báo cáo Quý IV/2026 – 26-CTr/TU STT 5" in message.body
    assert "[Số liệu chỉ tiêu chờ duyệt] Chỉ tiêu" in message.body
    task_url = f"https://theodoi.example.gov.vn/nhiem-vu/{first.track.task_id}/#bao-cao-{first.pk}"
    assert task_url in message.body
    assert f"#bao-cao-{second.pk}" in message.body and f"#gia-tri-{value.pk}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{task_url}"' in html
    assert set(
        Reminder.objects.exclude(kind=Kind.DAILY_DIGEST).values_list("status", flat=True)
    ) == {ReminderStatus.SENT}


def test_single_mails_on_request_go_out_when_the_step_commits(
    seeded, django_capture_on_commit_callbacks
):
    leader = _user("laichau.lanhdao")
    services.preference_update(user=leader, mode=Mode.IMMEDIATE, muted_kinds=[])
    with django_capture_on_commit_callbacks(execute=True):
        _report()
    [message] = mail.outbox
    assert message.subject.startswith("[Chờ duyệt] Báo cáo Quý IV/2026 – 26-CTr/TU STT 5")
    assert "Người gửi: Lò Thị Bình" in message.body
    assert Reminder.objects.get().status == ReminderStatus.SENT
    # the officer asked for single mails too: the return arrives with its reason
    officer = _user("laichau.canbo")
    services.preference_update(user=officer, mode=Mode.IMMEDIATE, muted_kinds=[])
    report = ProgressReport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report_id=report.pk, user=leader, version=report.version, reason="Thiếu số")
    returned = mail.outbox[1]
    assert returned.to == [officer.email] and returned.subject.startswith("[Trả lại] Báo cáo")
    assert "Người trả lại: Tao Văn Cường" in returned.body
    assert "Lý do trả lại: Thiếu số" in returned.body
    assert "sửa theo ý kiến và gửi lại" in returned.body


def test_muted_kinds_are_not_written_and_a_call_to_act_cannot_be_muted(seeded):
    officer, leader = _user("laichau.canbo"), _user("laichau.lanhdao")
    services.preference_update(
        user=officer, mode=Mode.DAILY_DIGEST, muted_kinds=["report_approved"]
    )
    report = _report()
    report_approve(report_id=report.pk, user=leader, version=report.version)
    assert _rows("report_approved") == []
    with pytest.raises(ValidationError):
        services.preference_update(
            user=officer, mode=Mode.DAILY_DIGEST, muted_kinds=["report_returned"]
        )
    assert NotificationPreference.objects.get(user=officer).muted_kinds == ["report_approved"]


def test_a_merged_provinces_value_reaches_the_leaders_of_its_successor(seeded):
    # Bắc Kạn merged into Thái Nguyên (01/07/2025): Thái Nguyên's people handle its values
    from accounts.models import Membership

    leader = User.objects.create(username="thainguyen.lanhdao", email="tn.ld@example.vn")
    unit = Unit.objects.get(key="dang-uy-ubnd-thai-nguyen")
    Membership.objects.create(user=leader, unit=unit, role="leader")
    regional = Indicator.objects.filter(scope__kind="region").first()
    _value(regional, scope="tinh-bac-kan", year=2019, by="thainguyen.canbo")
    assert _rows() == [("value_submitted", "thainguyen.lanhdao")]
