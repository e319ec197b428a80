"""Recurring duties judged per occurrence (tasks.occurrences), the way a reviewer counts them.

The table holds every recurring task of the seeds, at a day before, inside and after its
document's horizon, with and without reports, including a late one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tasks.deadlines import parse_deadline
from tasks.occurrences import (
    ApprovedReport,
    first_missed,
    first_period_end,
    judge,
    schedule,
    track_status,
)
from tasks.status import Status

S = Status
D = date

# The recurring tasks of the seeds: (id, phrase, issued_on, issued_year, horizon_year)
SEED_TASKS = {
    # 26-CTr/TU (seed 004), issued 28/12/2022, to 2030
    "26-CTr/TU STT 3": ("Hàng năm", D(2022, 12, 28), 2022, 2030),
    "26-CTr/TU STT 9": ("Hằng năm", D(2022, 12, 28), 2022, 2030),
    "26-CTr/TU STT 10": ("Hằng năm và theo quy định", D(2022, 12, 28), 2022, 2030),
    # the Politburo plan for 11-NQ/TW (seed 001): issued in 2022, no day printed, to 2030
    "KH 11-NQ/TW III.3": ("định kỳ hằng năm", None, 2022, 2030),
    # the plan of 1580/QĐ-TTg (seed 000), issued 06/09/2014, to 2020
    "1580 IV.1": ("hàng năm", D(2014, 9, 6), 2014, 2020),
    "1580 IV.2.c": ("Định kỳ 6 tháng, hàng năm", D(2014, 9, 6), 2014, 2020),
}


def _plan(task: str, today: date):  # type: ignore[no-untyped-def]
    phrase, issued_on, issued_year, horizon = SEED_TASKS[task]
    return schedule(
        parse_deadline(phrase),
        issued_on=issued_on,
        issued_year=issued_year,
        horizon_year=horizon,
        today=today,
    )


def report(due: date, approved_on: date | None = None, completed_on: date | None = None):  # type: ignore[no-untyped-def]
    """The approved report of the quarter closing ``due``, marking it done."""
    completed = completed_on or due.replace(day=1)
    return ApprovedReport(
        year=due.year,
        quarter=(due.month - 1) // 3 + 1,
        percent=100,
        completed_on=completed,
        approved_on=approved_on or completed,
    )


def all_met(task: str, today: date, *, late: date | None = None, skip: date | None = None):  # type: ignore[no-untyped-def]
    """A report for every occurrence due before ``today``; ``late``: that occurrence approved
    10 days after its due date; ``skip``: that occurrence never reported."""
    reports = []
    for occurrence in _plan(task, today).occurrences:
        due = occurrence.due_on
        if due >= today or due == skip:
            continue
        if due == late:
            reports.append(report(due, approved_on=due + timedelta(days=10)))
        else:
            reports.append(report(due))
    return reports


def test_the_schedules_of_the_seed_tasks() -> None:
    today = D(2026, 1, 1)
    dues = {task: [o.due_on for o in _plan(task, today).occurrences] for task in SEED_TASKS}
    # issued 28/12/2022: the first yearly result is for 2023; the last for 2030
    assert dues["26-CTr/TU STT 3"] == [D(y, 12, 31) for y in range(2023, 2031)]
    assert dues["26-CTr/TU STT 10"] == dues["26-CTr/TU STT 9"] == dues["26-CTr/TU STT 3"]
    # known only as "2022": counted from 01/01/2022, so 2022 is owed
    assert dues["KH 11-NQ/TW III.3"] == [D(y, 12, 31) for y in range(2022, 2031)]
    # issued 06/09/2014: 31/12/2014 is more than three months later; nothing after 2020
    assert dues["1580 IV.1"] == [D(y, 12, 31) for y in range(2014, 2021)]
    assert dues["1580 IV.2.c"] == [D(2014, 12, 31)] + [
        d for y in range(2015, 2021) for d in (D(y, 6, 30), D(y, 12, 31))
    ]
    labels = [o.label for o in _plan("1580 IV.2.c", today).occurrences[:3]]
    assert labels == ["Năm 2014", "6 tháng đầu năm 2015", "Năm 2015"]
    assert [o.period for o in _plan("1580 IV.2.c", today).occurrences[:3]] == [
        (2014, 4),
        (2015, 2),
        (2015, 4),
    ]


@pytest.mark.parametrize(
    ("issued_on", "first"),
    [
        (D(2022, 12, 28), D(2023, 3, 28)),  # first yearly result: 2023
        (D(2023, 3, 10), D(2023, 6, 10)),  # first yearly result: 2023 as well
        (D(2023, 11, 30), D(2024, 2, 29)),  # a short month keeps its last day
    ],
)
def test_the_first_occurrence_ends_three_months_after_issue(issued_on: date, first: date) -> None:
    assert first_period_end(issued_on) == first


# (task, today, reports builder, expected task status, expected days overdue)
CASES = [
    # ---- 26-CTr/TU: a day before, inside and after its horizon (2030)
    ("26-CTr/TU STT 3", D(2023, 2, 1), "none", S.NOT_DUE, 0),  # nothing owed for 2022
    ("26-CTr/TU STT 3", D(2023, 11, 20), "none", S.IN_PROGRESS, 0),
    ("26-CTr/TU STT 3", D(2025, 6, 15), "none", S.OVERDUE, 532),  # 2023 and 2024 missed
    ("26-CTr/TU STT 3", D(2025, 6, 15), "all", S.NOT_DUE, 0),
    ("26-CTr/TU STT 3", D(2025, 6, 15), "late-2024", S.NOT_DUE, 0),
    ("26-CTr/TU STT 3", D(2025, 6, 15), "skip-2024", S.OVERDUE, 166),
    ("26-CTr/TU STT 9", D(2026, 1, 1), "none", S.OVERDUE, 732),  # never reset on 1 January
    ("26-CTr/TU STT 9", D(2030, 11, 20), "all", S.IN_PROGRESS, 0),
    ("26-CTr/TU STT 9", D(2030, 11, 20), "none", S.OVERDUE, 2516),
    ("26-CTr/TU STT 10", D(2031, 3, 1), "all", S.DONE_ON_TIME, 0),
    ("26-CTr/TU STT 10", D(2031, 3, 1), "late-2030", S.DONE_LATE, 0),
    ("26-CTr/TU STT 10", D(2031, 3, 1), "late-2025", S.DONE_LATE, 0),
    ("26-CTr/TU STT 10", D(2031, 3, 1), "skip-2030", S.OVERDUE, 60),
    ("26-CTr/TU STT 10", D(2040, 1, 1), "none", S.OVERDUE, 5845),  # missed stays missed
    # ---- KH 11-NQ/TW III.3 (to 2030)
    ("KH 11-NQ/TW III.3", D(2022, 11, 1), "none", S.IN_PROGRESS, 0),
    ("KH 11-NQ/TW III.3", D(2024, 5, 5), "all", S.NOT_DUE, 0),
    ("KH 11-NQ/TW III.3", D(2024, 5, 5), "none", S.OVERDUE, 491),
    ("KH 11-NQ/TW III.3", D(2030, 12, 31), "all", S.IN_PROGRESS, 0),
    ("KH 11-NQ/TW III.3", D(2031, 1, 1), "all", S.DONE_ON_TIME, 0),
    ("KH 11-NQ/TW III.3", D(2031, 1, 1), "skip-2030", S.OVERDUE, 1),  # 2030 not reported
    ("KH 11-NQ/TW III.3", D(2031, 1, 1), "late-2022", S.DONE_LATE, 0),
    # ---- 1580 IV.1 (to 2020)
    ("1580 IV.1", D(2014, 10, 1), "none", S.IN_PROGRESS, 0),
    ("1580 IV.1", D(2016, 5, 10), "none", S.OVERDUE, 496),
    ("1580 IV.1", D(2016, 5, 10), "all", S.NOT_DUE, 0),
    ("1580 IV.1", D(2020, 11, 20), "all", S.IN_PROGRESS, 0),
    ("1580 IV.1", D(2025, 3, 1), "all-to-2020", S.DONE_ON_TIME, 0),  # owes nothing after 2020
    ("1580 IV.1", D(2025, 3, 1), "late-2020", S.DONE_LATE, 0),
    ("1580 IV.1", D(2025, 3, 1), "none", S.OVERDUE, 3713),
    # ---- 1580 IV.2.c, half-yearly and yearly (to 2020)
    ("1580 IV.2.c", D(2016, 5, 10), "none", S.OVERDUE, 496),
    ("1580 IV.2.c", D(2016, 5, 10), "all", S.IN_PROGRESS, 0),  # 30/06/2016 due this quarter
    ("1580 IV.2.c", D(2016, 5, 10), "skip-2015-06", S.OVERDUE, 315),
    ("1580 IV.2.c", D(2020, 11, 20), "all", S.IN_PROGRESS, 0),
    ("1580 IV.2.c", D(2025, 3, 1), "all-to-2020", S.DONE_ON_TIME, 0),
    ("1580 IV.2.c", D(2025, 3, 1), "late-2020-06", S.DONE_LATE, 0),
]


def _reports(task: str, today: date, spec: str) -> list[ApprovedReport]:
    if spec == "none":
        return []
    if spec == "all":
        return all_met(task, today)
    if spec == "all-to-2020":
        return all_met(task, D(2021, 1, 1))
    kind, _, when = spec.partition("-")
    parts = [int(p) for p in when.split("-")]
    due = D(parts[0], parts[1], 30) if len(parts) == 2 else D(parts[0], 12, 31)
    end = today if today.year <= 2030 else D(2031, 1, 1)
    if kind == "late":
        return all_met(task, end, late=due)
    return all_met(task, end, skip=due)


@pytest.mark.parametrize(
    ("task", "today", "spec", "expected", "days"),
    CASES,
    ids=[f"{c[0]}@{c[1]}:{c[2]}" for c in CASES],
)
def test_seed_recurring_tasks(
    task: str, today: date, spec: str, expected: Status, days: int
) -> None:
    plan = _plan(task, today)
    judged = judge(plan.occurrences, _reports(task, today, spec), today)
    assert track_status(judged, today, open_ended=plan.open_ended) is expected
    missed = first_missed(judged)
    assert (0 if missed is None else (today - missed).days) == days


def test_each_occurrence_has_its_own_status_and_report() -> None:
    today = D(2025, 6, 15)
    reports = [
        report(D(2023, 12, 31)),  # on time
        report(D(2024, 12, 31), approved_on=D(2025, 1, 10)),  # approved after the due date
    ]
    plan = _plan("26-CTr/TU STT 3", today)
    judged = judge(plan.occurrences, reports, today)
    assert [(j.occurrence.label, j.status) for j in judged[:4]] == [
        ("Năm 2023", S.DONE_ON_TIME),
        ("Năm 2024", S.DONE_LATE),
        ("Năm 2025", S.NOT_DUE),
        ("Năm 2026", S.NOT_DUE),
    ]
    assert judged[0].report == reports[0] and judged[1].report == reports[1]
    assert judged[2].report is None


@pytest.mark.parametrize(
    ("percent", "completed_on", "approved_on", "today", "expected"),
    [
        (100, D(2023, 12, 1), D(2023, 12, 20), D(2024, 2, 1), S.DONE_ON_TIME),
        (100, D(2023, 12, 1), D(2023, 12, 31), D(2024, 2, 1), S.DONE_ON_TIME),  # on the day
        (100, D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1), S.DONE_LATE),  # approved late
        (100, None, D(2023, 12, 20), D(2024, 2, 1), S.OVERDUE),  # 100% but no completion date
        (80, None, D(2023, 12, 20), D(2024, 2, 1), S.OVERDUE),  # progress is not completion
        # judged on a day before the approval: the report does not count yet
        (100, D(2023, 12, 1), D(2024, 1, 20), D(2024, 1, 10), S.OVERDUE),
        (100, D(2023, 12, 1), D(2023, 12, 20), D(2023, 12, 19), S.IN_PROGRESS),
    ],
)
def test_the_report_that_meets_an_occurrence(
    percent: int,
    completed_on: date | None,
    approved_on: date,
    today: date,
    expected: Status,
) -> None:
    plan = _plan("26-CTr/TU STT 3", today)
    reports = [ApprovedReport(2023, 4, percent, completed_on, approved_on)]
    judged = judge(plan.occurrences, reports, today)
    assert judged[0].status is expected


def test_a_report_of_another_quarter_does_not_meet_the_year() -> None:
    today = D(2024, 2, 1)
    plan = _plan("26-CTr/TU STT 3", today)
    judged = judge(
        plan.occurrences, [ApprovedReport(2023, 3, 100, D(2023, 9, 1), D(2023, 9, 5))], today
    )
    assert judged[0].status is S.OVERDUE


@pytest.mark.parametrize(
    ("phrase", "issued_on", "horizon", "today", "dues"),
    [
        # a fixed day: due 15/12 each year, closed by the fourth quarter's report
        (
            "trước 15/12 hằng năm",
            D(2023, 3, 10),
            2025,
            D(2024, 1, 1),
            [D(2023, 12, 15), D(2024, 12, 15), D(2025, 12, 15)],
        ),
        ("Hằng quý", D(2024, 5, 1), 2024, D(2024, 1, 1), [D(2024, 9, 30), D(2024, 12, 31)]),
        # a monthly rhythm is judged by its quarter (reports are per quarter)
        ("Hằng tháng", D(2024, 5, 1), 2024, D(2024, 1, 1), [D(2024, 9, 30), D(2024, 12, 31)]),
        # a printed start later than the issue: no earlier occurrence
        (
            "Năm 2024 và các năm tiếp theo",
            D(2022, 1, 5),
            2025,
            D(2024, 1, 1),
            [D(2024, 12, 31), D(2025, 12, 31)],
        ),
        # no horizon: through the first occurrence due on or after today, and open-ended
        (
            "Hằng năm",
            D(2022, 12, 28),
            None,
            D(2025, 6, 15),
            [D(2023, 12, 31), D(2024, 12, 31), D(2025, 12, 31)],
        ),
        ("Hằng năm", D(2022, 12, 28), None, D(2024, 12, 31), [D(2023, 12, 31), D(2024, 12, 31)]),
        # a horizon that ends before the first occurrence owes nothing
        ("Hằng năm", D(2020, 11, 1), 2020, D(2021, 6, 1), []),
    ],
)
def test_schedules(
    phrase: str, issued_on: date, horizon: int | None, today: date, dues: list[date]
) -> None:
    plan = schedule(parse_deadline(phrase), issued_on=issued_on, horizon_year=horizon, today=today)
    assert [o.due_on for o in plan.occurrences] == dues
    assert plan.open_ended is (horizon is None)


def test_an_open_ended_duty_is_never_finished() -> None:
    today = D(2025, 12, 20)
    plan = schedule(
        parse_deadline("Hằng năm"), issued_on=D(2022, 12, 28), horizon_year=None, today=today
    )
    reports = [report(o.due_on, approved_on=D(o.due_on.year, 12, 10)) for o in plan.occurrences]
    judged = judge(plan.occurrences, reports, today)
    assert track_status(judged, today, open_ended=True) is S.DONE_ON_TIME  # 2025 met this quarter
    assert track_status(judged, D(2026, 1, 2), open_ended=True) is not S.DONE_ON_TIME


def test_nothing_owed_is_undetermined() -> None:
    assert track_status([], D(2025, 1, 1), open_ended=False) is S.UNDETERMINED
