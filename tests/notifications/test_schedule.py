"""The reminder date math as tables: no database, no clock."""

from __future__ import annotations

from datetime import date

import pytest

from notifications.schedule import (
    is_occurrence,
    occurrence_done,
    offset_window,
    report_period,
    report_reminders,
    track_reminders,
    week_start,
)
from tasks.deadlines import parse_deadline

OFFSETS = (30, 14, 7, 1)
D = date


ISSUED = D(2026, 1, 5)


def owed(text, today, completed_on=None, event_due_on=None):
    deadline = parse_deadline(text, ISSUED)
    return [
        (r.kind, r.due_on, r.offset, r.days_left)
        for r in track_reminders(
            deadline,
            completed_on=completed_on,
            today=today,
            offsets=OFFSETS,
            overdue_window=7,
            event_due_on=event_due_on,
        )
    ]


@pytest.mark.parametrize(
    ("days_left", "window"),
    [
        (31, None),
        (30, 30),
        (29, 30),
        (15, 30),
        (14, 14),
        (8, 14),
        (7, 7),
        (2, 7),
        (1, 1),
        (0, 1),
        (-1, None),
    ],
)
def test_offset_window_is_the_tightest_window_reached(days_left, window):
    assert offset_window(days_left, OFFSETS) == window


QUARTER_END = "Hoàn thành trong quý II năm 2026"  # due 30/06/2026


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 5, 30), []),  # 31 days ahead: outside every window
        (D(2026, 5, 31), [("due_soon", D(2026, 6, 30), 30, 30)]),
        (D(2026, 6, 1), [("due_soon", D(2026, 6, 30), 30, 29)]),  # same window, same key
        (D(2026, 6, 16), [("due_soon", D(2026, 6, 30), 14, 14)]),
        (D(2026, 6, 23), [("due_soon", D(2026, 6, 30), 7, 7)]),
        (D(2026, 6, 29), [("due_soon", D(2026, 6, 30), 1, 1)]),
        (D(2026, 6, 30), [("due_soon", D(2026, 6, 30), 1, 0)]),  # due today
        (D(2026, 7, 1), [("overdue", D(2026, 6, 30), 0, -1)]),  # has just fallen overdue
        (D(2026, 7, 7), [("overdue", D(2026, 6, 30), 0, -7)]),  # a missed week is caught up
        (D(2026, 7, 8), []),  # older: only the reviewers' weekly digest lists it
    ],
)
def test_a_quarter_end_deadline(today, expected):
    assert owed(QUARTER_END, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # Leap years: "Tháng 2/2024" is due 29/02/2024, "Tháng 2/2025" on 28/02/2025.
        (
            "Hoàn thành trong tháng 2 năm 2024",
            D(2024, 1, 30),
            [("due_soon", D(2024, 2, 29), 30, 30)],
        ),
        ("Hoàn thành trong tháng 2 năm 2024", D(2024, 2, 28), [("due_soon", D(2024, 2, 29), 1, 1)]),
        ("Hoàn thành trong tháng 2 năm 2024", D(2024, 3, 1), [("overdue", D(2024, 2, 29), 0, -1)]),
        ("Hoàn thành trong tháng 2 năm 2025", D(2025, 2, 21), [("due_soon", D(2025, 2, 28), 7, 7)]),
        ("Hoàn thành trong tháng 2 năm 2025", D(2025, 3, 1), [("overdue", D(2025, 2, 28), 0, -1)]),
        # Year ends and periods are due on their last day.
        ("Năm 2026", D(2026, 12, 17), [("due_soon", D(2026, 12, 31), 14, 14)]),
        ("2022-2025", D(2025, 12, 24), [("due_soon", D(2025, 12, 31), 7, 7)]),
        ("Trước ngày 30/6/2023", D(2023, 6, 29), [("due_soon", D(2023, 6, 30), 1, 1)]),
        # Recurring: the current occurrence.
        ("Hằng năm", D(2026, 12, 1), [("due_soon", D(2026, 12, 31), 30, 30)]),
        ("Trước 15/12 hằng năm", D(2026, 12, 8), [("due_soon", D(2026, 12, 15), 7, 7)]),
        ("Định kỳ 6 tháng, hàng năm", D(2026, 6, 1), [("due_soon", D(2026, 6, 30), 30, 29)]),
        ("Định kỳ 6 tháng, hàng năm", D(2026, 12, 30), [("due_soon", D(2026, 12, 31), 1, 1)]),
        ("Hằng quý", D(2026, 9, 23), [("due_soon", D(2026, 9, 30), 7, 7)]),
        # A yearly duty from 2023 whose 2026 occurrence was missed, three days on.
        ("Năm 2023 và các năm tiếp theo", D(2027, 1, 3), [("overdue", D(2026, 12, 31), 0, -3)]),
        # 29/02 every year falls on 28/02 in a common year.
        ("Trước ngày 29/02 hằng năm", D(2027, 2, 27), [("due_soon", D(2027, 2, 28), 1, 1)]),
        ("Trước ngày 29/02 hằng năm", D(2028, 2, 28), [("due_soon", D(2028, 2, 29), 1, 1)]),
        # Undated: nobody is reminded.
        ("Sau khi Thủ tướng Chính phủ phê duyệt", D(2026, 6, 23), []),
        ("Thường xuyên", D(2026, 12, 30), []),
        ("Khi nào xong thì báo", D(2026, 6, 23), []),
        ("", D(2026, 6, 23), []),
    ],
)
def test_deadline_kinds(text, today, expected):
    assert owed(text, today) == expected


def test_an_event_is_dated_once_recorded():
    text = "Sau khi Thủ tướng Chính phủ phê duyệt"
    # waiting for the event: nothing is owed, whatever the day
    assert owed(text, D(2026, 4, 3)) == []
    # due on the date the recorded event set (no delay invented)
    assert owed(text, D(2026, 4, 3), event_due_on=D(2026, 4, 10)) == [
        ("due_soon", D(2026, 4, 10), 7, 7)
    ]


@pytest.mark.parametrize(
    ("text", "today", "completed_on", "expected"),
    [
        # Completed the day before: nothing before the deadline, nothing after it.
        (QUARTER_END, D(2026, 6, 23), D(2026, 6, 22), []),
        (QUARTER_END, D(2026, 7, 1), D(2026, 6, 30), []),
        # Completed late, the day before the scan: it is no longer overdue.
        (QUARTER_END, D(2026, 7, 3), D(2026, 7, 2), []),
        # A yearly duty done for this year is not reminded again...
        ("Hằng năm", D(2026, 12, 1), D(2026, 11, 30), []),
        # ...but last year's completion does not count for this year's occurrence.
        ("Hằng năm", D(2026, 12, 1), D(2025, 12, 20), [("due_soon", D(2026, 12, 31), 30, 30)]),
        # A half-yearly duty done on 30/06 still owes the December occurrence.
        (
            "Định kỳ 6 tháng, hàng năm",
            D(2026, 12, 24),
            D(2026, 6, 30),
            [("due_soon", D(2026, 12, 31), 7, 7)],
        ),
        ("Định kỳ 6 tháng, hàng năm", D(2026, 12, 24), D(2026, 12, 23), []),
    ],
)
def test_completed_tracks(text, today, completed_on, expected):
    assert owed(text, today, completed_on=completed_on) == expected


def test_occurrence_checks():
    yearly = parse_deadline("Hằng năm")
    assert is_occurrence(yearly, D(2026, 12, 31))
    assert not is_occurrence(yearly, D(2026, 6, 30))
    dated = parse_deadline("Quý II/2026")
    assert is_occurrence(dated, D(2026, 6, 30))
    assert not is_occurrence(dated, D(2026, 9, 30))  # the deadline was moved
    assert occurrence_done(yearly, D(2026, 1, 1), D(2026, 12, 31))
    assert not occurrence_done(yearly, D(2025, 12, 31), D(2026, 12, 31))
    assert occurrence_done(dated, D(2026, 8, 1), D(2026, 6, 30))  # late still settles it


@pytest.mark.parametrize(
    ("year", "quarter", "data_from", "data_to", "due_on"),
    [
        (2026, 1, D(2025, 12, 15), D(2026, 3, 14), D(2026, 3, 25)),
        (2026, 2, D(2026, 3, 15), D(2026, 6, 14), D(2026, 6, 25)),
        (2026, 3, D(2026, 6, 15), D(2026, 9, 14), D(2026, 9, 25)),
        (2026, 4, D(2026, 9, 15), D(2026, 12, 14), D(2026, 12, 25)),
        (2024, 1, D(2023, 12, 15), D(2024, 3, 14), D(2024, 3, 25)),
    ],
)
def test_report_periods_follow_decree_09_windows(year, quarter, data_from, data_to, due_on):
    period = report_period(year, quarter)
    assert (period.data_from, period.data_to, period.due_on) == (data_from, data_to, due_on)


def test_report_period_due_day_is_clamped_to_the_month():
    assert report_period(2026, 2, due_day=31).due_on == D(2026, 6, 30)
    assert report_period(2026, 2).label == "quý II/2026 (kèm báo cáo 6 tháng)"
    assert report_period(2026, 4).label == "quý IV/2026 (kèm báo cáo năm)"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 14), None),  # cut-off day: figures not final yet
        (D(2026, 3, 15), (2026, 1, 10)),  # the day after the cut-off
        (D(2026, 3, 20), (2026, 1, 10)),  # a missed scan is caught up in the same window
        (D(2026, 3, 24), (2026, 1, 1)),
        (D(2026, 3, 25), (2026, 1, 1)),  # due today
        (D(2026, 3, 26), None),  # next: Q2, due 25/06
        (D(2026, 6, 15), (2026, 2, 10)),
        (D(2026, 12, 15), (2026, 4, 10)),
        (D(2026, 12, 26), None),  # next: Q1/2027
        (D(2028, 3, 15), (2028, 1, 10)),  # leap year: no change to the March window
    ],
)
def test_quarter_report_reminders(today, expected):
    found = report_reminders(today, (10, 1))
    got = [(p.year, p.quarter, offset) for p, offset in found]
    assert got == ([expected] if expected else [])


def test_week_start_is_monday():
    assert week_start(D(2026, 11, 22)) == D(2026, 11, 16)  # a Sunday
    assert week_start(D(2026, 11, 16)) == D(2026, 11, 16)
