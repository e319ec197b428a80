"""The calendar feed: parses with icalendar, holds the unit's deadlines and report due
dates, and a revoked secret is a 404."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from accounts.models import User
from reports.models import CalendarToken
from tasks.models import TaskTrack

pytestmark = pytest.mark.django_db


def feed_url(raw):
    return reverse("calendar-feed", args=[raw])


def create_secret(client, username):
    client.force_login(User.objects.get(username=username))
    page = client.post(reverse("calendar-settings"))
    assert page.status_code == 200
    url = page.context["new_url"]
    client.logout()
    return url.split("/lich/")[1].removesuffix(".ics")


@time_machine.travel(dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC), tick=False)
def test_feed_holds_the_units_deadlines_and_report_due_dates(seeded, client):
    raw = create_secret(client, "laichau.canbo")
    response = client.get(feed_url(raw))  # no session: the secret is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    summaries = {str(e["SUMMARY"]) for e in events}
    assert "Hạn gửi báo cáo quý II năm 2026" in summaries
    report_due = next(e for e in events if str(e["SUMMARY"]) == "Hạn gửi báo cáo quý II năm 2026")
    assert report_due.decoded("DTSTART") == dt.date(2026, 6, 25)
    open_dated = TaskTrack.objects.filter(
        unit__key="bcsd-ubnd-lai-chau", completed_on__isnull=True, task__due_on__isnull=False
    )
    task_events = [e for e in events if str(e["UID"]).startswith("task-")]
    assert len(task_events) == open_dated.count() > 0
    first = open_dated.order_by("task__due_on").first()
    event = next(e for e in task_events if str(e["UID"]).startswith(f"task-{first.task_id}-"))
    assert event.decoded("DTSTART") == first.task.due_on
    assert first.task.title in str(event["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_a_revoked_or_unknown_secret_is_a_404(seeded, client):
    raw = create_secret(client, "laichau.canbo")
    assert client.get(feed_url(raw)).status_code == 200
    assert client.get(feed_url(raw + "x")).status_code == 404
    token = CalendarToken.objects.get()
    assert raw not in token.key_hash  # only the hash is stored
    client.force_login(User.objects.get(username="bkhdt.canbo"))
    client.post(reverse("calendar-settings"), {"revoke": token.pk})  # not theirs: no effect
    assert client.get(feed_url(raw)).status_code == 200
    client.force_login(User.objects.get(username="laichau.canbo"))
    client.post(reverse("calendar-settings"), {"revoke": token.pk})
    client.logout()
    assert client.get(feed_url(raw)).status_code == 404
