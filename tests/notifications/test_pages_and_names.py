"""Task names, the broker being down, the in-app list, preferences and the reminder log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.template import engines
from django.test import RequestFactory

from notifications import services, tasks
from notifications.context_processors import unread_count
from notifications.models import Kind, NotificationPreference, Reminder, ReminderStatus
from notifications.selectors import inbox_for, reminders_for_task
from tests.notifications.conftest import celery_broker

D = dt.date
pages = pytest.mark.urls("tests.notifications.urls")


def test_celery_task_names_are_pinned():
    assert tasks.reminder_scan_task.name == "notifications.reminder_scan"
    assert tasks.reminder_send_task.name == "notifications.reminder_send"
    assert tasks.daily_digest_task.name == "notifications.daily_digest"
    assert tasks.weekly_overdue_digest_task.name == "notifications.weekly_overdue_digest"
    from portal.celery import app

    assert {"notifications.reminder_scan", "notifications.reminder_send"} <= set(app.tasks)


def test_the_beat_runs_one_scan_a_day_at_seven_hanoi_time():
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("notifications.")
    ]
    assert entry["task"] == "notifications.reminder_scan"
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({7}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


@pytest.mark.django_db
def test_a_broker_that_is_down_never_fails_the_save(
    world, django_capture_on_commit_callbacks, caplog
):
    # given Redis not answering
    # when something is saved and its notification queued on commit
    with (
        celery_broker("redis://127.0.0.1:1/0"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        result = services.reminder_scan(today=D(2026, 6, 23))
        world.task.title = "Đã sửa"
        world.task.save()
    # then the save stands, nothing was sent and the reminders wait for the next scan
    world.task.refresh_from_db()
    assert world.task.title == "Đã sửa"
    assert result.created
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.PENDING}
    assert "để lại cho lần quét sau" in caplog.text
    assert mail.outbox == []
    # once the broker is back (eager here), the next scan sends them
    with django_capture_on_commit_callbacks(execute=True):
        services.reminder_scan(today=D(2026, 6, 24))
    assert not Reminder.objects.filter(status=ReminderStatus.PENDING, channel="immediate").exists()
    assert mail.outbox


def _base_html_fallback(settings, tmp_path: Path) -> None:
    """The page engineer provides base.html; until then pages render on a stand-in."""
    if (Path(settings.BASE_DIR) / "templates" / "base.html").exists():
        return
    (tmp_path / "base.html").write_text(
        "<title>{% block title %}{% endblock %}</title>{% block content %}{% endblock %}"
        "<span id=unread>{{ unread_count }}</span>"
    )
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates


@pytest.fixture
def inbox(world):
    services.reminder_scan(today=D(2026, 6, 23))
    services.reminder_scan(today=D(2026, 7, 1))
    return world


@pages
@pytest.mark.django_db
def test_the_list_shows_the_users_notifications_and_marks_them_read(
    client, inbox, settings, tmp_path, django_assert_max_num_queries
):
    _base_html_fallback(settings, tmp_path)
    officer = inbox.officer
    client.force_login(officer)
    for n in range(30):
        Reminder.objects.create(
            key=f"extra{n}",
            kind=Kind.DUE_SOON,
            recipient=officer,
            task=inbox.task,
            due_on=D(2026, 6, 30),
            scan_date=D(2026, 6, 1),
        )
    # session, user, the page's roles, the list, its count and the unread badge: constant
    with django_assert_max_num_queries(12):
        response = client.get("/thong-bao/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sắp đến hạn" in page and "Quá hạn" in page
    assert f"/nhiem-vu/{inbox.task.pk}/" in page
    unread = inbox_for(officer).filter(read_at__isnull=True).count()
    assert unread == 33  # due soon, overdue, quarter report, and the 30 added
    one = inbox_for(officer).first()
    assert client.post(f"/thong-bao/{one.pk}/da-doc/").status_code == 302
    assert inbox_for(officer).filter(read_at__isnull=True).count() == unread - 1
    # another user's notification cannot be marked
    theirs = Reminder.objects.filter(recipient=inbox.leader).first()
    client.post(f"/thong-bao/{theirs.pk}/da-doc/")
    assert Reminder.objects.get(pk=theirs.pk).read_at is None
    client.post("/thong-bao/da-doc/")
    assert inbox_for(officer).filter(read_at__isnull=True).count() == 0


@pages
@pytest.mark.django_db
def test_the_list_needs_a_signed_in_user(client):
    response = client.get("/thong-bao/")
    assert response.status_code == 302
    assert "next=/thong-bao/" in response["Location"]


@pages
@pytest.mark.django_db
def test_unread_count_is_on_every_page(inbox, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = inbox.officer
    context = unread_count(request)
    with django_assert_num_queries(1):
        assert context["unread_count"] == 3
    assert context["notifications_url"] == "/thong-bao/"
    request.user = AnonymousUser()
    assert unread_count(request) == {"unread_count": 0}
    assert (
        "notifications.context_processors.unread_count"
        in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    )


def test_the_list_template_extends_the_site_base():
    source = (Path(settings.BASE_DIR) / "templates" / "notifications" / "list.html").read_text()
    assert source.startswith('{% extends "base.html" %}')
    engines["django"].from_string(source.replace('{% extends "base.html" %}', ""))


@pages
@pytest.mark.django_db
def test_preferences_page_saves_mode_and_muted_kinds(client, world, settings, tmp_path):
    _base_html_fallback(settings, tmp_path)
    client.force_login(world.officer)
    assert client.get("/thong-bao/cai-dat/").status_code == 200
    response = client.post(
        "/thong-bao/cai-dat/", {"mode": "daily_digest", "muted_kinds": ["coordinate", "overdue"]}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.officer)
    assert (preference.mode, preference.muted_kinds) == ("daily_digest", ["coordinate", "overdue"])
    response = client.post("/thong-bao/cai-dat/", {"mode": "daily_digest", "muted_kinds": ["x"]})
    assert response.status_code == 200  # refused, shown again
    assert NotificationPreference.objects.get(user=world.officer).muted_kinds == [
        "coordinate",
        "overdue",
    ]


@pytest.mark.django_db
def test_the_reminder_log_of_a_task_is_for_its_reviewers(inbox):
    everything = set(Reminder.objects.filter(task=inbox.task).values_list("pk", flat=True))
    assert len(everything) == 4  # due soon, coordinate, overdue, overdue to the leader
    assert set(reminders_for_task(inbox.task, inbox.reviewer).values_list("pk", flat=True)) == (
        everything
    )
    own = reminders_for_task(inbox.task, inbox.officer)
    assert {r.recipient for r in own} == {inbox.officer}
    assert not reminders_for_task(inbox.task, inbox.outsider).exists()


@pytest.mark.django_db
def test_a_monitoring_body_sees_the_log_of_its_documents_only(inbox):
    from accounts.access import forget_access
    from accounts.choices import Role
    from accounts.models import Membership

    Membership.objects.create(user=inbox.outsider, unit=inbox.coordinator, role=Role.REVIEWER)
    assert not reminders_for_task(inbox.task, inbox.outsider).exists()
    inbox.document.monitors.add(inbox.coordinator)
    forget_access(inbox.outsider)  # the access is read once per request, as a new one would
    assert reminders_for_task(inbox.task, inbox.outsider).count() == 4
