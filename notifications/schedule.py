"""When reminders fall due. Pure date math: no ORM, no clock; "today" is always an argument.

Decisions the caller must know
------------------------------
- A track's due date is the one ``tasks.status`` judges it against: ``due_on`` for a dated
  deadline or a period (its last day), the current occurrence for a recurring one, and for
  an event-triggered task the event date plus the status module's default delay once the
  event is recorded. Event-triggered tasks still waiting, routine duties ("Thường xuyên")
  and unread deadlines have no due date and remind nobody.
- Before the deadline, one reminder per offset window: with offsets 30, 14, 7, 1 a track
  ``d`` days from its due date (0 <= d <= 30) is in the window of the smallest offset
  ``>= d``. A window's reminder is recorded once (the database key holds the offset), so a
  missed daily scan is caught up the next day and a task created 5 days before its deadline
  gets the 7-day reminder at once, never four reminders in a row.
- Overdue: once, when a track has just fallen overdue: 1..``overdue_window`` days after the
  missed due date (default 7). Older overdue tracks are not mailed one by one; the reviewers'
  weekly digest lists them.
- An occurrence counts as done when the track's approved completion date lies in or after its
  window (for a recurring task: after the previous natural occurrence), the rule
  ``tasks.status`` uses.
- Quarter reports (Decree 09/2019/NĐ-CP, as DOMAIN.md section 5 reads it): a quarter's data
  cut-off runs from the 15th of the month before the quarter to the 14th of its last month
  (Q1: 15/12 of the year before - 14/03); the half-year (15/12 - 14/06) and the year
  (15/12 - 14/12) close with the second and the fourth quarter. The report is due by
  ``due_day`` of the quarter's last month, 25 by default ("reports to the Government are due
  by the 25th of the period's last month unless a regime says otherwise"). Units are
  reminded ``report_offsets`` days before that date (default 10 and 1: the day after the
  cut-off, when the figures are final, and the day before the report is due).
  The cut-off windows are those of the decree's Article 12 as provincial regimes restate them
  (e.g. Khánh Hòa's QĐ 01/2023/QĐ-UBND, Art. 4). The sending deadline differs between
  regimes and the text of Article 13 could not be checked here, so the 25th (DOMAIN.md's
  reading) is a setting, REMINDER_REPORT_DUE_DAY, not a constant.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from notifications.kinds import DUE_SOON, OVERDUE
from tasks.deadlines import Deadline, DeadlineKind, current_due, occurrences, previous_due
from tasks.status import Status, due_date, task_status

__all__ = [
    "DueReminder",
    "ReportPeriod",
    "is_occurrence",
    "occurrence_done",
    "offset_window",
    "report_period",
    "report_reminders",
    "track_due",
    "track_reminders",
    "week_start",
]


@dataclass(frozen=True)
class DueReminder:
    """A reminder a track is owed today: ``offset`` is the window (days before the due date)
    for DUE_SOON, 0 for OVERDUE; ``days_left`` is negative when overdue."""

    kind: str  # a code of notifications.kinds: due_soon or overdue
    due_on: date
    offset: int
    days_left: int


def offset_window(days_left: int, offsets: Iterable[int]) -> int | None:
    """The smallest offset >= days_left, or None when the date is outside every window."""
    if days_left < 0:
        return None
    inside = [offset for offset in offsets if offset >= days_left]
    return min(inside) if inside else None


def track_due(deadline: Deadline, today: date, event_due_on: date | None = None) -> date | None:
    """The due date that is coming up for a track on ``today`` (None when undated)."""
    if deadline.kind in (DeadlineKind.DATE, DeadlineKind.PERIOD):
        return deadline.due_on
    if deadline.kind is DeadlineKind.RECURRING:
        return current_due(deadline, today)
    if deadline.kind is DeadlineKind.EVENT:
        return event_due_on  # set by a person when the event was recorded
    return None


def occurrence_done(deadline: Deadline, completed_on: date | None, due_on: date) -> bool:
    """Whether a completion date settles the occurrence due on ``due_on``."""
    if completed_on is None:
        return False
    if deadline.kind is not DeadlineKind.RECURRING:
        return True
    before = previous_due(replace(deadline, starts_on=None), due_on)
    return before is None or completed_on > before


def is_occurrence(deadline: Deadline, due_on: date, event_due_on: date | None = None) -> bool:
    """Whether ``due_on`` is still a due date of this deadline (it may have been edited)."""
    if deadline.kind is DeadlineKind.EVENT:
        return event_due_on is not None and event_due_on == due_on
    return due_on in occurrences(deadline, due_on, due_on)


def track_reminders(
    deadline: Deadline,
    *,
    completed_on: date | None,
    today: date,
    offsets: Sequence[int],
    overdue_window: int = 7,
    event_due_on: date | None = None,
) -> list[DueReminder]:
    """The reminders one track is owed on ``today``: at most one DUE_SOON and one OVERDUE
    (a recurring track can have missed one occurrence and be near the next)."""
    found: list[DueReminder] = []
    status = task_status(
        deadline, completed_on=completed_on, today=today, event_due_on=event_due_on
    )
    if status is Status.OVERDUE:
        missed = due_date(
            deadline, completed_on=completed_on, today=today, event_due_on=event_due_on
        )
        if missed is not None and 1 <= (today - missed).days <= overdue_window:
            found.append(DueReminder(OVERDUE.code, missed, 0, (missed - today).days))
    due = track_due(deadline, today, event_due_on)
    if due is not None and due >= today and not occurrence_done(deadline, completed_on, due):
        days_left = (due - today).days
        offset = offset_window(days_left, offsets)
        if offset is not None:
            found.append(DueReminder(DUE_SOON.code, due, offset, days_left))
    return found


# --------------------------------------------------------------------------- quarter reports

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class ReportPeriod:
    """A quarter's progress report: its data window (Decree 09) and when it is due."""

    year: int
    quarter: int
    data_from: date
    data_to: date
    due_on: date

    @property
    def label(self) -> str:
        label = f"quý {_ROMAN[self.quarter]}/{self.year}"
        if self.quarter == 2:
            label += " (kèm báo cáo 6 tháng)"
        elif self.quarter == 4:
            label += " (kèm báo cáo năm)"
        return label


def report_period(year: int, quarter: int, due_day: int = 25) -> ReportPeriod:
    """The report period of a quarter; ``due_day`` is clamped to the month's length."""
    last_month = quarter * 3
    first_month = last_month - 2
    # The window opens on the 15th of the month before the quarter (December for Q1).
    data_from = date(year - 1, 12, 15) if quarter == 1 else date(year, first_month - 1, 15)
    length = calendar.monthrange(year, last_month)[1]
    return ReportPeriod(
        year=year,
        quarter=quarter,
        data_from=data_from,
        data_to=date(year, last_month, 14),
        due_on=date(year, last_month, min(due_day, length)),
    )


def report_reminders(
    today: date, offsets: Sequence[int], due_day: int = 25
) -> list[tuple[ReportPeriod, int]]:
    """The quarter report reminders due on ``today``: (period, offset) for the quarter whose
    report is due next, when ``today`` is inside one of its offset windows."""
    quarter = (today.month - 1) // 3 + 1
    period = report_period(today.year, quarter, due_day)
    if period.due_on < today:
        period = (
            report_period(today.year + 1, 1, due_day)
            if quarter == 4
            else report_period(today.year, quarter + 1, due_day)
        )
    offset = offset_window((period.due_on - today).days, offsets)
    return [] if offset is None else [(period, offset)]


def week_start(today: date) -> date:
    """Monday of ``today``'s week: the weekly digest is keyed by it."""
    return today - timedelta(days=today.weekday())
