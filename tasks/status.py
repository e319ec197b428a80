"""Task status from (deadline, completion date, today). Pure: no Django, no clock.

The vocabulary is the Government Office's 2x2 grid for tasks that have fallen due (đến hạn):
hoàn thành đúng hạn / quá hạn, chưa hoàn thành trong hạn / quá hạn; plus "chưa đến hạn" and
the statuses of routine, event-triggered and undated tasks. Vietnamese labels live in the
app's choices; each value below carries its term as a comment.

Decisions the caller must know
------------------------------
- ``today`` is the caller's date in Asia/Ho_Chi_Minh; ``completed_on`` is the date of the
  approved progress report that marked the task (or this occurrence) done.
- DATE and PERIOD are judged against ``due_on``: done on or before it -> DONE_ON_TIME, after
  it -> DONE_LATE. Open: due before today -> OVERDUE; due today or later but within the
  quarter containing today (it falls due in this reporting period) -> IN_PROGRESS; later ->
  NOT_DUE.
- RECURRING, stored tasks: pages, lists, the API and reports judge them per occurrence with
  the approved report that met each (``tasks.occurrences``, via ``tasks.status_sql``). The
  rule below is the phrase-only approximation the reminders still use (one completion date,
  no document horizon).
- RECURRING is judged per occurrence (``tasks.deadlines.occurrences``). Each occurrence has
  a window: from the day after the previous natural occurrence to its own due date (yearly:
  01/01-31/12, or 16/12-15/12 for "trước 15/12 hằng năm"; half-yearly: 01/01-30/06 and
  01/07-31/12). The latest occurrence before today (``previous_due``) must have a completion
  in or after its window, else OVERDUE. A completion after it counts for the current
  occurrence -> DONE_ON_TIME. Otherwise the current occurrence (``current_due``) decides
  IN_PROGRESS or NOT_DUE as for a DATE. A recurring task never becomes DONE_LATE: one
  completion date cannot tell a late report for the last occurrence from a report for this one.
- A recurring deadline without a start year ("Hằng năm") is treated as starting on 01/01 of
  today's year, so it never starts overdue: an unfinished yearly duty is IN_PROGRESS in the
  fourth quarter and NOT_DUE before it, and starts afresh each 1 January. Give the deadline a
  start ("Năm 2023 và các năm tiếp theo") to have missed years count.
- EVENT: no ``event_due_on`` -> AWAITING_EVENT (chờ sự kiện). A person records the event and
  the due date it sets (``tasks.services.task_record_event``); the task is then judged as a
  DATE against that date. No text states a delay after an event, so none is invented.
- ONGOING -> ONGOING always, also when a completion is given: routine duties are never late.
- Extensions (gia hạn, ``extension_in_time``): an extension asked for and approved on or
  before the due date in force (the printed one, the event's, the horizon's, or an earlier
  extension's) moves the due date every rule above judges against; one asked for or approved
  after that day passed is kept on record and changes nothing (the task stays as late as it
  was). Recurring duties are judged per occurrence and are not extended.
- UNKNOWN -> UNDETERMINED while open. A completed task whose deadline cannot be read (or an
  EVENT completed before its event was recorded) is DONE_ON_TIME: there is no due date it
  could have missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from enum import StrEnum

from tasks.deadlines import (
    REASON_EMPTY,
    Deadline,
    DeadlineKind,
    current_due,
    previous_due,
    quarter_end,
    quarter_of,
)

__all__ = [
    "HORIZON_NOTE",
    "Status",
    "days_overdue",
    "due_at_horizon",
    "due_date",
    "extension_in_time",
    "is_due",
    "rollup",
    "task_status",
]


class Status(StrEnum):
    NOT_DUE = "not_due"  # Chưa đến hạn
    IN_PROGRESS = "in_progress"  # Chưa hoàn thành, trong hạn
    OVERDUE = "overdue"  # Chưa hoàn thành, quá hạn
    DONE_ON_TIME = "done_on_time"  # Hoàn thành đúng hạn
    DONE_LATE = "done_late"  # Hoàn thành quá hạn
    ONGOING = "ongoing"  # Thường xuyên
    AWAITING_EVENT = "awaiting_event"  # Chờ sự kiện
    UNDETERMINED = "undetermined"  # Chưa xác định thời hạn


_DONE = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE})
_DUE = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE, Status.OVERDUE, Status.IN_PROGRESS})
# Worst first: the open status a collective task shows while any track is open.
_OPEN_ORDER = (
    Status.OVERDUE,
    Status.IN_PROGRESS,
    Status.NOT_DUE,
    Status.AWAITING_EVENT,
    Status.UNDETERMINED,
    Status.ONGOING,
)


def _open_status(due: date, today: date) -> Status:
    if due < today:
        return Status.OVERDUE
    if due <= quarter_end(today.year, quarter_of(today)):
        return Status.IN_PROGRESS
    return Status.NOT_DUE


def _judge_date(due: date, completed_on: date | None, today: date) -> tuple[Status, date]:
    if completed_on is not None:
        return (Status.DONE_ON_TIME if completed_on <= due else Status.DONE_LATE), due
    return _open_status(due, today), due


def _judge_recurring(
    deadline: Deadline, completed_on: date | None, today: date
) -> tuple[Status, date | None]:
    if deadline.starts_on is None:
        deadline = replace(deadline, starts_on=date(today.year, 1, 1))
    natural = replace(deadline, starts_on=None)  # occurrences regardless of the start
    previous = previous_due(deadline, today)
    if previous is not None:
        before = previous_due(natural, previous)
        window_start = before + timedelta(days=1) if before is not None else date.min
        if completed_on is None or completed_on < window_start:
            return Status.OVERDUE, previous
    current = current_due(deadline, today)
    if current is None:
        return Status.UNDETERMINED, None
    before = previous_due(natural, current)
    if completed_on is not None and (before is None or completed_on > before):
        return Status.DONE_ON_TIME, current
    return _open_status(current, today), current


def _judge(
    deadline: Deadline,
    completed_on: date | None,
    today: date,
    event_due_on: date | None,
) -> tuple[Status, date | None]:
    """Status and the due date it was judged against."""
    kind = deadline.kind
    if kind is DeadlineKind.ONGOING:
        return Status.ONGOING, None
    if kind is DeadlineKind.RECURRING:
        return _judge_recurring(deadline, completed_on, today)
    due: date | None = None
    if kind in (DeadlineKind.DATE, DeadlineKind.PERIOD):
        due = deadline.due_on
    elif kind is DeadlineKind.EVENT:
        due = event_due_on
    if due is not None:
        return _judge_date(due, completed_on, today)
    if completed_on is not None:
        return Status.DONE_ON_TIME, None
    if kind is DeadlineKind.EVENT:
        return Status.AWAITING_EVENT, None
    return Status.UNDETERMINED, None


HORIZON_NOTE = "Theo thời hạn của văn bản"


def due_at_horizon(deadline: Deadline, horizon_year: int | None) -> Deadline:
    """A task printed without any deadline is due at the end of its document's horizon year
    ("theo thời hạn của văn bản"). An unreadable phrase stays UNKNOWN for a person to resolve,
    and a document without a horizon gives none (it is flagged; never inherited)."""
    if deadline.kind is not DeadlineKind.UNKNOWN or deadline.reason != REASON_EMPTY:
        return deadline
    if horizon_year is None:
        return deadline
    return replace(
        deadline,
        kind=DeadlineKind.DATE,
        due_on=date(horizon_year, 12, 31),
        normalized=f"{HORIZON_NOTE} (năm {horizon_year})",
        reason="",
    )


def task_status(
    deadline: Deadline,
    *,
    completed_on: date | None,
    today: date,
    event_due_on: date | None = None,
) -> Status:
    """Status of one task (or one track of a collective task) on ``today``."""
    return _judge(deadline, completed_on, today, event_due_on)[0]


def due_date(
    deadline: Deadline,
    *,
    completed_on: date | None,
    today: date,
    event_due_on: date | None = None,
) -> date | None:
    """The due date the status was judged against (for a RECURRING task that is overdue, the
    missed occurrence; otherwise its current occurrence). None when there is none."""
    return _judge(deadline, completed_on, today, event_due_on)[1]


def days_overdue(
    deadline: Deadline,
    *,
    completed_on: date | None,
    today: date,
    event_due_on: date | None = None,
) -> int:
    """Days since the missed due date when OVERDUE (``today - due``), else 0."""
    status, due = _judge(deadline, completed_on, today, event_due_on)
    if status is not Status.OVERDUE or due is None:
        return 0
    return (today - due).days


def rollup(statuses: Sequence[Status]) -> Status:
    """A collective task from its tracks.

    Done only when every track is done (DONE_LATE if any track was late). Otherwise the worst
    open status: OVERDUE > IN_PROGRESS > NOT_DUE > AWAITING_EVENT > UNDETERMINED > ONGOING.
    No tracks -> UNDETERMINED.
    """
    if not statuses:
        return Status.UNDETERMINED
    present = {Status(status) for status in statuses}
    if present <= _DONE:
        return Status.DONE_LATE if Status.DONE_LATE in present else Status.DONE_ON_TIME
    for status in _OPEN_ORDER:
        if status in present:
            return status
    return Status.UNDETERMINED  # pragma: no cover - every open status is in _OPEN_ORDER


def extension_in_time(due_in_force: date, *, requested_on: date, approved_on: date) -> bool:
    """Does an extension move the due date? Only when it was asked for and approved on or
    before the due date in force (the due day itself still counts as in time)."""
    return requested_on <= due_in_force and approved_on <= due_in_force


def is_due(status: Status) -> bool:
    """True for the four "đến hạn" grid statuses counted in reports."""
    return status in _DUE
