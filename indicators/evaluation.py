"""Judge an indicator against its target: (target, baseline, yearly values, this year) ->
verdict, one Vietnamese sentence, and the expected path for a chart. Pure: no ORM, no clock.

Verdicts: ``on_track`` / ``at_risk`` / ``off_track`` while the target year is ahead;
``achieved`` / ``missed`` once it is judged for good (``this_year`` is after the target year,
or a value for the target year itself is in); ``no_data`` when nothing can be judged.

Common rules
  * Values after ``this_year`` are ignored (a typo cannot judge the future); a year given
    twice keeps the last one. The final judgement uses values up to the target year.
  * "khoảng" (APPROX) accepts a result within 5% of the goal (relative).
  * No values at all: ``no_data``, "Chưa có số liệu."

LEVEL (reach a level by the target year: "đạt 56%", "trên 5.000 tỷ đồng", "250 - 300")
  * Start = the baseline (year, value) if given and not after the first value, otherwise the
    first value. Goal = ``low`` (for a range: ``high`` when going down). The direction is
    down only when the start is above the goal and the phrase says so ("giảm", "xuống",
    "còn"); otherwise up ("đạt 56%" is met by 57%), always up for "trên"/"ít nhất".
  * Expected path: a straight line from the start to the goal in the target year; for an
    amount reached by growth (a money unit: "63.600 tỷ đồng", "2.000 USD", going up from a
    positive start) a compound path, start x (goal/start)^(elapsed/span), as growth compounds.
  * A single value with no baseline has nothing to measure progress from: unless it already
    meets the goal (or the judgement is final) it is ``no_data``, "Chưa đủ số liệu để đánh
    giá." (never "on track").
  * "trên 5.000" met exactly is not met: the sentence says the value equals the level and
    must exceed it (never "còn cách 0").
  * The goal is met by a value at or beyond it in the direction of travel (strictly beyond
    for "trên"; overshooting is fine). A met goal is ``on_track``.
  * Otherwise, with ``shortfall`` = how far the latest value lags the path for its year:
    ``on_track`` if shortfall <= 0, ``at_risk`` if shortfall <= 10% of the remaining gap
    (|goal - latest value|), ``off_track`` otherwise.
  * Final: ``achieved`` if the value of the target year (or the latest before it) meets the
    goal, else ``missed``.

YEARLY_RATE (a growth rate every year: "tăng trưởng GRDP 9-11%/năm"; each value IS that
year's rate)
  * Values counted: years after the baseline year (the baseline of a rate is a past average,
    not one of the years) up to the target year.
  * ``on_track`` if the average meets ``low`` (strictly above for "trên"; above ``high`` of a
    range still counts: faster growth is not a risk) and the latest year meets it too;
    ``at_risk`` if the average meets it but the latest year does not, or the average is
    below ``low`` by at most 1 point; ``off_track`` otherwise.
  * Final: ``achieved`` if the average over the period meets ``low``, else ``missed``.
  * Expected path: ``low`` every year of the period.

YEARLY_DECREASE (a rate falls by so many points a year: "tỷ lệ nghèo giảm 2-3%/năm"; each
value is the LEVEL of the rate that year)
  * The series is the baseline (if before the first value) followed by the values; the
    average yearly decrease is (first - latest) / years between them, the latest decrease is
    between the last two points (divided by the years between them). Fewer than two points:
    ``no_data``.
  * Judged like YEARLY_RATE against ``low`` but with a 0,5 point margin for ``at_risk``
    (decreases are small numbers). A latest level already at or below ``low`` has nothing
    left to cut: it meets the target.
  * Expected path: the start level minus ``low`` every year, never below zero.

UPPER_BOUND ("không quá", "dưới": the value must stay under ``high``)
  * Latest value over the bound (or equal, for "dưới"): ``off_track``; within 5% of the bound:
    ``at_risk``; otherwise ``on_track``. Final: ``achieved`` if the target-year value is
    under the bound, else ``missed``. Expected path: the bound every year.

PERIOD_SUM (a total within each five-year plan: "trong mỗi kế hoạch 5 năm ... 250 - 300 nghìn
lao động"; each value is that year's amount)
  * Plans are the five-year periods ending in the target year (2016-2020, 2011-2015, ...).
    The plan containing ``this_year`` (capped at the target year) is judged on the sum of its
    values so far against ``low``, pro rata for the years elapsed: on or above the pro-rata
    share ``on_track``, within 10% below it ``at_risk``, else ``off_track``. A plan with no
    value yet: ``no_data``.
  * Final (the plan is over): ``achieved`` if its total meets ``low``, else ``missed``.
  * Expected path: the cumulative pro-rata total for each year of the plan.

STRUCTURE (shares of sectors summing to about 100%)
  * One value per year cannot say anything about a structure, so it is judged only from
    ``values_by_share`` (share name -> percent, names matched ignoring accents, case and
    spacing) for ``shares_year`` (default: this year). Without it, or with a share missing:
    ``no_data``.
  * The largest absolute deviation from the target shares, in points: <= 1 ``on_track``,
    <= 3 ``at_risk``, more ``off_track``. Final: <= 1 ``achieved``, else ``missed``.
    No expected path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Protocol

from indicators.targets import Comparator, Share, Target, TargetKind
from portal.numbers import format_vn_number
from portal.vietnamese import fold

__all__ = [
    "PLAN_YEARS",
    "Evaluation",
    "TargetLike",
    "Verdict",
    "evaluate",
    "target_from_indicator",
    "value_problem",
]

ZERO = Decimal(0)
APPROX_TOLERANCE = Decimal("0.05")
LEVEL_RISK_SHARE = Decimal("0.10")
RATE_RISK_POINTS = Decimal(1)
DECREASE_RISK_POINTS = Decimal("0.5")
BOUND_RISK_SHARE = Decimal("0.05")
STRUCTURE_ON_TRACK = Decimal(1)
STRUCTURE_AT_RISK = Decimal(3)
TREND_YEARS = 3
NO_DATA = "Chưa có số liệu."
NOT_ENOUGH = "Chưa đủ số liệu để đánh giá."
PLAN_YEARS = 5
_MONEY_UNIT = re.compile(r"\b(dong|usd)\b")


class Verdict(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    ACHIEVED = "achieved"
    MISSED = "missed"
    OVERTAKEN = "overtaken"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Verdict.ON_TRACK: "Đúng tiến độ",
    Verdict.AT_RISK: "Có nguy cơ chậm",
    Verdict.OFF_TRACK: "Chậm tiến độ",
    Verdict.NO_DATA: "Chưa có số liệu",
    Verdict.ACHIEVED: "Đã đạt",
    Verdict.MISSED: "Không đạt",
    Verdict.OVERTAKEN: "Không còn đánh giá",
}


class TargetLike(Protocol):
    """What ``evaluate`` reads of a target (``indicators.targets.Target`` has it)."""

    @property
    def kind(self) -> Any: ...
    @property
    def comparator(self) -> Any: ...
    @property
    def low(self) -> Decimal | None: ...
    @property
    def high(self) -> Decimal | None: ...
    @property
    def unit(self) -> str: ...
    @property
    def shares(self) -> Iterable[Any]: ...


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    explanation: str
    expected_path: list[tuple[int, Decimal]] = field(default_factory=list)
    latest: tuple[int, Decimal] | None = None


def target_from_indicator(indicator: Any) -> Target:
    """The typed target of an ``Indicator`` row (its parsed columns; no query)."""
    shares = tuple(
        Share(str(item["name"]), Decimal(str(item["value"]))) for item in indicator.shares or ()
    )
    return Target(
        text=indicator.target_text,
        kind=TargetKind(indicator.target_kind),
        comparator=Comparator(indicator.comparator),
        low=indicator.target_low,
        high=indicator.target_high,
        unit=indicator.unit_of_measure,
        shares=shares,
        per_year=indicator.per_year,
        normalized=indicator.target_normalized,
    )


def evaluate(
    target: TargetLike,
    *,
    target_year: int,
    baseline: tuple[int, Decimal] | None = None,
    values: Sequence[tuple[int, Decimal]] = (),
    this_year: int,
    values_by_share: Mapping[str, Decimal] | None = None,
    shares_year: int | None = None,
) -> Evaluation:
    """Judge ``values`` against ``target`` as of ``this_year`` (rules: module docstring)."""
    kind = TargetKind(target.kind)
    comparator = Comparator(target.comparator)
    if kind is TargetKind.STRUCTURE:
        return _structure(target, target_year, this_year, values_by_share, shares_year)
    series = _series(values, this_year)
    if baseline is not None and baseline[0] > this_year:
        baseline = None
    if kind is TargetKind.UPPER_BOUND or (
        kind is TargetKind.LEVEL and comparator in (Comparator.AT_MOST, Comparator.LESS_THAN)
    ):
        return _upper_bound(target, comparator, target_year, baseline, series, this_year)
    if kind is TargetKind.YEARLY_RATE:
        return _yearly_rate(target, comparator, target_year, baseline, series, this_year)
    if kind is TargetKind.YEARLY_DECREASE:
        return _yearly_decrease(target, comparator, target_year, baseline, series, this_year)
    if kind is TargetKind.PERIOD_SUM:
        return _period_sum(target, comparator, target_year, series, this_year)
    return _level(target, comparator, target_year, baseline, series, this_year)


# --------------------------------------------------------------------------- helpers


def _series(values: Sequence[tuple[int, Decimal]], this_year: int) -> list[tuple[int, Decimal]]:
    by_year: dict[int, Decimal] = {}
    for year, value in values:
        if year <= this_year and Decimal(value).is_finite():
            by_year[int(year)] = Decimal(value)
    return sorted(by_year.items())


def _is_final(series: list[tuple[int, Decimal]], target_year: int, this_year: int) -> bool:
    return this_year > target_year or (bool(series) and series[-1][0] >= target_year)


def _judged(series: list[tuple[int, Decimal]], target_year: int) -> tuple[int, Decimal]:
    """The value the final judgement reads: the target year's, or the latest before it."""
    before = [point for point in series if point[0] <= target_year]
    return before[-1] if before else series[0]


def _num(value: Decimal) -> str:
    """A derived number: one decimal (two under 1), half up, trailing zeros dropped."""
    places = 1 if abs(value) >= 1 else 2
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_vn_number(rounded.normalize() if rounded else ZERO)


def _raw(value: Decimal) -> str:
    """A value as entered (no rounding beyond the 4 stored decimals)."""
    return format_vn_number(value.normalize() if value else ZERO)


def _amount(value: Decimal, unit: str, *, derived: bool = False) -> str:
    text = _num(value) if derived else _raw(value)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def _gap(value: Decimal, unit: str) -> str:
    """A difference: points for a percentage."""
    if unit == "%":
        return f"{_num(value)} điểm %"
    return f"{_num(value)} {unit}" if unit else _num(value)


def _per_year(value: Decimal, unit: str) -> str:
    if unit == "%":
        return f"{_num(value)} điểm/năm"
    if not unit:
        return f"{_num(value)} mỗi năm"
    if "/" in unit:
        return f"{_num(value)} {unit} mỗi năm"
    return f"{_num(value)} {unit}/năm"


def _rate_unit(unit: str) -> str:
    return "%/năm" if unit in ("%", "") else f"{unit}/năm"


_COMPARATOR_WORDS = {
    Comparator.APPROX: "khoảng ",
    Comparator.MORE_THAN: "trên ",
    Comparator.AT_LEAST: "ít nhất ",
    Comparator.AT_MOST: "không quá ",
    Comparator.LESS_THAN: "dưới ",
}


def _goal_text(target: TargetLike, comparator: Comparator, unit: str) -> str:
    if comparator is Comparator.RANGE and target.low is not None and target.high is not None:
        separator = "" if unit.startswith("%") else " "
        return f"{_raw(target.low)}–{_raw(target.high)}{separator}{unit}".rstrip()
    value = target.low if target.low is not None else target.high
    assert value is not None
    separator = "" if unit.startswith("%") else " "
    return f"{_COMPARATOR_WORDS.get(comparator, '')}{_raw(value)}{separator}{unit}".rstrip()


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _trend(points: list[tuple[int, Decimal]], latest: tuple[int, Decimal], unit: str) -> str | None:
    """ ", bình quân 3 năm qua tăng 1,1 điểm/năm" from the point TREND_YEARS back (or the
    earliest one)."""
    year, value = latest
    earlier = [p for p in points if p[0] < year]
    if not earlier:
        return None
    back = [p for p in earlier if p[0] <= year - TREND_YEARS]
    ref_year, ref_value = back[-1] if back else earlier[0]
    span = year - ref_year
    change = (value - ref_value) / span
    verb = "tăng" if change >= 0 else "giảm"
    return f"bình quân {span} năm qua {verb} {_per_year(abs(change), unit)}"


def _sentence(*parts: str | None) -> str:
    text = ", ".join(part for part in parts if part)
    return text[:1].upper() + text[1:] + "."


# --------------------------------------------------------------------------- LEVEL


def _level(
    target: TargetLike,
    comparator: Comparator,
    target_year: int,
    baseline: tuple[int, Decimal] | None,
    series: list[tuple[int, Decimal]],
    this_year: int,
) -> Evaluation:
    unit = target.unit
    low, high = target.low, target.high
    first = series[0] if series else None
    start = baseline if baseline and (first is None or baseline[0] <= first[0]) else first
    if start is None:
        return Evaluation(Verdict.NO_DATA, NO_DATA)
    start_year, start_value = start
    if comparator in (Comparator.MORE_THAN, Comparator.AT_LEAST):
        assert low is not None
        goal, up = low, True
    elif comparator is Comparator.RANGE:
        assert low is not None and high is not None
        up = start_value <= high or not _says_down(target)
        goal = low if up else high
    else:
        level = low if low is not None else high
        assert level is not None
        goal = level
        up = start_value <= goal or not _says_down(target)
    tolerance = abs(goal) * APPROX_TOLERANCE if comparator is Comparator.APPROX else ZERO

    def met(value: Decimal) -> bool:
        if up:
            return value > goal if comparator is Comparator.MORE_THAN else value >= goal - tolerance
        return value <= goal + tolerance

    growth = up and start_value > 0 and goal > 0 and bool(_MONEY_UNIT.search(fold(unit)))
    path = _line(start_year, start_value, target_year, goal, compound=growth)
    goal_text = _goal_text(target, comparator, unit)
    if not series:
        return Evaluation(Verdict.NO_DATA, NO_DATA, path)
    exactly_at = comparator is Comparator.MORE_THAN
    if _is_final(series, target_year, this_year):
        year, value = _judged(series, target_year)
        if exactly_at and value == goal:
            return Evaluation(
                Verdict.MISSED,
                _sentence(
                    f"năm {year} đạt {_amount(value, unit)}, bằng đúng mức mục tiêu",
                    f"chưa vượt mức nên không đạt mục tiêu {goal_text} đặt cho năm {target_year}",
                ),
                path,
                (year, value),
            )
        if met(value):
            return Evaluation(
                Verdict.ACHIEVED,
                _sentence(
                    f"năm {year} đạt {_amount(value, unit)}",
                    f"đạt mục tiêu {goal_text} đặt cho năm {target_year}",
                ),
                path,
                (year, value),
            )
        return Evaluation(
            Verdict.MISSED,
            _sentence(
                f"năm {year} đạt {_amount(value, unit)}",
                f"không đạt mục tiêu {goal_text} đặt cho năm {target_year} "
                f"(còn cách {_gap(abs(goal - value), unit)})",
            ),
            path,
            (year, value),
        )
    year, value = series[-1]
    if met(value):
        return Evaluation(
            Verdict.ON_TRACK,
            _sentence(
                f"năm {year} đạt {_amount(value, unit)}",
                f"đã đạt mục tiêu {goal_text} đặt cho năm {target_year}",
            ),
            path,
            (year, value),
        )
    if len(series) == 1 and start == first:  # one value, no baseline: no progress to measure
        return Evaluation(
            Verdict.NO_DATA,
            _sentence(f"năm {year} đạt {_amount(value, unit)}", NOT_ENOUGH[:-1].lower()),
            path,
            (year, value),
        )
    expected = _on_line(start_year, start_value, target_year, goal, year, compound=growth)
    shortfall = expected - value if up else value - expected
    remaining = abs(goal - value)
    if shortfall <= 0:
        verdict = Verdict.ON_TRACK
    elif shortfall <= remaining * LEVEL_RISK_SHARE:
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.OFF_TRACK
    years_left = target_year - year
    need = "cần thêm" if up else "cần giảm thêm"
    points = ([baseline] if baseline and baseline[0] < series[0][0] else []) + series
    if exactly_at and remaining == 0:
        text = (
            f"Năm {year} đạt {_amount(value, unit)}, bằng đúng mức mục tiêu; cần vượt mức "
            f"này trong {years_left} năm còn lại"
        )
    else:
        text = (
            f"Năm {year} đạt {_amount(value, unit)}; {need} {_gap(remaining, unit)} trong "
            f"{years_left} năm còn lại ({_per_year(remaining / years_left, unit)})"
        )
    trend = _trend(points, (year, value), unit)
    return Evaluation(verdict, _sentence(text, trend), path, (year, value))


_DOWN_WORDS = re.compile(r"\b(giam|xuong|con)\b")


def _says_down(target: TargetLike) -> bool:
    """ "Giảm xuống còn 10%" and the like: the level is brought down, not reached."""
    return bool(_DOWN_WORDS.search(fold(getattr(target, "text", "") or "")))


def _line(
    start_year: int,
    start_value: Decimal,
    target_year: int,
    goal: Decimal,
    *,
    compound: bool = False,
) -> list[tuple[int, Decimal]]:
    if start_year >= target_year:
        return [(target_year, _q(goal))]
    return [
        (
            year,
            _q(_on_line(start_year, start_value, target_year, goal, year, compound=compound)),
        )
        for year in range(start_year, target_year + 1)
    ]


def _on_line(
    start_year: int,
    start_value: Decimal,
    target_year: int,
    goal: Decimal,
    year: int,
    *,
    compound: bool = False,
) -> Decimal:
    """The expected value in ``year``: straight, or compound growth (a constant yearly rate)."""
    if start_year >= target_year:
        return goal
    share = Decimal(min(max(year - start_year, 0), target_year - start_year)) / (
        target_year - start_year
    )
    if compound:
        return start_value * (goal / start_value) ** share
    return start_value + (goal - start_value) * share


# --------------------------------------------------------------------------- YEARLY_RATE


def _meets_low(target: TargetLike, comparator: Comparator, value: Decimal) -> bool:
    low = target.low
    assert low is not None
    if comparator is Comparator.MORE_THAN:
        return value > low
    if comparator is Comparator.APPROX:
        return value >= low - abs(low) * APPROX_TOLERANCE
    return value >= low


def _yearly_rate(
    target: TargetLike,
    comparator: Comparator,
    target_year: int,
    baseline: tuple[int, Decimal] | None,
    series: list[tuple[int, Decimal]],
    this_year: int,
) -> Evaluation:
    unit = _rate_unit(target.unit)
    low = target.low
    if low is None:  # "tăng không quá ..." is parsed as UPPER_BOUND; keep a clear answer
        return _upper_bound(target, comparator, target_year, baseline, series, this_year)
    after = baseline[0] if baseline else None
    period = [p for p in series if (after is None or p[0] > after) and p[0] <= target_year]
    first_year = (after + 1) if after is not None else (period[0][0] if period else None)
    path = (
        [(year, _q(low)) for year in range(first_year, target_year + 1)]
        if first_year is not None
        else []
    )
    if not period:
        return Evaluation(Verdict.NO_DATA, NO_DATA, path)
    total = sum((value for _, value in period), ZERO)
    average = total / len(period)
    year, latest = period[-1]
    span = f"{period[0][0]}–{year}" if len(period) > 1 else f"{year}"
    goal_text = _goal_text(target, comparator, unit)
    summary = f"bình quân {len(period)} năm ({span}) đạt {_num(average)}{unit}"
    if len(period) == 1:
        summary = f"năm {year} đạt {_raw(latest)}{unit}"
    if _is_final(series, target_year, this_year):
        verdict = Verdict.ACHIEVED if _meets_low(target, comparator, average) else Verdict.MISSED
        word = "đạt" if verdict is Verdict.ACHIEVED else "không đạt"
        return Evaluation(
            verdict,
            _sentence(summary, f"{word} mục tiêu {goal_text}"),
            path,
            (year, latest),
        )
    average_ok = _meets_low(target, comparator, average)
    latest_ok = _meets_low(target, comparator, latest)
    if average_ok and latest_ok:
        verdict = Verdict.ON_TRACK
    elif average_ok or average >= low - RATE_RISK_POINTS:
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.OFF_TRACK
    compare = "đạt" if average_ok else "thấp hơn"
    parts = [summary, f"{compare} mục tiêu {goal_text}"]
    if len(period) > 1:
        parts.append(f"năm {year} đạt {_raw(latest)}{unit}")
    years_left = target_year - year
    if years_left > 0 and not average_ok:
        needed = (low * (len(period) + years_left) - total) / years_left
        parts.append(f"{years_left} năm còn lại cần bình quân {_num(needed)}{unit}")
    return Evaluation(verdict, _sentence(*parts), path, (year, latest))


# --------------------------------------------------------------------------- YEARLY_DECREASE


def _yearly_decrease(
    target: TargetLike,
    comparator: Comparator,
    target_year: int,
    baseline: tuple[int, Decimal] | None,
    series: list[tuple[int, Decimal]],
    this_year: int,
) -> Evaluation:
    unit = target.unit
    low = target.low
    assert low is not None
    period = [p for p in series if p[0] <= target_year] or series[:1]
    points = ([baseline] if baseline and (not period or baseline[0] < period[0][0]) else []) + (
        period
    )
    path: list[tuple[int, Decimal]] = []
    if points:
        start_year, start_value = points[0]
        path = [
            (year, _q(max(start_value - low * (year - start_year), ZERO)))
            for year in range(start_year, target_year + 1)
        ]
    if not series:
        return Evaluation(Verdict.NO_DATA, NO_DATA, path)
    if len(points) < 2:
        year, value = points[-1]
        return Evaluation(
            Verdict.NO_DATA,
            f"Mới có số liệu năm {year} ({_amount(value, unit)}); cần ít nhất hai năm để tính "
            "mức giảm.",
            path,
            (year, value),
        )
    (first_year, first_value), (year, value) = points[0], points[-1]
    prev_year, prev_value = points[-2]
    average = (first_value - value) / (year - first_year)
    last = (prev_value - value) / (year - prev_year)
    nothing_left = value <= low
    goal_text = _goal_text(target, comparator, "%/năm" if unit == "%" else unit)
    summary = (
        f"từ {first_year} đến {year} {'giảm' if average >= 0 else 'tăng'} bình quân "
        f"{_per_year(abs(average), unit)} (từ {_amount(first_value, unit)} "
        f"còn {_amount(value, unit)})"
    )
    average_ok = nothing_left or _meets_low(target, comparator, average)
    if _is_final(series, target_year, this_year):
        verdict = Verdict.ACHIEVED if average_ok else Verdict.MISSED
        word = "đạt" if average_ok else "không đạt"
        return Evaluation(
            verdict,
            _sentence(summary, f"{word} mục tiêu giảm {goal_text}"),
            path,
            (year, value),
        )
    latest_ok = nothing_left or _meets_low(target, comparator, last)
    if average_ok and latest_ok:
        verdict = Verdict.ON_TRACK
    elif average_ok or average >= low - DECREASE_RISK_POINTS:
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.OFF_TRACK
    compare = "đạt" if average_ok else "chậm hơn"
    parts = [summary, f"{compare} mục tiêu giảm {goal_text}"]
    if len(points) > 2:
        word = "giảm" if last >= 0 else "tăng"
        parts.append(f"riêng năm {year} {word} {_gap(abs(last), unit)}")
    return Evaluation(verdict, _sentence(*parts), path, (year, value))


# --------------------------------------------------------------------------- UPPER_BOUND


def _upper_bound(
    target: TargetLike,
    comparator: Comparator,
    target_year: int,
    baseline: tuple[int, Decimal] | None,
    series: list[tuple[int, Decimal]],
    this_year: int,
) -> Evaluation:
    unit = target.unit
    bound = target.high if target.high is not None else target.low
    assert bound is not None
    starts = [p[0] for p in ([baseline] if baseline else []) + series]
    first_year = min(starts) if starts else target_year
    path = [(year, _q(bound)) for year in range(min(first_year, target_year), target_year + 1)]
    if not series:
        return Evaluation(Verdict.NO_DATA, NO_DATA, path)
    strict = comparator is Comparator.LESS_THAN

    def under(value: Decimal) -> bool:
        return value < bound if strict else value <= bound

    goal_text = _goal_text(target, comparator, unit)
    if _is_final(series, target_year, this_year):
        year, value = _judged(series, target_year)
        ok = under(value)
        return Evaluation(
            Verdict.ACHIEVED if ok else Verdict.MISSED,
            _sentence(
                f"năm {year} ở mức {_amount(value, unit)}",
                f"{'đạt' if ok else 'không đạt'} mục tiêu {goal_text}",
            ),
            path,
            (year, value),
        )
    year, value = series[-1]
    if not under(value):
        verdict = Verdict.OFF_TRACK
        tail = f"vượt giới hạn {goal_text} ({_gap(value - bound, unit)})"
    else:
        near = value >= bound - abs(bound) * BOUND_RISK_SHARE
        verdict = Verdict.AT_RISK if near else Verdict.ON_TRACK
        tail = f"trong giới hạn {goal_text} (còn cách {_gap(bound - value, unit)})"
    return Evaluation(
        verdict, _sentence(f"năm {year} ở mức {_amount(value, unit)}", tail), path, (year, value)
    )


# --------------------------------------------------------------------------- STRUCTURE


def _share_key(name: str) -> str:
    return re.sub(r"\s+", " ", fold(name)).strip(" .,;:")


def _structure(
    target: TargetLike,
    target_year: int,
    this_year: int,
    values_by_share: Mapping[str, Decimal] | None,
    shares_year: int | None,
) -> Evaluation:
    wanted: list[tuple[str, Decimal]] = []
    for share in target.shares:
        if isinstance(share, Mapping):
            wanted.append((str(share["name"]), Decimal(str(share["value"]))))
        else:
            wanted.append((share.name, Decimal(share.value)))
    if not values_by_share:
        return Evaluation(Verdict.NO_DATA, "Chưa có số liệu theo từng thành phần của cơ cấu.")
    actual = {_share_key(name): Decimal(value) for name, value in values_by_share.items()}
    missing = [name for name, _ in wanted if _share_key(name) not in actual]
    if missing:
        return Evaluation(
            Verdict.NO_DATA,
            "Chưa có số liệu của thành phần: " + "; ".join(f"«{name}»" for name in missing) + ".",
        )
    year = shares_year if shares_year is not None else this_year
    deviations = [(abs(actual[_share_key(name)] - goal), name, goal) for name, goal in wanted]
    worst, name, goal = max(deviations, key=lambda item: item[0])
    got = actual[_share_key(name)]
    if this_year > target_year or year >= target_year:
        verdict = Verdict.ACHIEVED if worst <= STRUCTURE_ON_TRACK else Verdict.MISSED
    elif worst <= STRUCTURE_ON_TRACK:
        verdict = Verdict.ON_TRACK
    elif worst <= STRUCTURE_AT_RISK:
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.OFF_TRACK
    return Evaluation(
        verdict,
        f"Năm {year}: lệch lớn nhất {_gap(worst, '%')} ở «{name}» ({_raw(got)}% so với mục "
        f"tiêu {_raw(goal)}% đặt cho năm {target_year}).",
    )


# --------------------------------------------------------------------------- PERIOD_SUM


def _period_sum(
    target: TargetLike,
    comparator: Comparator,
    target_year: int,
    series: list[tuple[int, Decimal]],
    this_year: int,
) -> Evaluation:
    unit = target.unit
    low = target.low
    assert low is not None
    year = min(this_year, target_year)
    # The five-year plan containing ``year``, counted back from the target year.
    plan_end = target_year - ((target_year - year) // PLAN_YEARS) * PLAN_YEARS
    plan_start = plan_end - PLAN_YEARS + 1
    in_plan = [(y, v) for y, v in series if plan_start <= y <= plan_end]
    path = [
        (y, _q(low * (y - plan_start + 1) / PLAN_YEARS)) for y in range(plan_start, plan_end + 1)
    ]
    goal_text = _goal_text(target, comparator, unit)
    plan = f"kế hoạch {plan_start}–{plan_end}"
    if not in_plan:
        return Evaluation(Verdict.NO_DATA, NO_DATA, path)
    total = sum((v for _, v in in_plan), ZERO)
    last_year = in_plan[-1][0]
    summary = f"{plan} đến năm {last_year} cộng dồn đạt {_amount(total, unit, derived=True)}"
    if this_year > plan_end or last_year >= plan_end:
        verdict = Verdict.ACHIEVED if _meets_low(target, comparator, total) else Verdict.MISSED
        word = "đạt" if verdict is Verdict.ACHIEVED else "không đạt"
        return Evaluation(
            verdict,
            _sentence(summary, f"{word} mục tiêu {goal_text} mỗi kế hoạch 5 năm"),
            path,
            (last_year, total),
        )
    expected = low * (last_year - plan_start + 1) / PLAN_YEARS
    if total >= expected:
        verdict = Verdict.ON_TRACK
    elif total >= expected * (1 - LEVEL_RISK_SHARE):
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.OFF_TRACK
    return Evaluation(
        verdict,
        _sentence(
            summary,
            f"theo tiến độ cần khoảng {_amount(expected, unit, derived=True)} "
            f"(mục tiêu {goal_text} cả kế hoạch)",
        ),
        path,
        (last_year, total),
    )


# --------------------------------------------------------------------------- input checks


def value_problem(
    target: TargetLike,
    *,
    target_year: int,
    first_year: int | None,
    year: int,
    value: Decimal,
) -> str | None:
    """Why a yearly value cannot be entered for this target (Vietnamese), or None.

    A value is for a year of the target: from ``first_year`` (its baseline year, else the
    year before its document was issued: the figures it starts from) to the target year. A
    level, a share, a total or the level of a falling rate is never negative; only a yearly
    growth rate can be (the economy may shrink)."""
    if year > target_year:
        return f"Năm {year} nằm ngoài thời hạn của chỉ tiêu (mục tiêu đến năm {target_year})."
    if first_year is not None and year < first_year:
        return (
            f"Năm {year} nằm ngoài thời kỳ của chỉ tiêu (từ năm {first_year} đến năm "
            f"{target_year})."
        )
    if value < 0 and TargetKind(target.kind) is not TargetKind.YEARLY_RATE:
        return (
            f"Giá trị âm ({_raw(value)}) không hợp lệ với chỉ tiêu này: đây là mức đạt được, "
            "không phải tốc độ tăng."
        )
    return None
