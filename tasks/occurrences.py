"""Recurring duties judged per occurrence, as a reviewer counts them. Pure: no ORM, no clock.

Public entry points (reports and lists call these; ``today`` is the cut-off date, in
Asia/Ho_Chi_Minh):

- ``schedule(deadline, issued_on=..., horizon_year=..., today=...)``: the occurrences a
  recurring deadline owes, each with its due date and the report quarter that closes it.
- ``judge(occurrences, reports, today)``: each occurrence's status in the 2x2 grid (or
  "chưa đến hạn") and the approved report that met it.
- ``track_status(judged, today)``: one track's (or an unassigned task's) status: its worst
  open occurrence. A task rolls its tracks up with ``tasks.status.rollup``.
- ``first_missed(judged)``: the earliest occurrence left unmet past its due date.

The rules (``../shared/DOMAIN.md`` section 3)
-----------------------------------------------
- The first occurrence is the first period that ends at least three months after the
  document was issued (issued 28/12/2022: the first yearly result is for 2023; issued
  10/03/2023: for 2023). A document known only by its year counts as issued on 01/01 of
  that year (the portal's plans with no day printed fix tasks within months of it). A
  deadline that names its own start ("Năm 2023 và các năm tiếp theo") starts no earlier.
- The last occurrence is the one that ends in the document's horizon year (a plan "đến năm
  2020" owes nothing for 2021). A document with no horizon is open-ended: its occurrences
  run on through the one due on or after ``today`` and the task is never finished
  (``Schedule.open_ended``; the page flags the document for a person to set one).
- Rhythms: yearly 31/12 (or the printed day, "trước 15/12 hằng năm"), half-yearly 30/06 and
  31/12, quarterly the quarter ends. Reports are per quarter, so a monthly rhythm is judged
  by its quarter: one occurrence per quarter, due at the quarter's end.
- An occurrence is met by an approved report of the quarter that contains its due date (Q4
  for a year, Q2 and Q4 for half-years, the quarter itself) that marks it done: 100% with a
  completion date. A report counts from the day it was approved: judged on a day before its
  approval it does not exist yet.
- A met occurrence is "hoàn thành đúng hạn" when it was both completed and approved on or
  before its due date, else "hoàn thành quá hạn" (a report approved late counts as late).
  An unmet occurrence is "chưa hoàn thành quá hạn" once its due date has passed (for good),
  "chưa hoàn thành trong hạn" when it falls due in the quarter containing ``today``, else
  "chưa đến hạn".
- A track's status is its worst open occurrence: OVERDUE if any occurrence was missed;
  otherwise the occurrence due on or after ``today``: open -> IN_PROGRESS or NOT_DUE as
  above; met and due this quarter -> its own (done) status until the quarter ends, then
  the next occurrence (NOT_DUE). When every occurrence up to the horizon is met the track is
  done: DONE_LATE if any occurrence was met late, else DONE_ON_TIME. No occurrence at all
  (a horizon that ends before the first one) -> UNDETERMINED.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tasks.deadlines import Deadline, DeadlineKind, Recurrence, month_end, quarter_end, quarter_of
from tasks.status import Status

__all__ = [
    "ApprovedReport",
    "JudgedOccurrence",
    "Occurrence",
    "Schedule",
    "first_missed",
    "first_period_end",
    "judge",
    "occurrence_status",
    "schedule",
    "track_status",
]

MONTHS_BEFORE_FIRST = 3
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Occurrence:
    """One due date of a recurring duty and the report period (year, quarter) that closes it."""

    due_on: date
    label: str

    @property
    def period(self) -> tuple[int, int]:
        return self.due_on.year, quarter_of(self.due_on)


@dataclass(frozen=True)
class Schedule:
    occurrences: tuple[Occurrence, ...]
    open_ended: bool  # the document has no horizon: the list goes on after the last shown


@dataclass(frozen=True)
class ApprovedReport:
    """An approved quarterly report of one track, as the judge needs it."""

    year: int
    quarter: int
    percent: int
    completed_on: date | None
    approved_on: date
    report_id: int | None = None

    @property
    def marks_done(self) -> bool:
        return self.percent == 100 and self.completed_on is not None


@dataclass(frozen=True)
class JudgedOccurrence:
    occurrence: Occurrence
    status: Status
    report: ApprovedReport | None  # the approved report that met it, if any


# --------------------------------------------------------------------------- schedule


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, month_end(year, month).day))


def _ends_in_year(deadline: Deadline, year: int) -> list[Occurrence]:
    rhythm = deadline.recurrence or Recurrence.YEARLY
    if rhythm in (Recurrence.MONTHLY, Recurrence.QUARTERLY):
        return [Occurrence(quarter_end(year, q), f"Quý {_ROMAN[q]}/{year}") for q in range(1, 5)]
    if rhythm is Recurrence.HALF_YEARLY:
        second = (
            f"Năm {year}"
            if Recurrence.YEARLY in deadline.recurrences
            else f"6 tháng cuối năm {year}"
        )
        return [
            Occurrence(date(year, 6, 30), f"6 tháng đầu năm {year}"),
            Occurrence(date(year, 12, 31), second),
        ]
    if deadline.day_of_year is not None:
        month, day = deadline.day_of_year
        due = date(year, month, min(day, month_end(year, month).day))
        return [Occurrence(due, f"Năm {year} (hạn {due:%d/%m/%Y})")]
    return [Occurrence(date(year, 12, 31), f"Năm {year}")]


def first_period_end(issued_on: date | None, issued_year: int | None = None) -> date | None:
    """The earliest due date an occurrence may have: three months after the document was
    issued (01/01 of its year when only the year is known). None when neither is known."""
    if issued_on is None:
        if issued_year is None:
            return None
        issued_on = date(issued_year, 1, 1)
    return _add_months(issued_on, MONTHS_BEFORE_FIRST)


def schedule(
    deadline: Deadline,
    *,
    issued_on: date | None,
    horizon_year: int | None,
    today: date,
    issued_year: int | None = None,
) -> Schedule:
    """The occurrences a RECURRING deadline owes (see the module docstring).

    Without any issue date or printed start the occurrences start in ``today``'s year.
    Other kinds of deadline owe no occurrences (an empty schedule)."""
    if deadline.kind is not DeadlineKind.RECURRING:
        return Schedule((), open_ended=False)
    starts = [d for d in (first_period_end(issued_on, issued_year), deadline.starts_on) if d]
    low = max(starts) if starts else date(today.year, 1, 1)
    found: list[Occurrence] = []
    if horizon_year is not None:
        for year in range(low.year, horizon_year + 1):
            found += [o for o in _ends_in_year(deadline, year) if o.due_on >= low]
        return Schedule(tuple(found), open_ended=False)
    year = low.year
    while year <= date.max.year - 1:
        for occurrence in _ends_in_year(deadline, year):
            if occurrence.due_on >= low:
                found.append(occurrence)
        if found and found[-1].due_on >= today:
            break
        year += 1
    # Through the first occurrence due on or after today, no further.
    while len(found) > 1 and found[-2].due_on >= today:
        found.pop()
    return Schedule(tuple(found), open_ended=True)


# --------------------------------------------------------------------------- judging


def _open_status(due: date, today: date) -> Status:
    if due < today:
        return Status.OVERDUE
    if due <= quarter_end(today.year, quarter_of(today)):
        return Status.IN_PROGRESS
    return Status.NOT_DUE


def occurrence_status(occurrence: Occurrence, report: ApprovedReport | None, today: date) -> Status:
    """One occurrence on ``today``, given the approved report of its closing quarter."""
    if report is not None and report.marks_done and report.approved_on <= today:
        assert report.completed_on is not None
        met_on = max(report.completed_on, report.approved_on)
        return Status.DONE_ON_TIME if met_on <= occurrence.due_on else Status.DONE_LATE
    return _open_status(occurrence.due_on, today)


def judge(
    occurrences: Iterable[Occurrence],
    reports: Mapping[tuple[int, int], ApprovedReport] | Iterable[ApprovedReport],
    today: date,
) -> list[JudgedOccurrence]:
    """Each occurrence with its status and the report that met it. ``reports`` are one
    track's approved reports, by (year, quarter) or as a list."""
    if not isinstance(reports, Mapping):
        reports = {(r.year, r.quarter): r for r in reports}
    judged = []
    for occurrence in occurrences:
        report = reports.get(occurrence.period)
        status = occurrence_status(occurrence, report, today)
        met = status in (Status.DONE_ON_TIME, Status.DONE_LATE)
        judged.append(JudgedOccurrence(occurrence, status, report if met else None))
    return judged


def track_status(judged: Sequence[JudgedOccurrence], today: date, *, open_ended: bool) -> Status:
    """The status of one track (or of a task without tracks): its worst open occurrence."""
    if not judged:
        return Status.UNDETERMINED
    if any(j.status is Status.OVERDUE for j in judged):
        return Status.OVERDUE
    done = (Status.DONE_ON_TIME, Status.DONE_LATE)
    for index, current in enumerate(judged):
        if current.occurrence.due_on < today:
            continue
        if current.status not in done:
            return current.status
        is_last = index == len(judged) - 1 and not open_ended
        if is_last:
            break
        if _open_status(current.occurrence.due_on, today) is Status.IN_PROGRESS:
            return current.status  # met, and due this quarter: shown done until it ends
        return Status.NOT_DUE
    if open_ended:  # pragma: no cover - an open-ended schedule ends on or after today
        return Status.NOT_DUE
    return (
        Status.DONE_LATE
        if any(j.status is Status.DONE_LATE for j in judged)
        else Status.DONE_ON_TIME
    )


def first_missed(judged: Sequence[JudgedOccurrence]) -> date | None:
    """The due date of the earliest occurrence left unmet past its due date."""
    for j in judged:
        if j.status is Status.OVERDUE:
            return j.occurrence.due_on
    return None
