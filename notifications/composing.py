"""What a notification says: its title and link (the inbox page, the API and the mails say
it the same way), the lines of its mail (re-checked at send time: a reminder or a
notification that no longer holds says nothing), its subject and its text and HTML bodies,
from the kind's entry in ``notifications.kinds``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from indicators.models import IndicatorValue
from notifications import kinds
from notifications.kinds import Link
from notifications.models import Kind, Reminder
from notifications.planning import Config, People, overdue_tracks, tracks_missing_report
from notifications.schedule import is_occurrence, occurrence_done, report_period
from portal.numbers import format_vn_number
from portal.periods import quarter_label
from portal.workflow import ApprovalState
from tasks.models import Task
from tasks.status_sql import stored_deadline

# The rows a notification names, read with it (the inbox page, the API, a batch of sends).
RELATED = (
    "task__document",
    "track__unit",
    "unit",
    "report",
    "value__indicator",
    "value__scope",
    "explanation__unit",
    "actor",
)


def absolute(path: str) -> str:
    """An address for a mail: the site's base (SITE_URL) and a path from ``reverse``."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def task_url(task: Task) -> str:
    return absolute(reverse("task-detail", args=[task.pk]))


def _task_name(task: Task) -> str:
    document = task.document
    return f"{document.number or document.slug} {task.ref} – {task.title}"


def title_of(reminder: Reminder) -> str:
    """What a notification is about, in one line: the task (document number, reference,
    title), the report's quarter, the indicator and its scope, or the unit."""
    kind = kinds.get(reminder.kind)
    if kind.about == "report" and reminder.report is not None and reminder.task is not None:
        period = quarter_label(reminder.report.period_year, reminder.report.period_quarter)
        return f"Báo cáo {period} – {_task_name(reminder.task)}"
    if kind.about == "value" and reminder.value is not None:
        value = reminder.value
        return f"Chỉ tiêu {value.indicator.name} – {value.scope.name}, năm {value.year}"
    if reminder.task is not None:
        return _task_name(reminder.task)
    if reminder.unit is not None:
        return reminder.unit.name
    return str(Kind(kind.code).label)


def link_of(reminder: Reminder) -> str:
    """The path of what a notification is about (``reverse``; absolute with ``absolute``)."""
    link = kinds.get(reminder.kind).link
    if link == Link.VALUE and reminder.value is not None:
        code = reminder.value.indicator.code
        return reverse("indicator-detail", args=[code]) + f"#gia-tri-{reminder.value_id}"
    if reminder.task_id is not None and link in (Link.TASK, Link.REPORT, Link.EXPLANATION):
        path = reverse("task-detail", args=[reminder.task_id])
        if link == Link.REPORT and reminder.report_id is not None:
            return f"{path}#bao-cao-{reminder.report_id}"
        return f"{path}#giai-trinh" if link == Link.EXPLANATION else path
    if link == Link.OVERDUE_REVIEW:
        return reverse("overdue-review")
    if link == Link.MY_TASKS:
        return reverse("my-tasks")
    return reverse("notifications:list")


@dataclass(frozen=True)
class Item:
    """One entry of a mail: a task with its date (a reminder), a unit's quarter report, or
    a step of the workflow (its lines say who did what)."""

    reminder: Reminder
    title: str
    url: str
    unit: str = ""
    document: str = ""
    deadline_text: str = ""
    due_on: dt.date | None = None
    days_left: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def label(self) -> str:
        return str(Kind(self.reminder.kind).label)


# --------------------------------------------------------------------------- reminders


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
        url=absolute(reverse("my-tasks")),
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


def _still_holds(reminder: Reminder) -> bool:
    """A notification that asks for a decision or an answer says nothing once that is no
    longer asked: a report or value withdrawn (or decided) before the mail went out, an
    explanation already given."""
    if reminder.kind == Kind.REPORT_SUBMITTED:
        return reminder.report is not None and reminder.report.state == ApprovalState.SUBMITTED
    if reminder.kind == Kind.VALUE_SUBMITTED:
        return reminder.value is not None and reminder.value.state == ApprovalState.SUBMITTED
    if reminder.kind == Kind.EXPLANATION_REQUESTED:
        return reminder.explanation is not None and reminder.explanation.answered_at is None
    return True


def _event_item(reminder: Reminder) -> Item | None:
    if not _still_holds(reminder):
        return None
    kind = kinds.get(reminder.kind)
    details: list[str] = []
    unit, document = "", ""
    if reminder.report is not None and reminder.track is not None:
        report = reminder.report
        unit = reminder.track.unit.name
        details.append(f"Tỷ lệ hoàn thành: {report.percent}%")
        if report.completed_on:
            details.append(f"Ngày hoàn thành: {report.completed_on:%d/%m/%Y}")
    elif reminder.value is not None:
        value: IndicatorValue = reminder.value
        unit = value.scope.name
        measure = f" {value.indicator.unit_of_measure}" if value.indicator.unit_of_measure else ""
        details.append(f"Giá trị: {format_vn_number(value.value)}{measure} (nguồn: {value.source})")
    elif reminder.explanation is not None:
        unit = reminder.explanation.unit.name
        if kind is kinds.EXPLANATION_REQUESTED:
            details.append(f"Hạn giải trình: {reminder.explanation.answer_by:%d/%m/%Y}")
    if reminder.task is not None:
        document = str(reminder.task.document)
    if reminder.actor is not None:
        actor = reminder.actor.full_name or reminder.actor.username
        details.insert(0, f"{kind.actor_label}: {actor}")
    if reminder.note and kind.note_label:
        details.append(f"{kind.note_label}: {reminder.note}")
    return Item(
        reminder=reminder,
        title=title_of(reminder),
        url=absolute(link_of(reminder)),
        unit=unit,
        document=document,
        details=details,
    )


def compose_items(reminder: Reminder, today: dt.date, config: Config) -> list[Item]:
    """The entries of one reminder or notification's mail (none: it no longer holds)."""
    if kinds.get(reminder.kind).event:
        item = _event_item(reminder)
    elif reminder.kind == Kind.QUARTER_REPORT:
        item = _report_item(reminder, today, config)
    elif reminder.kind == Kind.OVERDUE_DIGEST:
        return _overdue_digest_items(reminder, today)
    else:
        item = _track_item(reminder, today)
    return [item] if item else []


def compose_message(
    reminder: Reminder, items: list[Item], today: dt.date
) -> EmailMultiAlternatives:
    """The mail of a reminder, a notification or a digest: the kind's subject and its text
    and HTML bodies (``notifications.kinds``)."""
    kind = kinds.get(reminder.kind)
    first = items[0]
    subject = kind.subject.format(
        days=max(first.days_left, 0),
        title=first.title[:90],
        count=len(items),
        date=f"{reminder.due_on:%d/%m/%Y}",
    )
    context = {
        "reminder": reminder,
        "kind": kind,
        "items": items,
        "today": today,
        "recipient": reminder.recipient,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": absolute(reverse("notifications:preferences")),
    }
    text, html = (render_to_string(name, context) for name in kind.templates)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.recipient.email],
        headers={"X-Portal-Reminder": reminder.key},
    )
    message.attach_alternative(html, "text/html")
    return message
