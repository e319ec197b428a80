"""The shared workflow vocabulary: one set of states, quarters written one way."""

import datetime as dt

import pytest

from indicators.choices import ValueState
from portal.periods import QUARTER_CHOICES, quarter_label, quarter_of
from portal.workflow import MOVES, ApprovalState, Step
from tasks.choices import ReportState


def test_reports_and_values_share_one_set_of_states():
    assert ReportState is ApprovalState is ValueState
    assert [s.label for s in ApprovalState] == ["Bản nháp", "Đã gửi", "Đã duyệt", "Trả lại"]


def test_the_moves():
    assert {(step, tuple(sorted(m.sources)), m.target) for step, m in MOVES.items()} == {
        (Step.SAVE, ("draft", "returned"), "draft"),
        (Step.SUBMIT, ("draft", "returned"), "submitted"),
        (Step.WITHDRAW, ("submitted",), "draft"),
        (Step.APPROVE, ("submitted",), "approved"),
        (Step.RETURN, ("submitted",), "returned"),
        (Step.REOPEN, ("approved",), "returned"),
    }


@pytest.mark.parametrize(
    ("year", "quarter", "label"),
    [
        (2025, 1, "Quý I/2025"),
        (2025, 2, "Quý II/2025"),
        (2024, 3, "Quý III/2024"),
        (2030, 4, "Quý IV/2030"),
    ],
)
def test_quarters_are_written_one_way(year, quarter, label):
    assert quarter_label(year, quarter) == label


def test_quarter_of_and_the_form_choices():
    assert [quarter_of(dt.date(2025, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert QUARTER_CHOICES == [(1, "Quý I"), (2, "Quý II"), (3, "Quý III"), (4, "Quý IV")]


def test_the_deadline_parser_writes_quarters_the_same_way():
    from tasks.deadlines import parse_deadline

    deadline = parse_deadline("Hoàn thành trong quý 2 năm 2025", dt.date(2025, 1, 10))
    assert deadline.normalized == quarter_label(2025, 2) == "Quý II/2025"
