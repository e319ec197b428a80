"""What a notification says: its lines (re-checked at send time: a reminder that no longer
holds says nothing), its subject and its text and HTML bodies, from the kind's entry in
``notifications.kinds``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from notifications.models import (
    Kind,
    Reminder,
)
from notifications.planning import Config, People, overdue_tracks, tracks_missing_report
from notifications.schedule import (
    is_occurrence,
    occurrence_done,
    report_period,
)
from tasks.models import Task
from tasks.status_sql import stored_deadline

# --------------------------------------------------------------------------- composing


def task_url(task: Task) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/nhiem-vu/{task.pk}/"


@dataclass(frozen=True)
class Item:
    """One line of a reminder mail: a task (or a unit's quarter report) and its date."""

    reminder: Reminder
    title: str
    document: str
    deadline_text: str
    due_on: dt.date
    days_left: int
    url: str
    unit: str
    details: list[str] = field(default_factory=list)

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def _track_item(reminder: Reminder, today: dt.date) -> Item | None:
    """The reminder's task line, or None when the reminder no longer holds."""
    task = reminder.task
    if task is None:
        return None
    deadline = stored_deadline(task)
    if not is_occurrence(deadline, reminder.due_on, task.event_due_on):
        return None  # the deadline was changed since the scan
    if reminder.kind == Kind.COORDINATE:
        tracks = list(task.tracks.all())  # prefetched with their units for the batch
        due_on = reminder.due_on
        if tracks and all(occurrence_done(deadline, t.completed_on, due_on) for t in tracks):
            return None
        unit = ", ".join(t.unit.name for t in tracks)
    else:
        track = reminder.track
        if track is None or occurrence_done(deadline, track.completed_on, reminder.due_on):
            return None  # completed since the scan
        unit = track.unit.name
    return Item(
        reminder=reminder,
        title=f"{task.ref} – {task.title}",
        document=str(task.document),
        deadline_text=task.deadline_text or task.deadline_normalized,
        due_on=reminder.due_on,
        days_left=(reminder.due_on - today).days,
        url=task_url(task),
        unit=unit,
    )


def _report_item(reminder: Reminder, today: dt.date, config: Config) -> Item | None:
    if reminder.unit is None:
        return None
    quarter = (reminder.due_on.month - 1) // 3 + 1
    period = report_period(reminder.due_on.year, quarter, config.report_due_day)
    missing = list(tracks_missing_report(period, [reminder.unit.pk]))
    if not missing:
        return None  # every report for the quarter was sent since the scan
    details = [
        f"{t.task.document.number or t.task.document.slug} {t.task.ref} – {t.task.title[:120]} "
        f"({task_url(t.task)})"
        for t in missing[:30]
    ]
    if len(missing) > 30:
        details.append(f"... và {len(missing) - 30} nhiệm vụ khác")
    return Item(
        reminder=reminder,
        title=f"Báo cáo tiến độ {period.label}",
        document="",
        deadline_text=(
            f"chốt số liệu từ {period.data_from:%d/%m/%Y} đến {period.data_to:%d/%m/%Y}, "
            f"gửi báo cáo chậm nhất ngày {period.due_on:%d/%m/%Y}"
        ),
        due_on=period.due_on,
        days_left=(period.due_on - today).days,
        url=f"{settings.SITE_URL.rstrip('/')}/nhiem-vu/",
        unit=reminder.unit.name,
        details=details,
    )


def _overdue_digest_items(reminder: Reminder, today: dt.date) -> list[Item]:
    people = People(today)
    scope = people.reviewer_scope(reminder.recipient_id)
    return [
        Item(
            reminder=reminder,
            title=f"{row.track.task.ref} – {row.track.task.title}",
            document=str(row.track.task.document),
            deadline_text=row.track.task.deadline_text,
            due_on=row.due_on,
            days_left=-row.days,
            url=task_url(row.track.task),
            unit=row.track.unit.name,
        )
        for row in overdue_tracks(today, scope)
    ]


def compose_items(reminder: Reminder, today: dt.date, config: Config) -> list[Item]:
    if reminder.kind == Kind.QUARTER_REPORT:
        item = _report_item(reminder, today, config)
        return [item] if item else []
    if reminder.kind == Kind.OVERDUE_DIGEST:
        return _overdue_digest_items(reminder, today)
    item = _track_item(reminder, today)
    return [item] if item else []


_SUBJECTS = {
    Kind.DUE_SOON: "[Nhắc việc] Còn {days} ngày đến hạn: {title}",
    Kind.COORDINATE: "[Đề nghị phối hợp] Còn {days} ngày đến hạn: {title}",
    Kind.OVERDUE: "[Quá hạn] {title}",
    Kind.OVERDUE_LEADER: "[Quá hạn – báo lãnh đạo] {title}",
    Kind.QUARTER_REPORT: "[Nhắc báo cáo] {title}",
    Kind.OVERDUE_DIGEST: "[Tổng hợp] {count} nhiệm vụ quá hạn tuần {date}",
    Kind.DAILY_DIGEST: "[Tổng hợp nhắc việc] {count} nội dung ngày {date}",
}


def compose_message(reminder: Reminder, items: list[Item], today: dt.date) -> EmailMessage:
    first = items[0]
    subject = _SUBJECTS[Kind(reminder.kind)].format(
        days=max(first.days_left, 0),
        title=first.title[:90],
        count=len(items),
        date=f"{reminder.due_on:%d/%m/%Y}",
    )
    body = render_to_string(
        "emails/reminder.txt",
        {
            "reminder": reminder,
            "kind": Kind(reminder.kind),
            "items": items,
            "today": today,
            "recipient": reminder.recipient,
            "site_url": settings.SITE_URL.rstrip("/"),
        },
    )
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.recipient.email],
        headers={"X-Portal-Reminder": reminder.key},
    )
