"""GET /api/v1/notifications/ and the read marks: the caller's own, newest first, paginated,
``?unread=``, a constant number of queries; another user's notification is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import Kind, Reminder
from tests.api.conftest import lai_chau_track

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def _notifications(username: str, count: int, *, start: int = 0) -> list[Reminder]:
    """``count`` notifications of a report's return for ``username``, one a minute."""
    user = User.objects.get(username=username)
    track = lai_chau_track()
    now = timezone.now()
    return Reminder.objects.bulk_create(
        Reminder(
            key=f"test:{username}:{start + i}",
            kind=Kind.REPORT_RETURNED if i % 2 else Kind.DUE_SOON,
            recipient=user,
            task_id=track.task_id,
            track=track,
            unit_id=track.unit_id,
            due_on=dt.date(2026, 12, 31),
            scan_date=dt.date(2026, 11, 22),
            note="Bổ sung số liệu" if i % 2 else "",
            created_at=now - dt.timedelta(minutes=count - i),
        )
        for i in range(count)
    )


def test_the_list_is_the_callers_newest_first(api, settings):
    settings.SITE_URL = "https://theodoi.example.gov.vn/"
    mine = _notifications("laichau.canbo", 3)
    _notifications("laichau.lanhdao", 2, start=10)
    response = api("laichau.canbo").get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [r.pk for r in reversed(mine)]
    first = body["results"][0]
    task_id = lai_chau_track().task_id
    assert first["kind"] == "due_soon" and first["label"] == "Sắp đến hạn"
    assert first["url"] == f"https://theodoi.example.gov.vn/nhiem-vu/{task_id}/"
    assert first["title"].startswith("26-CTr/TU STT 5 – ")
    assert first["when"] == "hạn 31/12/2026" and first["is_read"] is False
    assert body["results"][1]["note"] == "Bổ sung số liệu"


def test_unread_filter_and_the_read_marks(api):
    rows = _notifications("laichau.canbo", 4)
    client = api("laichau.canbo")
    assert client.post(f"{URL}{rows[0].pk}/read/").status_code == 204
    assert client.post(f"{URL}{rows[0].pk}/read/").status_code == 204  # again: no change
    unread = client.get(URL, {"unread": "true"}).json()
    assert [r["id"] for r in unread["results"]] == [r.pk for r in reversed(rows[1:])]
    read = client.get(URL, {"unread": "false"}).json()
    assert [r["id"] for r in read["results"]] == [rows[0].pk]
    assert read["results"][0]["read_at"] is not None
    assert client.post(f"{URL}read/").json() == {"marked": 3}
    assert client.get(URL, {"unread": "true"}).json()["count"] == 0


def test_another_users_notification_is_not_found(api):
    [theirs] = _notifications("laichau.lanhdao", 1)
    response = api("laichau.canbo").post(f"{URL}{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # marking all of mine leaves theirs alone
    assert api("laichau.canbo").post(f"{URL}read/").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_sign_in_is_required(api):
    assert api().get(URL).status_code in (401, 403)
    assert api().post(f"{URL}read/").status_code in (401, 403)


def test_the_page_size_is_capped_and_pages_follow(api):
    _notifications("laichau.canbo", 5)
    body = api("laichau.canbo").get(URL, {"page_size": 2, "page": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["next"] and body["previous"]


def test_the_list_runs_a_constant_number_of_queries(api):
    client = api("laichau.canbo")

    def queries(count: int) -> int:
        Reminder.objects.all().delete()
        _notifications("laichau.canbo", count)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"page_size": 50})
        assert len(response.json()["results"]) == min(count, 50)
        return len(ctx.captured_queries)

    few, many = queries(3), queries(60)
    # the session (read, and its idle expiry written in a savepoint: 3), the user, and the
    # page with its count and what each row names (one query)
    assert few == many <= 6
