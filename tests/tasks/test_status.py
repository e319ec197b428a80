"""Task status from (deadline phrase, completion date, today)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.deadlines import parse_deadline
from tasks.status import (
    Status,
    days_overdue,
    due_at_horizon,
    due_date,
    is_due,
    rollup,
    task_status,
)

S = Status
D = date

# (id, phrase, completed_on, today, expected)
CASES: list[tuple[str, str, date | None, date, Status]] = [
    # --- DATE: a quarter (seed 001 item 2, due 30/06/2022)
    (
        "q2-done-day-before",
        "Hoàn thành trong quý II năm 2022",
        D(2022, 6, 29),
        D(2022, 8, 1),
        S.DONE_ON_TIME,
    ),
    (
        "q2-done-on-due",
        "Hoàn thành trong quý II năm 2022",
        D(2022, 6, 30),
        D(2022, 8, 1),
        S.DONE_ON_TIME,
    ),
    (
        "q2-done-day-after",
        "Hoàn thành trong quý II năm 2022",
        D(2022, 7, 1),
        D(2022, 8, 1),
        S.DONE_LATE,
    ),
    ("q2-open-on-due", "Hoàn thành trong quý II năm 2022", None, D(2022, 6, 30), S.IN_PROGRESS),
    ("q2-open-day-after", "Hoàn thành trong quý II năm 2022", None, D(2022, 7, 1), S.OVERDUE),
    (
        "q2-open-first-day-of-q2",
        "Hoàn thành trong quý II năm 2022",
        None,
        D(2022, 4, 1),
        S.IN_PROGRESS,
    ),
    ("q2-open-last-day-of-q1", "Hoàn thành trong quý II năm 2022", None, D(2022, 3, 31), S.NOT_DUE),
    ("q2-done-early", "Quý II/2022", D(2021, 12, 1), D(2022, 1, 5), S.DONE_ON_TIME),
    # --- quarter ends
    ("q4-open-sep-30", "Hoàn thành trong quý IV năm 2022", None, D(2022, 9, 30), S.NOT_DUE),
    ("q4-open-oct-1", "Hoàn thành trong quý IV năm 2022", None, D(2022, 10, 1), S.IN_PROGRESS),
    ("q4-open-dec-31", "Hoàn thành trong quý IV năm 2022", None, D(2022, 12, 31), S.IN_PROGRESS),
    ("q4-open-jan-1", "Hoàn thành trong quý IV năm 2022", None, D(2023, 1, 1), S.OVERDUE),
    ("q3-latest-open", "Hoàn thành chậm nhất quý III năm 2023", None, D(2023, 7, 1), S.IN_PROGRESS),
    (
        "q3-latest-late",
        "Hoàn thành chậm nhất quý III năm 2023",
        D(2023, 10, 2),
        D(2023, 10, 5),
        S.DONE_LATE,
    ),
    ("year-open-q3", "Năm 2022", None, D(2022, 9, 30), S.NOT_DUE),
    ("year-open-q4", "Năm 2022", None, D(2022, 10, 1), S.IN_PROGRESS),
    ("horizon-open", "đến năm 2020", None, D(2021, 1, 1), S.OVERDUE),
    # --- DATE: a month (seed 001 item 1, due 30/04/2022)
    ("april-open-in-q2", "Hoàn thành trong tháng 4 năm 2022", None, D(2022, 4, 15), S.IN_PROGRESS),
    ("april-open-in-q1", "Hoàn thành trong tháng 4 năm 2022", None, D(2022, 3, 31), S.NOT_DUE),
    ("april-open-may", "Hoàn thành trong tháng 4 năm 2022", None, D(2022, 5, 1), S.OVERDUE),
    # --- leap years
    ("leap-done-feb-28", "tháng 2 năm 2024", D(2024, 2, 28), D(2024, 3, 5), S.DONE_ON_TIME),
    ("leap-done-feb-29", "tháng 2 năm 2024", D(2024, 2, 29), D(2024, 3, 5), S.DONE_ON_TIME),
    ("leap-done-mar-1", "tháng 2 năm 2024", D(2024, 3, 1), D(2024, 3, 5), S.DONE_LATE),
    ("leap-open-feb-29", "tháng 2 năm 2024", None, D(2024, 2, 29), S.IN_PROGRESS),
    ("leap-open-mar-1", "tháng 2 năm 2024", None, D(2024, 3, 1), S.OVERDUE),
    ("leap-open-dec-31", "tháng 2 năm 2024", None, D(2023, 12, 31), S.NOT_DUE),
    ("leap-before-day", "Trước ngày 29/02/2024", None, D(2024, 2, 29), S.IN_PROGRESS),
    ("before-day-late", "Trước ngày 30/6/2023", D(2023, 7, 1), D(2023, 8, 1), S.DONE_LATE),
    ("half-first-open", "6 tháng đầu năm 2024", None, D(2024, 7, 1), S.OVERDUE),
    ("half-last-open", "6 tháng cuối năm 2024", None, D(2024, 7, 1), S.NOT_DUE),
    # --- PERIOD
    ("period-open-midway", "2022-2025", None, D(2024, 6, 1), S.NOT_DUE),
    ("period-open-last-quarter", "2022-2025", None, D(2025, 10, 1), S.IN_PROGRESS),
    ("period-open-after", "2022-2025", None, D(2026, 1, 1), S.OVERDUE),
    ("period-done-last-day", "2022-2025", D(2025, 12, 31), D(2026, 3, 1), S.DONE_ON_TIME),
    ("period-done-late", "2023-2025", D(2026, 2, 1), D(2026, 3, 1), S.DONE_LATE),
    ("period-done-early", "2022-2030", D(2024, 5, 1), D(2024, 6, 1), S.DONE_ON_TIME),
    ("period-seed000-overdue", "giai đoạn 2016 - 2020", None, D(2021, 2, 1), S.OVERDUE),
    # --- RECURRING yearly without a start year: starts in today's year, never starts overdue
    ("yearly-open-may", "Hằng năm", None, D(2024, 5, 10), S.NOT_DUE),
    ("yearly-open-q4", "Hằng năm", None, D(2024, 11, 10), S.IN_PROGRESS),
    ("yearly-done-last-year-q4", "Hằng năm", D(2023, 11, 20), D(2024, 11, 10), S.IN_PROGRESS),
    ("yearly-done-last-year-may", "Hằng năm", D(2023, 11, 20), D(2024, 5, 10), S.NOT_DUE),
    ("yearly-done-this-year", "Hàng năm", D(2024, 10, 1), D(2024, 11, 10), S.DONE_ON_TIME),
    ("yearly-done-jan-1", "Hàng năm", D(2024, 1, 1), D(2024, 11, 10), S.DONE_ON_TIME),
    ("yearly-new-year-afresh", "Hàng năm", D(2024, 10, 1), D(2025, 1, 2), S.NOT_DUE),
    ("yearly-qualifier", "Hằng năm và theo quy định", None, D(2024, 12, 31), S.IN_PROGRESS),
    # --- RECURRING yearly with a start year: a missed year counts
    ("following-before-start", "Năm 2023 và các năm tiếp theo", None, D(2022, 6, 1), S.NOT_DUE),
    ("following-first-year", "Năm 2023 và các năm tiếp theo", None, D(2023, 6, 1), S.NOT_DUE),
    (
        "following-first-year-q4",
        "Năm 2023 và các năm tiếp theo",
        None,
        D(2023, 10, 1),
        S.IN_PROGRESS,
    ),
    ("following-missed-2023", "Năm 2023 và các năm tiếp theo", None, D(2024, 5, 10), S.OVERDUE),
    (
        "following-done-2023-may",
        "Năm 2023 và các năm tiếp theo",
        D(2023, 11, 20),
        D(2024, 5, 10),
        S.NOT_DUE,
    ),
    (
        "following-done-2023-not-2024",
        "Năm 2023 và các năm tiếp theo",
        D(2023, 11, 20),
        D(2024, 11, 10),
        S.IN_PROGRESS,
    ),
    (
        "following-done-2023-missed-2024",
        "Năm 2023 và các năm tiếp theo",
        D(2023, 11, 20),
        D(2025, 1, 2),
        S.OVERDUE,
    ),
    (
        "following-done-before-window",
        "Năm 2023 và các năm tiếp theo",
        D(2022, 12, 1),
        D(2024, 5, 10),
        S.OVERDUE,
    ),
    (
        "following-done-2024",
        "Năm 2023 và các năm tiếp theo",
        D(2024, 2, 1),
        D(2024, 5, 10),
        S.DONE_ON_TIME,
    ),
    # --- RECURRING half-yearly (seed 000 IV.2.c)
    ("half-yearly-q1", "Định kỳ 6 tháng, hàng năm", None, D(2024, 3, 1), S.NOT_DUE),
    ("half-yearly-q2", "Định kỳ 6 tháng, hàng năm", None, D(2024, 5, 1), S.IN_PROGRESS),
    ("half-yearly-missed-h1", "Định kỳ 6 tháng, hàng năm", None, D(2024, 7, 1), S.OVERDUE),
    (
        "half-yearly-h1-done-q3",
        "Định kỳ 6 tháng, hàng năm",
        D(2024, 6, 20),
        D(2024, 7, 1),
        S.NOT_DUE,
    ),
    (
        "half-yearly-h1-done-q4",
        "Định kỳ 6 tháng, hàng năm",
        D(2024, 6, 20),
        D(2024, 10, 5),
        S.IN_PROGRESS,
    ),
    (
        "half-yearly-h2-done",
        "Định kỳ 6 tháng, hàng năm",
        D(2024, 7, 1),
        D(2024, 7, 2),
        S.DONE_ON_TIME,
    ),
    ("half-yearly-stale", "Định kỳ 6 tháng, hàng năm", D(2023, 12, 20), D(2024, 7, 1), S.OVERDUE),
    # --- RECURRING quarterly, monthly, fixed day
    ("quarterly-jan", "Hằng quý", None, D(2024, 1, 15), S.IN_PROGRESS),
    ("quarterly-missed-q1", "Hằng quý", None, D(2024, 4, 2), S.OVERDUE),
    ("quarterly-q1-done", "Hằng quý", D(2024, 3, 30), D(2024, 4, 2), S.IN_PROGRESS),
    ("monthly-missed-feb", "Hằng tháng", D(2024, 1, 31), D(2024, 3, 1), S.OVERDUE),
    ("monthly-feb-done-leap", "Hằng tháng", D(2024, 2, 29), D(2024, 3, 1), S.IN_PROGRESS),
    ("fixed-day-q4", "trước 15/12 hằng năm", None, D(2024, 12, 1), S.IN_PROGRESS),
    ("fixed-day-missed", "trước 15/12 hằng năm", None, D(2024, 12, 16), S.OVERDUE),
    ("fixed-day-done", "trước 15/12 hằng năm", D(2024, 12, 10), D(2024, 12, 16), S.NOT_DUE),
    (
        "fixed-day-window-16-12",
        "trước 15/12 hằng năm",
        D(2024, 12, 16),
        D(2024, 12, 20),
        S.DONE_ON_TIME,
    ),
    # --- EVENT without event_on
    (
        "event-waiting",
        "Sau khi Thủ tướng Chính phủ phê duyệt",
        None,
        D(2023, 6, 1),
        S.AWAITING_EVENT,
    ),
    (
        "event-done-before-recorded",
        "Sau khi Thủ tướng Chính phủ phê duyệt",
        D(2023, 5, 1),
        D(2023, 6, 1),
        S.DONE_ON_TIME,
    ),
    # --- ONGOING, UNKNOWN
    ("ongoing", "Thường xuyên", None, D(2024, 6, 1), S.ONGOING),
    ("ongoing-completed", "Thường xuyên, liên tục", D(2024, 1, 1), D(2024, 6, 1), S.ONGOING),
    ("unknown", "Sớm nhất có thể", None, D(2024, 6, 1), S.UNDETERMINED),
    ("unknown-empty", "", None, D(2024, 6, 1), S.UNDETERMINED),
    ("unknown-invalid", "Trước ngày 31/02/2026", None, D(2026, 6, 1), S.UNDETERMINED),
    ("unknown-completed", "abc", D(2024, 5, 1), D(2024, 6, 1), S.DONE_ON_TIME),
]


@pytest.mark.parametrize(
    ("phrase", "completed_on", "today", "expected"),
    [row[1:] for row in CASES],
    ids=[row[0] for row in CASES],
)
def test_task_status(phrase: str, completed_on: date | None, today: date, expected: Status) -> None:
    deadline = parse_deadline(phrase)
    assert task_status(deadline, completed_on=completed_on, today=today) is expected


EVENT = "Sau khi Thủ tướng Chính phủ phê duyệt"
DUE = D(2023, 4, 10)  # the due date the recorded event set


@pytest.mark.parametrize(
    ("event_due_on", "completed_on", "today", "expected"),
    [
        (None, None, D(2030, 1, 1), S.AWAITING_EVENT),  # no delay invented: it waits
        (DUE, None, D(2023, 4, 10), S.IN_PROGRESS),
        (DUE, None, D(2023, 4, 11), S.OVERDUE),
        (DUE, D(2023, 4, 10), D(2023, 5, 1), S.DONE_ON_TIME),
        (DUE, D(2023, 4, 11), D(2023, 5, 1), S.DONE_LATE),
        (DUE, None, D(2023, 3, 1), S.NOT_DUE),
        (D(2023, 2, 15), None, D(2023, 2, 15), S.IN_PROGRESS),
    ],
    ids=["waiting", "on-due", "day-after", "done-on-due", "done-late", "next-quarter", "same-day"],
)
def test_event_status(
    event_due_on: date | None,
    completed_on: date | None,
    today: date,
    expected: Status,
) -> None:
    status = task_status(
        parse_deadline(EVENT),
        completed_on=completed_on,
        today=today,
        event_due_on=event_due_on,
    )
    assert status is expected


def test_an_event_task_waits_however_long_ago_the_event_was() -> None:
    deadline = parse_deadline(EVENT)
    assert due_date(deadline, completed_on=None, today=D(2040, 1, 1)) is None
    assert task_status(deadline, completed_on=None, today=D(2040, 1, 1)) is S.AWAITING_EVENT


@pytest.mark.parametrize(
    ("phrase", "horizon", "today", "expected", "due"),
    [
        ("", 2030, D(2026, 6, 1), S.NOT_DUE, D(2030, 12, 31)),
        ("", 2030, D(2030, 10, 1), S.IN_PROGRESS, D(2030, 12, 31)),
        ("", 2020, D(2025, 6, 1), S.OVERDUE, D(2020, 12, 31)),
        ("-", 2020, D(2025, 6, 1), S.OVERDUE, D(2020, 12, 31)),  # an empty table cell
        ("", None, D(2025, 6, 1), S.UNDETERMINED, None),  # no horizon: flagged, not guessed
        ("Sớm nhất có thể", 2030, D(2025, 6, 1), S.UNDETERMINED, None),  # unreadable stays so
        ("Quý II/2022", 2030, D(2025, 6, 1), S.OVERDUE, D(2022, 6, 30)),  # printed wins
    ],
)
def test_a_task_without_deadline_is_due_at_its_documents_horizon(
    phrase: str, horizon: int | None, today: date, expected: Status, due: date | None
) -> None:
    deadline = due_at_horizon(parse_deadline(phrase), horizon)
    assert task_status(deadline, completed_on=None, today=today) is expected
    assert deadline.due_on == due
    if phrase in ("", "-") and horizon:
        assert deadline.normalized == f"Theo thời hạn của văn bản (năm {horizon})"


# --------------------------------------------------------------- days overdue


@pytest.mark.parametrize(
    ("phrase", "completed_on", "today", "days"),
    [
        ("Hoàn thành trong quý II năm 2022", None, D(2022, 7, 1), 1),
        ("Hoàn thành trong quý II năm 2022", None, D(2022, 6, 30), 0),
        ("Hoàn thành trong quý II năm 2022", D(2022, 8, 1), D(2022, 9, 1), 0),
        ("tháng 2 năm 2024", None, D(2024, 3, 31), 31),
        ("2022-2025", None, D(2026, 1, 10), 10),
        ("Năm 2023 và các năm tiếp theo", None, D(2024, 5, 10), 131),
        ("Định kỳ 6 tháng, hàng năm", None, D(2024, 7, 1), 1),
        ("Hằng năm", None, D(2024, 11, 10), 0),
        ("Thường xuyên", None, D(2024, 11, 10), 0),
        ("abc", None, D(2024, 11, 10), 0),
    ],
    ids=[
        "q2",
        "q2-on-due",
        "done-late",
        "leap",
        "period",
        "following",
        "half",
        "yearly",
        "ongoing",
        "unknown",
    ],
)
def test_days_overdue(phrase: str, completed_on: date | None, today: date, days: int) -> None:
    deadline = parse_deadline(phrase)
    assert days_overdue(deadline, completed_on=completed_on, today=today) == days


def test_days_overdue_of_an_event() -> None:
    deadline = parse_deadline(EVENT)
    kwargs = {"completed_on": None, "today": D(2023, 4, 20)}
    assert days_overdue(deadline, **kwargs) == 0  # type: ignore[arg-type]
    assert days_overdue(deadline, event_due_on=DUE, **kwargs) == 10  # type: ignore[arg-type]


# --------------------------------------------------------------- is_due


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_is_due_is_the_four_grid_statuses(status: Status) -> None:
    grid = {S.DONE_ON_TIME, S.DONE_LATE, S.OVERDUE, S.IN_PROGRESS}
    assert is_due(status) is (status in grid)


# --------------------------------------------------------------- rollup

# Seed 001 item 7: "Tỉnh uỷ các địa phương trong vùng" -> 14 tracks, due quý III/2022.
PROVINCES = [
    "Hà Giang",
    "Cao Bằng",
    "Bắc Kạn",
    "Lạng Sơn",
    "Tuyên Quang",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Giang",
    "Lào Cai",
    "Yên Bái",
    "Điện Biên",
    "Lai Châu",
    "Sơn La",
    "Hòa Bình",
]
ITEM_7 = parse_deadline("Hoàn thành trong quý III năm 2022")


def _tracks(completions: dict[str, date | None], today: date) -> list[Status]:
    return [
        task_status(ITEM_7, completed_on=completions[province], today=today)
        for province in PROVINCES
    ]


def _completions(open_province: str | None, late: date | None = None) -> dict[str, date | None]:
    done: dict[str, date | None] = {p: D(2022, 9, 1 + i) for i, p in enumerate(PROVINCES)}
    if late is not None:
        done["Lai Châu"] = late  # 26-CTr/TU was issued 28/12/2022
    if open_province is not None:
        done[open_province] = None
    return done


def test_rollup_of_14_tracks_with_one_open_in_the_quarter() -> None:
    statuses = _tracks(_completions("Sơn La"), today=D(2022, 9, 20))
    assert len(statuses) == 14
    assert statuses.count(S.DONE_ON_TIME) == 13
    assert rollup(statuses) is S.IN_PROGRESS


def test_rollup_of_14_tracks_with_one_open_after_the_due_date() -> None:
    statuses = _tracks(_completions("Sơn La", late=D(2022, 12, 28)), today=D(2022, 12, 29))
    assert statuses.count(S.DONE_LATE) == 1
    assert rollup(statuses) is S.OVERDUE


def test_rollup_of_14_tracks_all_done() -> None:
    assert rollup(_tracks(_completions(None), today=D(2023, 1, 5))) is S.DONE_ON_TIME
    late = _tracks(_completions(None, late=D(2022, 12, 28)), today=D(2023, 1, 5))
    assert rollup(late) is S.DONE_LATE


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], S.UNDETERMINED),
        ([S.DONE_ON_TIME], S.DONE_ON_TIME),
        ([S.DONE_ON_TIME, S.DONE_LATE], S.DONE_LATE),
        ([S.DONE_LATE, S.ONGOING], S.ONGOING),
        ([S.ONGOING, S.UNDETERMINED], S.UNDETERMINED),
        ([S.UNDETERMINED, S.AWAITING_EVENT], S.AWAITING_EVENT),
        ([S.AWAITING_EVENT, S.NOT_DUE], S.NOT_DUE),
        ([S.NOT_DUE, S.IN_PROGRESS, S.DONE_ON_TIME], S.IN_PROGRESS),
        ([S.IN_PROGRESS, S.OVERDUE, S.DONE_LATE], S.OVERDUE),
        ([S.ONGOING, S.ONGOING], S.ONGOING),
    ],
    ids=[
        "empty",
        "one-done",
        "one-late",
        "done-and-ongoing",
        "undetermined",
        "awaiting",
        "not-due",
        "in-progress",
        "overdue",
        "all-ongoing",
    ],
)
def test_rollup_order(statuses: list[Status], expected: Status) -> None:
    assert rollup(statuses) is expected


# --------------------------------------------------------------- properties

_phrases = st.sampled_from([row[1] for row in CASES] + [EVENT, "Hằng tháng", "Hằng quý"])
_dates = st.dates(min_value=D(1945, 1, 1), max_value=D(2100, 12, 31))


@given(
    _phrases,
    st.one_of(st.none(), _dates),
    _dates,
    st.one_of(st.none(), _dates),
)
def test_status_is_total_and_consistent(
    phrase: str,
    completed_on: date | None,
    today: date,
    event_due_on: date | None,
) -> None:
    deadline = parse_deadline(phrase)
    kwargs = {
        "completed_on": completed_on,
        "today": today,
        "event_due_on": event_due_on,
    }
    status = task_status(deadline, **kwargs)  # type: ignore[arg-type]
    days = days_overdue(deadline, **kwargs)  # type: ignore[arg-type]
    assert (days > 0) is (status is S.OVERDUE)
    if status is S.OVERDUE:
        assert completed_on is None or deadline.kind.value == "recurring"
    if completed_on is None:
        assert status not in (S.DONE_ON_TIME, S.DONE_LATE)


@given(st.lists(st.sampled_from(list(Status)), max_size=20))
def test_rollup_is_done_only_when_every_track_is_done(statuses: list[Status]) -> None:
    result = rollup(statuses)
    all_done = bool(statuses) and all(s in (S.DONE_ON_TIME, S.DONE_LATE) for s in statuses)
    assert (result in (S.DONE_ON_TIME, S.DONE_LATE)) is all_done
    assert result in statuses or not statuses
