"""Report periods and the Decree 09/2019 cut-offs (pure)."""

import datetime as dt
import itertools

import pytest

from reports.periods import (
    PeriodKind,
    ReportPeriod,
    parse_period,
    period_containing,
    periods_due_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "kind", "start", "end", "due", "label", "quarters"),
    [
        (2026, "q1", D(2025, 12, 15), D(2026, 3, 14), D(2026, 3, 25), "quý I năm 2026", (1,)),
        (2026, "q2", D(2026, 3, 15), D(2026, 6, 14), D(2026, 6, 25), "quý II năm 2026", (2,)),
        (2026, "q3", D(2026, 6, 15), D(2026, 9, 14), D(2026, 9, 25), "quý III năm 2026", (3,)),
        (2026, "q4", D(2026, 9, 15), D(2026, 12, 14), D(2026, 12, 25), "quý IV năm 2026", (4,)),
        (
            2026,
            "h1",
            D(2025, 12, 15),
            D(2026, 6, 14),
            D(2026, 6, 25),
            "6 tháng đầu năm 2026",
            (1, 2),
        ),
        (
            2026,
            "year",
            D(2025, 12, 15),
            D(2026, 12, 14),
            D(2026, 12, 25),
            "năm 2026",
            (1, 2, 3, 4),
        ),
        (2024, "q1", D(2023, 12, 15), D(2024, 3, 14), D(2024, 3, 25), "quý I năm 2024", (1,)),
    ],
)
def test_cutoff_windows(year, kind, start, end, due, label, quarters):
    period = parse_period(year, kind)
    assert (period.cutoff_start, period.cutoff_end, period.due_on) == (start, end, due)
    assert period.label == label
    assert period.quarters == quarters
    assert period.slug == f"{year}-{kind}"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 6, 14), ReportPeriod(2026, PeriodKind.Q2)),
        (D(2026, 6, 15), ReportPeriod(2026, PeriodKind.Q3)),
        (D(2026, 12, 14), ReportPeriod(2026, PeriodKind.Q4)),
        (D(2026, 12, 15), ReportPeriod(2027, PeriodKind.Q1)),
        (D(2026, 1, 1), ReportPeriod(2026, PeriodKind.Q1)),
        (D(2026, 3, 15), ReportPeriod(2026, PeriodKind.Q2)),
    ],
)
def test_the_quarter_whose_window_holds_a_day(day, expected):
    assert period_containing(day) == expected


def test_quarter_windows_tile_the_year_without_gaps():
    periods = [ReportPeriod(2026, k) for k in (PeriodKind.Q1, PeriodKind.Q2, PeriodKind.Q3)]
    for before, after in itertools.pairwise(periods):
        assert after.cutoff_start - before.cutoff_end == dt.timedelta(days=1)
    assert ReportPeriod(2026, PeriodKind.YEAR).contains(D(2025, 12, 15))
    assert not ReportPeriod(2026, PeriodKind.YEAR).contains(D(2026, 12, 15))


@pytest.mark.parametrize(("year", "kind"), [("2026", "q5"), ("1999", "q1"), ("abc", "q1")])
def test_bad_parameters_are_refused(year, kind):
    with pytest.raises(ValueError):
        parse_period(year, kind)


def test_periods_due_in_june_are_q2_and_the_first_half():
    due = periods_due_between(D(2026, 6, 1), D(2026, 6, 30))
    assert [(p.kind, p.due_on) for p in due] == [
        (PeriodKind.H1, D(2026, 6, 25)),
        (PeriodKind.Q2, D(2026, 6, 25)),
    ]
