"""Report periods and their data cut-offs (thời gian chốt số liệu). Pure: no ORM, no clock.

Source: Nghị định 09/2019/NĐ-CP (chế độ báo cáo của cơ quan hành chính nhà nước), Articles
12-13, as the implementing circulars apply it (``/work/shared/DOMAIN.md`` section 5):

- a quarter runs from the 15th of the month before it to the 14th of its last month
  (Q2: 15/03 - 14/06);
- the first half-year from 15/12 of the year before to 14/06;
- the year from 15/12 of the year before to 14/12;
- reports to the Government are due by the 25th of the period's last month unless a regime
  says otherwise.

NOT CHECKED against the decree's text (it was not at hand when this was written): the
windows and the 25th come from the project's domain notes. Change them here only; every
report, reminder and calendar reads them from this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DUE_DAY", "PeriodKind", "ReportPeriod", "parse_period", "period_containing"]

CUTOFF_FIRST_DAY = 15  # the window opens on the 15th of the month before
CUTOFF_LAST_DAY = 14  # and closes on the 14th of the period's last month
DUE_DAY = 25  # reports to the Government by the 25th of the period's last month

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodKind(StrEnum):
    Q1 = "q1"
    Q2 = "q2"
    Q3 = "q3"
    Q4 = "q4"
    H1 = "h1"
    YEAR = "year"


_LAST_MONTH = {
    PeriodKind.Q1: 3,
    PeriodKind.Q2: 6,
    PeriodKind.Q3: 9,
    PeriodKind.Q4: 12,
    PeriodKind.H1: 6,
    PeriodKind.YEAR: 12,
}
_FIRST_MONTH = {
    PeriodKind.Q1: 1,
    PeriodKind.Q2: 4,
    PeriodKind.Q3: 7,
    PeriodKind.Q4: 10,
    PeriodKind.H1: 1,
    PeriodKind.YEAR: 1,
}


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """One reporting period of one year: ``ReportPeriod(2026, PeriodKind.Q2)``."""

    year: int
    kind: PeriodKind

    @property
    def cutoff_start(self) -> dt.date:
        """First day of the data window: the 15th of the month before the period."""
        year, month = _month_before(self.year, _FIRST_MONTH[self.kind])
        return dt.date(year, month, CUTOFF_FIRST_DAY)

    @property
    def cutoff_end(self) -> dt.date:
        """Last day of the data window (the day the report is judged on): the 14th of the
        period's last month."""
        return dt.date(self.year, _LAST_MONTH[self.kind], CUTOFF_LAST_DAY)

    @property
    def due_on(self) -> dt.date:
        """The day the report must be sent by (the 25th of the period's last month)."""
        return dt.date(self.year, _LAST_MONTH[self.kind], DUE_DAY)

    @property
    def quarters(self) -> tuple[int, ...]:
        """The calendar quarters the period covers (progress is reported per quarter)."""
        first = (_FIRST_MONTH[self.kind] - 1) // 3 + 1
        last = (_LAST_MONTH[self.kind] - 1) // 3 + 1
        return tuple(range(first, last + 1))

    @property
    def label(self) -> str:
        """The period as reports print it: "quý II năm 2026", "6 tháng đầu năm 2026"."""
        if self.kind is PeriodKind.H1:
            return f"6 tháng đầu năm {self.year}"
        if self.kind is PeriodKind.YEAR:
            return f"năm {self.year}"
        return f"quý {_ROMAN[self.quarters[0]]} năm {self.year}"

    @property
    def slug(self) -> str:
        """For file names: "2026-q2"."""
        return f"{self.year}-{self.kind.value}"

    def contains(self, day: dt.date) -> bool:
        return self.cutoff_start <= day <= self.cutoff_end


def parse_period(year: int | str, kind: str) -> ReportPeriod:
    """A period from URL parameters; ValueError for anything else."""
    year_number = int(year)
    if not 2000 <= year_number <= 2100:
        raise ValueError(f"năm ngoài phạm vi: {year}")
    return ReportPeriod(year_number, PeriodKind(str(kind).lower()))


def period_containing(day: dt.date) -> ReportPeriod:
    """The quarter whose cut-off window holds ``day`` (15/12 opens next year's Q1)."""
    for year in (day.year, day.year + 1):
        for kind in (PeriodKind.Q1, PeriodKind.Q2, PeriodKind.Q3, PeriodKind.Q4):
            period = ReportPeriod(year, kind)
            if period.contains(day):
                return period
    raise AssertionError(day)  # pragma: no cover - the quarters' windows tile the year


def periods_due_between(start: dt.date, end: dt.date) -> list[ReportPeriod]:
    """Every period (quarters, first half, year) whose report falls due in [start, end]."""
    found = []
    for year in range(start.year, end.year + 1):
        for kind in PeriodKind:
            period = ReportPeriod(year, kind)
            if start <= period.due_on <= end:
                found.append(period)
    return sorted(found, key=lambda p: (p.due_on, p.kind.value))
