"""Deadline phrases from the seeds (and the ways officials write them) -> typed deadlines."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.vietnamese import nfc
from tasks.deadlines import (
    MAX_YEAR,
    MIN_YEAR,
    Deadline,
    DeadlineKind,
    Recurrence,
    current_due,
    month_end,
    occurrences,
    parse_deadline,
    previous_due,
)

K = DeadlineKind
R = Recurrence
D = date


def _fields(deadline: Deadline) -> dict[str, Any]:
    values = dataclasses.asdict(deadline)
    values.pop("text")
    return values


# phrase -> the fields that must hold (others are not checked here)
DATED: list[tuple[str, str, dict[str, Any]]] = [
    # seed 001
    (
        "seed001-1",
        "Hoàn thành trong tháng 4 năm 2022",
        {
            "kind": K.DATE,
            "due_on": D(2022, 4, 30),
            "at_latest": False,
            "normalized": "Tháng 4/2022",
        },
    ),
    (
        "seed001-2",
        "Hoàn thành trong quý II năm 2022",
        {"kind": K.DATE, "due_on": D(2022, 6, 30), "normalized": "Quý II/2022"},
    ),
    (
        "seed001-3",
        "Hoàn thành chậm nhất quý III năm 2023",
        {"kind": K.DATE, "due_on": D(2023, 9, 30), "at_latest": True, "normalized": "Quý III/2023"},
    ),
    (
        "seed001-4",
        "Hoàn thành trong quý IV năm 2022",
        {"kind": K.DATE, "due_on": D(2022, 12, 31), "normalized": "Quý IV/2022"},
    ),
    (
        "seed001-trailing-dot",
        "Hoàn thành trong quý II năm 2023.",
        {"kind": K.DATE, "due_on": D(2023, 6, 30)},
    ),
    (
        "seed001-label",
        "- Thời gian thực hiện: Hoàn thành trong quý III năm 2022.",
        {"kind": K.DATE, "due_on": D(2022, 9, 30), "normalized": "Quý III/2022"},
    ),
    # seed 004
    (
        "seed004-year",
        "Năm 2022",
        {"kind": K.DATE, "due_on": D(2022, 12, 31), "normalized": "Năm 2022"},
    ),
    (
        "seed004-q1",
        "Quý I năm 2023",
        {"kind": K.DATE, "due_on": D(2023, 3, 31), "normalized": "Quý I/2023"},
    ),
    # seed 000 horizons
    (
        "horizon-lower",
        "đến năm 2020",
        {"kind": K.DATE, "due_on": D(2020, 12, 31), "normalized": "Đến năm 2020"},
    ),
    (
        "horizon-upper",
        "Đến năm 2030",
        {"kind": K.DATE, "due_on": D(2030, 12, 31), "normalized": "Đến năm 2030"},
    ),
    ("in-year", "Trong năm 2024", {"kind": K.DATE, "due_on": D(2024, 12, 31)}),
    ("end-of-year", "Cuối năm 2024", {"kind": K.DATE, "due_on": D(2024, 12, 31)}),
    # months
    (
        "month-slash",
        "Tháng 10/2022",
        {"kind": K.DATE, "due_on": D(2022, 10, 31), "normalized": "Tháng 10/2022"},
    ),
    ("month-leap", "tháng 2 năm 2024", {"kind": K.DATE, "due_on": D(2024, 2, 29)}),
    ("month-not-leap", "tháng 2 năm 2023", {"kind": K.DATE, "due_on": D(2023, 2, 28)}),
    ("month-century-leap", "Tháng 02/2000", {"kind": K.DATE, "due_on": D(2000, 2, 29)}),
    ("month-dash", "tháng 6-2023", {"kind": K.DATE, "due_on": D(2023, 6, 30)}),
    ("month-by-end", "Đến hết tháng 6 năm 2023", {"kind": K.DATE, "due_on": D(2023, 6, 30)}),
    # quarters, Roman or Arabic, with or without "Hoàn thành", "trong"
    ("quarter-slash", "Quý II/2022", {"kind": K.DATE, "due_on": D(2022, 6, 30)}),
    (
        "quarter-arabic",
        "quý 2 năm 2022",
        {"kind": K.DATE, "due_on": D(2022, 6, 30), "normalized": "Quý II/2022"},
    ),
    ("quarter-arabic-slash", "Quý 4/2023", {"kind": K.DATE, "due_on": D(2023, 12, 31)}),
    ("quarter-in", "trong quý III năm 2024", {"kind": K.DATE, "due_on": D(2024, 9, 30)}),
    ("quarter-caps", "QUÝ IV NĂM 2022", {"kind": K.DATE, "due_on": D(2022, 12, 31)}),
    ("quarter-spaced-slash", "Quý I / 2025", {"kind": K.DATE, "due_on": D(2025, 3, 31)}),
    (
        "quarter-latest-in",
        "Chậm nhất trong quý I/2024",
        {"kind": K.DATE, "due_on": D(2024, 3, 31), "at_latest": True},
    ),
    (
        "quarter-muon-nhat",
        "Hoàn thành muộn nhất quý 3/2023",
        {"kind": K.DATE, "due_on": D(2023, 9, 30), "at_latest": True},
    ),
    # days
    (
        "before-day",
        "Trước ngày 30/6/2023",
        {"kind": K.DATE, "due_on": D(2023, 6, 30), "at_latest": True, "normalized": "30/06/2023"},
    ),
    ("day-word", "ngày 15/3/2024", {"kind": K.DATE, "due_on": D(2024, 3, 15), "at_latest": False}),
    ("day-plain", "30/06/2023", {"kind": K.DATE, "due_on": D(2023, 6, 30)}),
    ("day-dots", "30.6.2023", {"kind": K.DATE, "due_on": D(2023, 6, 30)}),
    ("day-dashes", "30-06-2023", {"kind": K.DATE, "due_on": D(2023, 6, 30)}),
    ("day-iso", "2026-01-15", {"kind": K.DATE, "due_on": D(2026, 1, 15)}),
    (
        "day-words",
        "ngày 15 tháng 3 năm 2024",
        {"kind": K.DATE, "due_on": D(2024, 3, 15), "normalized": "15/03/2024"},
    ),
    (
        "day-leap",
        "Trước ngày 29/02/2024",
        {"kind": K.DATE, "due_on": D(2024, 2, 29), "at_latest": True},
    ),
    (
        "day-finish-before",
        "Hoàn thành trước ngày 31/12/2025",
        {"kind": K.DATE, "due_on": D(2025, 12, 31), "at_latest": True},
    ),
    # half-years
    (
        "half-first",
        "6 tháng đầu năm 2024",
        {"kind": K.DATE, "due_on": D(2024, 6, 30), "normalized": "6 tháng đầu năm 2024"},
    ),
    (
        "half-last",
        "6 tháng cuối năm 2024",
        {"kind": K.DATE, "due_on": D(2024, 12, 31), "normalized": "6 tháng cuối năm 2024"},
    ),
    ("half-nua", "Nửa đầu năm 2025", {"kind": K.DATE, "due_on": D(2025, 6, 30)}),
]

RECURRING: list[tuple[str, str, dict[str, Any]]] = [
    (
        "seed004-hang",
        "Hàng năm",
        {
            "kind": K.RECURRING,
            "recurrence": R.YEARLY,
            "recurrences": (R.YEARLY,),
            "starts_on": None,
            "due_on": None,
            "extra": "",
            "normalized": "Hằng năm",
        },
    ),
    (
        "seed004-hang-2",
        "Hằng năm",
        {"kind": K.RECURRING, "recurrence": R.YEARLY, "starts_on": None, "due_on": None},
    ),
    ("lower-hang", "hàng năm", {"kind": K.RECURRING, "recurrence": R.YEARLY}),
    ("lower-hang-2", "hằng năm", {"kind": K.RECURRING, "recurrence": R.YEARLY}),
    (
        "nfd-hang",
        unicodedata.normalize("NFD", "Hằng năm"),
        {"kind": K.RECURRING, "recurrence": R.YEARLY},
    ),
    (
        "seed004-qualifier",
        "Hằng năm và theo quy định",
        {
            "kind": K.RECURRING,
            "recurrence": R.YEARLY,
            "recurrences": (R.YEARLY,),
            "extra": "theo quy định",
            "normalized": "Hằng năm",
        },
    ),
    (
        "seed000-IV.2.c",
        "Định kỳ 6 tháng, hàng năm",
        {
            "kind": K.RECURRING,
            "recurrence": R.HALF_YEARLY,
            "recurrences": (R.HALF_YEARLY, R.YEARLY),
            "normalized": "Định kỳ 6 tháng, hằng năm",
        },
    ),
    ("seed001-yearly", "định kỳ hằng năm", {"kind": K.RECURRING, "recurrence": R.YEARLY}),
    (
        "quarterly",
        "Hằng quý",
        {"kind": K.RECURRING, "recurrence": R.QUARTERLY, "recurrences": (R.QUARTERLY,)},
    ),
    ("quarterly-hang", "hàng quý", {"kind": K.RECURRING, "recurrence": R.QUARTERLY}),
    ("quarterly-dinh-ky", "định kỳ hằng quý", {"kind": K.RECURRING, "recurrence": R.QUARTERLY}),
    (
        "monthly",
        "Hằng tháng",
        {"kind": K.RECURRING, "recurrence": R.MONTHLY, "normalized": "Hằng tháng"},
    ),
    ("half-mot-lan", "6 tháng một lần", {"kind": K.RECURRING, "recurrence": R.HALF_YEARLY}),
    (
        "half-dinh-ky",
        "định kỳ 6 tháng",
        {"kind": K.RECURRING, "recurrence": R.HALF_YEARLY, "recurrences": (R.HALF_YEARLY,)},
    ),
    (
        "quarterly-and-yearly",
        "Hằng quý, hằng năm",
        {"kind": K.RECURRING, "recurrence": R.QUARTERLY, "recurrences": (R.QUARTERLY, R.YEARLY)},
    ),
    (
        "yearly-ad-hoc",
        "Định kỳ hằng năm và đột xuất",
        {"kind": K.RECURRING, "recurrence": R.YEARLY, "extra": "đột xuất"},
    ),
    (
        "fixed-day",
        "trước 15/12 hằng năm",
        {
            "kind": K.RECURRING,
            "recurrence": R.YEARLY,
            "day_of_year": (12, 15),
            "at_latest": True,
            "normalized": "Trước 15/12 hằng năm",
        },
    ),
    (
        "fixed-day-after",
        "Hằng năm, trước ngày 20/11",
        {"kind": K.RECURRING, "recurrence": R.YEARLY, "day_of_year": (11, 20), "at_latest": True},
    ),
    (
        "following-years",
        "Năm 2023 và các năm tiếp theo",
        {
            "kind": K.RECURRING,
            "recurrence": R.YEARLY,
            "starts_on": D(2023, 1, 1),
            "due_on": D(2023, 12, 31),
            "normalized": "Hằng năm từ năm 2023",
        },
    ),
    (
        "yearly-from",
        "Hằng năm từ năm 2024",
        {"kind": K.RECURRING, "starts_on": D(2024, 1, 1), "due_on": D(2024, 12, 31)},
    ),
]

PERIODS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "seed004-2022-2025",
        "2022-2025",
        {
            "kind": K.PERIOD,
            "starts_on": D(2022, 1, 1),
            "due_on": D(2025, 12, 31),
            "normalized": "2022-2025",
        },
    ),
    (
        "seed004-2023-2025",
        "2023-2025",
        {"kind": K.PERIOD, "starts_on": D(2023, 1, 1), "due_on": D(2025, 12, 31)},
    ),
    (
        "seed004-2022-2030",
        "2022-2030",
        {"kind": K.PERIOD, "starts_on": D(2022, 1, 1), "due_on": D(2030, 12, 31)},
    ),
    (
        "spaced",
        "2022 - 2030",
        {
            "kind": K.PERIOD,
            "starts_on": D(2022, 1, 1),
            "due_on": D(2030, 12, 31),
            "normalized": "2022-2030",
        },
    ),
    (
        "seed000-giai-doan",
        "giai đoạn 2016 - 2020",
        {
            "kind": K.PERIOD,
            "starts_on": D(2016, 1, 1),
            "due_on": D(2020, 12, 31),
            "normalized": "2016-2020",
        },
    ),
    (
        "giai-doan-caps",
        "Giai đoạn 2021-2025",
        {"kind": K.PERIOD, "starts_on": D(2021, 1, 1), "due_on": D(2025, 12, 31)},
    ),
    (
        "en-dash",
        "2022–2025",
        {"kind": K.PERIOD, "starts_on": D(2022, 1, 1), "due_on": D(2025, 12, 31)},
    ),
    (
        "from-to",
        "Từ năm 2022 đến năm 2025",
        {"kind": K.PERIOD, "starts_on": D(2022, 1, 1), "due_on": D(2025, 12, 31)},
    ),
    (
        "thoi-ky",
        "thời kỳ 2021 - 2030",
        {"kind": K.PERIOD, "starts_on": D(2021, 1, 1), "due_on": D(2030, 12, 31)},
    ),
    (
        "same-year",
        "2024-2024",
        {"kind": K.PERIOD, "starts_on": D(2024, 1, 1), "due_on": D(2024, 12, 31)},
    ),
]

OTHERS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "seed004-event",
        "Sau khi Thủ tướng Chính phủ phê duyệt",
        {
            "kind": K.EVENT,
            "event": "Thủ tướng Chính phủ phê duyệt",
            "due_on": None,
            "normalized": "Sau khi Thủ tướng Chính phủ phê duyệt",
        },
    ),
    (
        "event-dot",
        "Sau khi Đề án được phê duyệt.",
        {"kind": K.EVENT, "event": "Đề án được phê duyệt"},
    ),
    (
        "event-caps",
        "SAU KHI có hướng dẫn của Bộ Tài chính",
        {
            "kind": K.EVENT,
            "event": "có hướng dẫn của Bộ Tài chính",
            "normalized": "Sau khi có hướng dẫn của Bộ Tài chính",
        },
    ),
    (
        "event-khi-co",
        "Khi có quyết định của Ủy ban nhân dân tỉnh",
        {
            "kind": K.EVENT,
            "event": "có quyết định của Ủy ban nhân dân tỉnh",
            "normalized": "Khi có quyết định của Ủy ban nhân dân tỉnh",
        },
    ),
    ("ongoing", "Thường xuyên", {"kind": K.ONGOING, "normalized": "Thường xuyên"}),
    (
        "ongoing-continuous",
        "Thường xuyên, liên tục",
        {"kind": K.ONGOING, "normalized": "Thường xuyên"},
    ),
    ("ongoing-lower", "thường xuyên.", {"kind": K.ONGOING}),
]

UNKNOWN: list[tuple[str, str | None, str]] = [
    ("none", None, "Chưa có thời hạn"),
    ("empty", "", "Chưa có thời hạn"),
    ("spaces", " \u00a0 \t", "Chưa có thời hạn"),
    ("dash-cell", "-", "Chưa có thời hạn"),
    ("asap", "Sớm nhất có thể", "Không nhận dạng được thời hạn"),
    ("garbage", "abc", "Không nhận dạng được thời hạn"),
    ("rule-only", "Theo quy định", "Không nhận dạng được thời hạn"),
    ("dinh-ky-alone", "Định kỳ", "Không nhận dạng được thời hạn"),
    ("before-quarter", "Trước quý III/2023", "Không nhận dạng được thời hạn"),
    ("decimal", "2.5", "Không nhận dạng được thời hạn"),
    ("in-days-after", "Trong vòng 30 ngày sau khi có quyết định", "Không nhận dạng được thời hạn"),
    ("month-13", "tháng 13 năm 2022", "Tháng không hợp lệ: 13"),
    ("month-0", "Tháng 0/2022", "Tháng không hợp lệ: 0"),
    ("feb-31", "Trước ngày 31/02/2026", "Ngày không hợp lệ: 31/02/2026"),
    ("feb-29-not-leap", "29/02/2023", "Ngày không hợp lệ: 29/02/2023"),
    ("quarter-V", "quý V năm 2022", "Quý không hợp lệ: V"),
    ("quarter-5", "quý 5/2022", "Quý không hợp lệ: 5"),
    ("iso-month-13", "2026-13-01", "Ngày không hợp lệ: 2026-13-01"),
    ("year-0001", "Năm 0001", "Năm ngoài phạm vi 1945-2100: 0001"),
    ("year-9999", "Quý I/9999", "Năm ngoài phạm vi 1945-2100: 9999"),
    ("iso-year-0001", "0001-01-01", "Năm ngoài phạm vi 1945-2100: 0001"),
    ("two-digit-year", "30/6/23", "Năm ngoài phạm vi 1945-2100: 23"),
    ("reversed-period", "2025-2022", "Giai đoạn không hợp lệ: 2025-2022"),
    ("no-year-quarter", "trong quý IV", "Thiếu năm"),
    ("no-year-month", "Tháng 4", "Thiếu năm"),
    ("bad-fixed-day", "trước 31/02 hằng năm", "Ngày không hợp lệ: 31/02"),
]


def _check(deadline: Deadline, expected: dict[str, Any]) -> None:
    actual = {name: getattr(deadline, name) for name in expected}
    assert actual == expected
    if deadline.kind is not K.UNKNOWN:
        assert deadline.reason == ""
        assert deadline.normalized


@pytest.mark.parametrize(
    ("phrase", "expected"), [row[1:] for row in DATED], ids=[row[0] for row in DATED]
)
def test_dated_phrases(phrase: str, expected: dict[str, Any]) -> None:
    deadline = parse_deadline(phrase)
    _check(deadline, expected)
    assert deadline.text == nfc(phrase)
    assert deadline.starts_on is None


@pytest.mark.parametrize(
    ("phrase", "expected"), [row[1:] for row in RECURRING], ids=[row[0] for row in RECURRING]
)
def test_recurring_phrases(phrase: str, expected: dict[str, Any]) -> None:
    _check(parse_deadline(phrase), expected)


@pytest.mark.parametrize(
    ("phrase", "expected"), [row[1:] for row in PERIODS], ids=[row[0] for row in PERIODS]
)
def test_period_phrases(phrase: str, expected: dict[str, Any]) -> None:
    _check(parse_deadline(phrase), expected)


@pytest.mark.parametrize(
    ("phrase", "expected"), [row[1:] for row in OTHERS], ids=[row[0] for row in OTHERS]
)
def test_event_and_ongoing_phrases(phrase: str, expected: dict[str, Any]) -> None:
    _check(parse_deadline(phrase), expected)


@pytest.mark.parametrize(
    ("phrase", "reason"), [row[1:] for row in UNKNOWN], ids=[row[0] for row in UNKNOWN]
)
def test_unknown_phrases_keep_a_reason(phrase: str | None, reason: str) -> None:
    deadline = parse_deadline(phrase)
    assert deadline.kind is K.UNKNOWN
    assert deadline.reason == reason
    assert deadline.due_on is None
    assert deadline.starts_on is None
    assert deadline.normalized == ""
    assert deadline.text == nfc(phrase)


SPELLINGS = [
    ("nfc", "Hoàn thành trong quý II năm 2022"),
    ("nfd", unicodedata.normalize("NFD", "Hoàn thành trong quý II năm 2022")),
    # a keyboard's mixed form: "à" precomposed, "ý" as y + combining acute
    ("mixed", "Ho\u00e0n th\u00e0nh trong quy\u0301 II n\u0103m 2022"),
    ("caps", "HOÀN THÀNH TRONG QUÝ II NĂM 2022"),
    ("nbsp", "Hoàn\u00a0thành trong\u00a0quý II năm\u00a02022"),
    ("spaces", "  Hoàn thành   trong quý  II   năm 2022  "),
    ("trailing-dot", "Hoàn thành trong quý II năm 2022."),
    ("no-accents", "Hoan thanh trong quy II nam 2022"),
    ("zero-width", "Hoàn thành trong quý\u200b II năm 2022"),
]


@pytest.mark.parametrize("phrase", [row[1] for row in SPELLINGS], ids=[r[0] for r in SPELLINGS])
def test_spellings_read_the_same(phrase: str) -> None:
    deadline = parse_deadline(phrase)
    assert _fields(deadline) == _fields(parse_deadline("Hoàn thành trong quý II năm 2022"))
    assert deadline.text == nfc(phrase)


def test_mixed_form_keyboard_input() -> None:
    # "ằ" typed as "ă" + U+0300; "ườ" as u/o + combining horn + grave; "ê" as e + U+0302
    assert parse_deadline("H\u0103\u0300ng n\u0103m").recurrence is R.YEARLY
    assert parse_deadline("Thu\u031bo\u031b\u0300ng xuye\u0302n").kind is K.ONGOING
    assert parse_deadline("Th\u01b0\u01a1\u0300ng xuy\u00ean").kind is K.ONGOING


def test_text_keeps_the_printed_phrase() -> None:
    phrase = unicodedata.normalize("NFD", "Sau khi Thủ tướng Chính phủ phê duyệt.")
    deadline = parse_deadline(phrase)
    assert deadline.text == "Sau khi Thủ tướng Chính phủ phê duyệt."
    assert deadline.event == "Thủ tướng Chính phủ phê duyệt"
    assert unicodedata.is_normalized("NFC", deadline.event)


# --------------------------------------------------------------- a missing year


@pytest.mark.parametrize(
    ("phrase", "issued_on", "due_on"),
    [
        ("trong quý IV", D(2022, 12, 28), D(2022, 12, 31)),
        ("quý IV", D(2022, 10, 1), D(2022, 12, 31)),
        ("Hoàn thành trong quý II", D(2023, 1, 5), D(2023, 6, 30)),
        ("Tháng 12", D(2022, 12, 28), D(2022, 12, 31)),
        ("6 tháng cuối năm", D(2024, 3, 1), D(2024, 12, 31)),
        ("Trước ngày 15/3", D(2024, 1, 10), D(2024, 3, 15)),
    ],
    ids=["seed004-issued-28-12", "q4-issued-oct", "q2-issued-jan", "month", "half", "day"],
)
def test_missing_year_comes_from_issue_date(phrase: str, issued_on: date, due_on: date) -> None:
    deadline = parse_deadline(phrase, issued_on=issued_on)
    assert deadline.kind is K.DATE
    assert deadline.due_on == due_on


def test_a_year_in_the_phrase_wins_over_the_issue_date() -> None:
    assert parse_deadline("Quý I năm 2023", D(2022, 12, 28)).due_on == D(2023, 3, 31)


def test_a_period_already_past_at_issue_is_not_guessed() -> None:
    deadline = parse_deadline("trong quý II", issued_on=D(2022, 7, 15))
    assert deadline.kind is K.UNKNOWN
    assert deadline.reason.startswith("Thiếu năm")
    assert "15/07/2022" in deadline.reason


# --------------------------------------------------------------- occurrences


def test_occurrences_yearly_half_quarter_month() -> None:
    start, end = D(2023, 1, 1), D(2024, 12, 31)
    assert occurrences(parse_deadline("Hằng năm"), start, end) == [D(2023, 12, 31), D(2024, 12, 31)]
    assert occurrences(parse_deadline("Định kỳ 6 tháng, hàng năm"), start, D(2023, 12, 31)) == [
        D(2023, 6, 30),
        D(2023, 12, 31),
    ]
    assert occurrences(parse_deadline("Hằng quý"), start, D(2023, 12, 31)) == [
        D(2023, 3, 31),
        D(2023, 6, 30),
        D(2023, 9, 30),
        D(2023, 12, 31),
    ]
    monthly = occurrences(parse_deadline("Hằng tháng"), D(2024, 1, 1), D(2024, 3, 31))
    assert monthly == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)]


def test_occurrences_respect_start_and_fixed_day() -> None:
    following = parse_deadline("Năm 2023 và các năm tiếp theo")
    assert occurrences(following, D(2020, 1, 1), D(2024, 12, 31)) == [
        D(2023, 12, 31),
        D(2024, 12, 31),
    ]
    fixed = parse_deadline("trước 15/12 hằng năm")
    assert occurrences(fixed, D(2023, 12, 16), D(2025, 12, 15)) == [
        D(2024, 12, 15),
        D(2025, 12, 15),
    ]


def test_occurrences_of_dated_and_undated_deadlines() -> None:
    quarter = parse_deadline("Quý II/2022")
    assert occurrences(quarter, D(2022, 1, 1), D(2022, 12, 31)) == [D(2022, 6, 30)]
    assert occurrences(quarter, D(2022, 7, 1), D(2022, 12, 31)) == []
    period = parse_deadline("2022-2025")
    assert occurrences(period, D(2025, 12, 31), D(2025, 12, 31)) == [D(2025, 12, 31)]
    for phrase in ("Thường xuyên", "Sau khi Thủ tướng Chính phủ phê duyệt", "abc"):
        assert occurrences(parse_deadline(phrase), D(2000, 1, 1), D(2030, 1, 1)) == []
    assert occurrences(parse_deadline("Hằng năm"), D(2024, 1, 1), D(2023, 1, 1)) == []


def test_feb_29_fixed_day_falls_on_feb_28_in_other_years() -> None:
    deadline = parse_deadline("trước ngày 29/02 hằng năm")
    assert deadline.day_of_year == (2, 29)
    assert occurrences(deadline, D(2023, 1, 1), D(2024, 12, 31)) == [D(2023, 2, 28), D(2024, 2, 29)]


@pytest.mark.parametrize(
    ("phrase", "today", "current", "previous"),
    [
        ("Hằng năm", D(2024, 5, 10), D(2024, 12, 31), D(2023, 12, 31)),
        ("Hằng năm", D(2024, 12, 31), D(2024, 12, 31), D(2023, 12, 31)),
        ("Hằng năm", D(2025, 1, 1), D(2025, 12, 31), D(2024, 12, 31)),
        ("Định kỳ 6 tháng, hàng năm", D(2024, 7, 1), D(2024, 12, 31), D(2024, 6, 30)),
        ("Định kỳ 6 tháng, hàng năm", D(2024, 6, 30), D(2024, 6, 30), D(2023, 12, 31)),
        ("Hằng quý", D(2024, 2, 29), D(2024, 3, 31), D(2023, 12, 31)),
        ("trước 15/12 hằng năm", D(2024, 12, 16), D(2025, 12, 15), D(2024, 12, 15)),
        ("Năm 2023 và các năm tiếp theo", D(2022, 6, 1), D(2023, 12, 31), None),
        ("Năm 2023 và các năm tiếp theo", D(2023, 6, 1), D(2023, 12, 31), None),
        ("Năm 2023 và các năm tiếp theo", D(2024, 6, 1), D(2024, 12, 31), D(2023, 12, 31)),
        ("Quý II/2022", D(2024, 6, 1), D(2022, 6, 30), None),
        ("Thường xuyên", D(2024, 6, 1), None, None),
    ],
)
def test_current_and_previous_due(
    phrase: str, today: date, current: date | None, previous: date | None
) -> None:
    deadline = parse_deadline(phrase)
    assert current_due(deadline, today) == current
    assert previous_due(deadline, today) == previous


def test_calendar_edges_do_not_raise() -> None:
    yearly = parse_deadline("trước 15/12 hằng năm")
    assert current_due(yearly, D(9999, 12, 20)) is None
    assert previous_due(yearly, D(1, 1, 1)) is None
    assert current_due(parse_deadline("Hằng năm"), date.max) == date.max


# --------------------------------------------------------------- properties

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_years = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR)
_words = st.sampled_from(
    [
        "Hoàn thành",
        "trong",
        "chậm nhất",
        "quý",
        "tháng",
        "năm",
        "Năm",
        "ngày",
        "trước",
        "II",
        "IV",
        "V",
        "13",
        "2",
        "31/02",
        "/",
        "-",
        "2022",
        "0001",
        "9999",
        "hằng",
        "hàng",
        "Sau khi",
        "Khi có",
        "giai đoạn",
        "6 tháng",
        "đầu",
        "cuối",
        ",",
        ".",
        "và",
        "các năm tiếp theo",
        "Thường xuyên",
        "15/12",
        "30/6/2023",
        "2026-13-01",
        "\u00a0",
        "–",
    ]
)
_phrases = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.lists(_words, max_size=8).map(" ".join),
    st.lists(_words, max_size=8).map("".join),
)


@given(_phrases, st.one_of(st.none(), st.dates()))
def test_parse_never_raises_and_dates_are_sane(phrase: str, issued_on: date | None) -> None:
    deadline = parse_deadline(phrase, issued_on)
    assert isinstance(deadline.kind, DeadlineKind)
    assert deadline.text == nfc(phrase)
    for day in (deadline.due_on, deadline.starts_on):
        if day is not None:
            assert MIN_YEAR <= day.year <= MAX_YEAR
    if deadline.kind is K.DATE:
        assert deadline.due_on is not None
    if deadline.kind is K.PERIOD:
        assert deadline.starts_on is not None and deadline.due_on is not None
        assert deadline.starts_on <= deadline.due_on
    if deadline.kind is K.UNKNOWN:
        assert deadline.reason and deadline.due_on is None
    else:
        assert deadline.reason == ""


_valid_phrases = st.sampled_from(
    [row[1] for row in DATED + RECURRING + PERIODS + OTHERS] + [row[1] or "" for row in UNKNOWN]
)


@given(_valid_phrases, st.sampled_from(["NFC", "NFD"]), st.sampled_from(["NFC", "NFD"]))
def test_nfc_and_nfd_give_the_same_deadline(phrase: str, form_a: str, form_b: str) -> None:
    a = parse_deadline(unicodedata.normalize(form_a, phrase))  # type: ignore[arg-type]
    b = parse_deadline(unicodedata.normalize(form_b, phrase))  # type: ignore[arg-type]
    assert _fields(a) == _fields(b)
    assert nfc(a.text) == nfc(b.text)


@given(st.integers(min_value=1, max_value=4), _years, st.booleans())
def test_any_quarter_gives_its_quarter_end(quarter: int, year: int, roman: bool) -> None:
    label = _ROMAN[quarter] if roman else str(quarter)
    deadline = parse_deadline(f"Quý {label}/{year}")
    assert deadline.kind is K.DATE
    assert deadline.due_on == month_end(year, quarter * 3)
    assert deadline.normalized == f"Quý {_ROMAN[quarter]}/{year}"
    assert parse_deadline(f"Hoàn thành trong quý {label} năm {year}").due_on == deadline.due_on


@given(st.integers(min_value=1, max_value=12), _years)
def test_any_month_gives_its_month_end(month: int, year: int) -> None:
    deadline = parse_deadline(f"tháng {month} năm {year}")
    assert deadline.kind is K.DATE
    assert deadline.due_on == month_end(year, month)
    assert deadline.due_on.month == month
    assert parse_deadline(f"Tháng {month:02d}/{year}").due_on == deadline.due_on


@given(st.integers(min_value=13, max_value=99), _years)
def test_invalid_months_are_unknown(month: int, year: int) -> None:
    deadline = parse_deadline(f"tháng {month} năm {year}")
    assert deadline.kind is K.UNKNOWN
    assert deadline.reason == f"Tháng không hợp lệ: {month}"


@given(_years, _years)
def test_any_year_range_is_a_period_or_unknown(first: int, last: int) -> None:
    deadline = parse_deadline(f"giai đoạn {first} - {last}")
    if first <= last:
        assert deadline.kind is K.PERIOD
        assert (deadline.starts_on, deadline.due_on) == (D(first, 1, 1), D(last, 12, 31))
    else:
        assert deadline.kind is K.UNKNOWN


@given(st.integers(min_value=0, max_value=9999))
def test_years_outside_the_sane_range_are_refused(year: int) -> None:
    assume(not MIN_YEAR <= year <= MAX_YEAR)
    deadline = parse_deadline(f"Năm {year:04d}")
    assert deadline.kind is K.UNKNOWN
    assert deadline.reason.startswith("Năm ngoài phạm vi")


@given(st.dates(min_value=D(MIN_YEAR, 1, 1), max_value=D(MAX_YEAR, 12, 31)))
def test_any_real_date_round_trips(day: date) -> None:
    for phrase in (
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%Y-%m-%d}",
        f"Trước ngày {day:%d/%m/%Y}",
    ):
        deadline = parse_deadline(phrase)
        assert deadline.kind is K.DATE
        assert deadline.due_on == day


@pytest.mark.parametrize("text", ["6 tháng", "Sáu tháng"])
def test_bare_six_months_is_not_read_as_a_rhythm(text):
    deadline = parse_deadline(text)
    assert deadline.kind == DeadlineKind.UNKNOWN
    assert deadline.due_on is None and deadline.reason
