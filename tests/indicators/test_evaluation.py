"""indicators.evaluation: every target of seeds 000 and 004 judged on hand-made series."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from indicators.evaluation import Verdict, evaluate, target_from_indicator
from indicators.targets import Target, TargetKind, parse_indicator_target, parse_target

D = Decimal
V = Verdict
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "indicators.yaml"
ROWS = {row["code"]: row for row in yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))}
TARGETS = {code: parse_indicator_target(r["name"], r["target"]) for code, r in ROWS.items()}

# Seed 000 targets are for 2020 (judged in 2018 on 2015 -> 2017), seed 004 targets for 2030
# (judged in 2025 on 2020 -> 2024): both 40% of the way from the baseline to the target year.
NOW = {2020: 2018, 2030: 2025}
BASE_YEAR = {2020: 2015, 2030: 2020}
LAST_YEAR = {2020: 2017, 2030: 2024}

# LEVEL: code, baseline, on track, at risk, off track (a value in the last year)
# fmt: off
LEVELS = [
    ("KL26-02", "1000", "1420", "1300", "1200"),      # khoảng 2.000 USD (compound path)
    ("KL26-08", "60", "70.5", "69.5", "65"),           # lên trên 85%
    ("KL26-09", "40", "50.5", "49.5", "45"),           # trên 65%
    ("KL26-10", "55", "65.5", "64.5", "60"),           # trên 80%
    ("KL26-11", "50", "71", "69", "60"),               # 100%
    ("KL26-12", "40", "44.2", "43.8", "42"),           # lên 50%
    ("CTR26-02", "23600", "40400", "34000", "31600"),  # khoảng 63.600 tỷ đồng (compound)
    ("CTR26-04", "43", "73.912", "62", "57.72"),       # 116,6 triệu đồng/người/năm
    ("CTR26-05", "2000", "3260", "2800", "2600"),      # trên 5.000 tỷ đồng (compound)
    ("CTR26-06", "30", "34.2", "33.8", "32"),          # 40%
    ("CTR26-07", "20", "41", "39", "30"),              # 70%
    ("CTR26-08", "0", "10.5", "9.5", "5"),             # 25%
    ("CTR26-09", "1", "3", "2", "1"),                  # 04 đơn vị cấp huyện
    ("CTR26-11", "0.5", "1.13", "1.07", "0.8"),        # khoảng trên 2 triệu lượt người
    ("CTR26-12", "45", "55.5", "54.5", "50"),          # khoảng 70%
    ("CTR26-13", "30", "40.5", "39.5", "35"),          # 55%
    ("CTR26-15", "20", "28.4", "27.6", "24"),          # trên 40 giường bệnh/vạn dân
    ("CTR26-16", "8", "10.1", "9.9", "9"),             # trên 13 bác sĩ/vạn dân
    ("CTR26-17", "50", "71", "69", "60"),              # 100%
    ("CTR26-18", "85", "89.2", "88.8", "87"),          # trên 95% dân số
    ("CTR26-19", "46", "50.2", "49.8", "48"),          # 56%
    ("CTR26-20", "80", "88.4", "87.6", "84"),          # 100%
    ("CTR26-21", "60", "76.8", "75.2", "68"),          # 100%
    ("CTR26-22", "50", "71", "69", "60"),              # 100%
    ("CTR26-23", "70", "82.6", "81.4", "76"),          # 100%
    ("CTR26-24", "0", "42", "38", "20"),               # 100%
    # seed 004 section III
    ("CTR26-26", "50", "90", "78", "60"),              # khoảng 168 nghìn tỷ đồng (compound)
    ("CTR26-27", "8000", "8900", "8700", "8400"),      # trên 10.000 ha
    ("CTR26-28", "15000", "23500", "22500", "20000"),  # khoảng 35.000 ha
    ("CTR26-29", "4000", "6400", "6200", "5500"),      # 9.800 ha
    ("CTR26-30", "0", "8100", "7500", "5000"),         # 20.000 ha
    ("CTR26-31", "20000", "28500", "27500", "24000"),  # trên 40.000 ha
    ("CTR26-32", "50", "71", "69", "60"),              # 100%
    ("CTR26-33", "40", "57", "55", "48"),              # trên 80%
    ("CTR26-34", "50", "71", "69", "60"),              # 100%
    ("CTR26-35", "40", "57", "55", "48"),              # 80%
]

# YEARLY_RATE: code, baseline (year, value) or None, first year, rates per verdict
RATES = [
    ("KL26-01", None, 2016, {V.ON_TRACK: ["8", "7.8"], V.AT_RISK: ["7", "7.2"],
                             V.OFF_TRACK: ["5", "6"]}),
    ("KL26-04", None, 2016, {V.ON_TRACK: ["17", "16.5"], V.AT_RISK: ["15.5", "15.7"],
                             V.OFF_TRACK: ["10", "12"]}),
    ("CTR26-01", (2020, "10.89"), 2021, {V.ON_TRACK: ["9.5", "10", "9.2", "11.5"],
                                         V.AT_RISK: ["8.5", "8.8", "8.2", "8.9"],
                                         V.OFF_TRACK: ["6", "7", "6.5", "7"]}),
    ("CTR26-10", None, 2022, {V.ON_TRACK: ["13.5", "14", "13"], V.AT_RISK: ["12.5", "12.2", "12.8"],
                              V.OFF_TRACK: ["8", "9", "10"]}),
    # "Tỷ lệ tăng thu ngân sách đạt khoảng 13%": the yearly increase, a rate
    ("KL26-05", None, 2016, {V.ON_TRACK: ["13.5", "13"], V.AT_RISK: ["12.5", "12.2"],
                             V.OFF_TRACK: ["10", "11"]}),
    ("CTR26-25", None, 2022, {V.ON_TRACK: ["9", "8.5", "8.7"], V.AT_RISK: ["8.5", "8.2", "7.9"],
                              V.OFF_TRACK: ["5", "6", "6"]}),
]

# PERIOD_SUM: code, yearly amounts of the plan so far per verdict ("mỗi kế hoạch 5 năm")
PERIOD_SUMS = [
    ("KL26-07", {V.ON_TRACK: ["52", "51", "50"], V.AT_RISK: ["48", "47", "46"],
                 V.OFF_TRACK: ["30", "35", "40"]}),
]

# YEARLY_DECREASE: code, first year, levels per verdict
DECREASES = [
    ("KL26-06", 2015, {V.ON_TRACK: ["30", "26.5", "23"], V.AT_RISK: ["30", "27.3", "24.6"],
                       V.OFF_TRACK: ["30", "29", "28"]}),
    ("CTR26-14", 2021, {V.ON_TRACK: ["20", "17.5", "15", "12.6"],
                        V.AT_RISK: ["20", "18.2", "16.4", "14.6"],
                        V.OFF_TRACK: ["20", "19.5", "19", "18.5"]}),
]

# STRUCTURE: code, shares per verdict (in the order of the target)
STRUCTURES = [
    ("KL26-03", {V.ON_TRACK: ["21.5", "39", "39.5"], V.AT_RISK: ["24", "37", "39"],
                 V.OFF_TRACK: ["30", "33", "37"]}),
    ("CTR26-03", {V.ON_TRACK: ["10.5", "48", "33.5", "8"], V.AT_RISK: ["12", "46", "34", "8"],
                  V.OFF_TRACK: ["15", "40", "37", "8"]}),
]
# fmt: on

IN_PROGRESS = (V.ON_TRACK, V.AT_RISK, V.OFF_TRACK)


def test_every_fixture_target_has_a_table_row() -> None:
    covered = (
        {row[0] for row in LEVELS}
        | {row[0] for row in RATES}
        | {row[0] for row in DECREASES}
        | {row[0] for row in STRUCTURES}
        | {row[0] for row in PERIOD_SUMS}
    )
    assert covered == set(ROWS)
    kinds = {
        TargetKind.LEVEL: {row[0] for row in LEVELS},
        TargetKind.YEARLY_RATE: {row[0] for row in RATES},
        TargetKind.YEARLY_DECREASE: {row[0] for row in DECREASES},
        TargetKind.STRUCTURE: {row[0] for row in STRUCTURES},
        TargetKind.PERIOD_SUM: {row[0] for row in PERIOD_SUMS},
    }
    for kind, codes in kinds.items():
        assert {code for code in codes if TARGETS[code].kind is kind} == codes


def _level_cases():  # type: ignore[no-untyped-def]
    for code, baseline, *values in LEVELS:
        for verdict, value in zip(IN_PROGRESS, values, strict=True):
            yield pytest.param(code, baseline, value, verdict, id=f"{code}-{verdict}")


@pytest.mark.parametrize(("code", "baseline", "value", "verdict"), list(_level_cases()))
def test_level_in_progress(code: str, baseline: str, value: str, verdict: Verdict) -> None:
    year = ROWS[code]["target_year"]
    result = evaluate(
        TARGETS[code],
        target_year=year,
        baseline=(BASE_YEAR[year], D(baseline)),
        values=[(LAST_YEAR[year], D(value))],
        this_year=NOW[year],
    )
    assert result.verdict is verdict, result.explanation
    assert result.latest == (LAST_YEAR[year], D(value))
    assert result.expected_path[0] == (BASE_YEAR[year], D(baseline))
    assert result.expected_path[-1][0] == year
    assert result.explanation.startswith(f"Năm {LAST_YEAR[year]} đạt ")


def _series_cases(table):  # type: ignore[no-untyped-def]
    for code, *_ in table:
        for verdict in IN_PROGRESS:
            yield pytest.param(code, verdict, id=f"{code}-{verdict}")


@pytest.mark.parametrize(("code", "verdict"), list(_series_cases(RATES)))
def test_yearly_rate_in_progress(code: str, verdict: Verdict) -> None:
    _, baseline, first_year, by_verdict = next(row for row in RATES if row[0] == code)
    year = ROWS[code]["target_year"]
    values = [(first_year + i, D(v)) for i, v in enumerate(by_verdict[verdict])]
    result = evaluate(
        TARGETS[code],
        target_year=year,
        baseline=(baseline[0], D(baseline[1])) if baseline else None,
        values=values,
        this_year=NOW[year],
    )
    assert result.verdict is verdict, result.explanation
    assert {value for _, value in result.expected_path} == {TARGETS[code].low}


@pytest.mark.parametrize(("code", "verdict"), list(_series_cases(DECREASES)))
def test_yearly_decrease_in_progress(code: str, verdict: Verdict) -> None:
    _, first_year, by_verdict = next(row for row in DECREASES if row[0] == code)
    year = ROWS[code]["target_year"]
    values = [(first_year + i, D(v)) for i, v in enumerate(by_verdict[verdict])]
    result = evaluate(TARGETS[code], target_year=year, values=values, this_year=NOW[year])
    assert result.verdict is verdict, result.explanation
    assert result.expected_path[0] == values[0]
    assert result.expected_path[1] == (first_year + 1, values[0][1] - TARGETS[code].low)


@pytest.mark.parametrize(("code", "verdict"), list(_series_cases(STRUCTURES)))
def test_structure_in_progress(code: str, verdict: Verdict) -> None:
    _, by_verdict = next(row for row in STRUCTURES if row[0] == code)
    target = TARGETS[code]
    year = ROWS[code]["target_year"]
    shares = {share.name: D(v) for share, v in zip(target.shares, by_verdict[verdict], strict=True)}
    result = evaluate(
        target,
        target_year=year,
        values_by_share=shares,
        shares_year=LAST_YEAR[year],
        this_year=NOW[year],
    )
    assert result.verdict is verdict, result.explanation
    assert result.explanation.startswith(f"Năm {LAST_YEAR[year]}: lệch lớn nhất ")


# --------------------------------------------------------------------------- no data


@pytest.mark.parametrize("code", sorted(ROWS))
def test_no_values_is_no_data(code: str) -> None:
    year = ROWS[code]["target_year"]
    result = evaluate(TARGETS[code], target_year=year, values=[], this_year=NOW[year])
    assert result.verdict is V.NO_DATA
    assert "Chưa có số liệu" in result.explanation


def test_values_after_this_year_are_ignored() -> None:
    result = evaluate(TARGETS["CTR26-19"], target_year=2030, values=[(2027, D(60))], this_year=2025)
    assert result.verdict is V.NO_DATA


def test_a_decrease_needs_two_years() -> None:
    result = evaluate(TARGETS["CTR26-14"], target_year=2030, values=[(2021, D(20))], this_year=2025)
    assert result.verdict is V.NO_DATA
    assert (
        result.explanation == "Mới có số liệu năm 2021 (20%); cần ít nhất hai năm để tính mức giảm."
    )


def test_a_structure_without_every_share_is_no_data() -> None:
    result = evaluate(
        TARGETS["KL26-03"],
        target_year=2020,
        values_by_share={"Nông lâm thủy sản": D(22), "dịch vụ": D(40)},
        this_year=2018,
    )
    assert result.verdict is V.NO_DATA
    assert "«công nghiệp - xây dựng»" in result.explanation


def test_structure_share_names_match_without_accents() -> None:
    result = evaluate(
        TARGETS["KL26-03"],
        target_year=2020,
        values_by_share={
            "NONG LAM THUY SAN": D("21.9"),
            "cong nghiep  - xay dung": D("38.7"),
            "Dịch vụ": D("39.49"),
        },
        this_year=2018,
    )
    assert result.verdict is V.ON_TRACK


# --------------------------------------------------------------------------- achieved / missed

# code, values (year, value), verdict: judged after the target year
# fmt: off
FINAL = [
    ("KL26-02", [(2019, "1900"), (2020, "1950")], V.ACHIEVED),   # khoảng: within 5%
    ("KL26-02", [(2019, "1800"), (2020, "1850")], V.MISSED),
    ("KL26-08", [(2020, "85.1")], V.ACHIEVED),                   # trên 85%
    ("KL26-08", [(2020, "85")], V.MISSED),                       # "trên" is strict
    ("KL26-12", [(2019, "51")], V.ACHIEVED),                     # latest before the target year
    ("KL26-12", [(2020, "49.5"), (2021, "51")], V.MISSED),       # a later year does not count
    ("KL26-07", [(2020, "310")], V.ACHIEVED),                    # above a range is fine
    ("KL26-07", [(2020, "240")], V.MISSED),
    ("KL26-01", [(2016, "7.5"), (2017, "8"), (2018, "7"), (2019, "8"), (2020, "7.6")],
     V.ACHIEVED),
    ("KL26-01", [(2016, "7"), (2017, "7.2"), (2018, "7"), (2019, "8"), (2020, "7.6")], V.MISSED),
    ("KL26-06", [(2015, "30"), (2020, "12")], V.ACHIEVED),       # 3,6 points a year
    ("KL26-06", [(2015, "30"), (2020, "20")], V.MISSED),         # 2 points a year
]
# fmt: on


@pytest.mark.parametrize(("code", "values", "verdict"), FINAL)
def test_after_the_target_year(code: str, values: list, verdict: Verdict) -> None:
    result = evaluate(
        TARGETS[code],
        target_year=2020,
        values=[(year, D(value)) for year, value in values],
        this_year=2022,
    )
    assert result.verdict is verdict, result.explanation


def test_a_target_year_value_is_final_in_the_target_year() -> None:
    result = evaluate(
        TARGETS["CTR26-19"], target_year=2030, values=[(2030, D("56.2"))], this_year=2030
    )
    assert result.verdict is V.ACHIEVED
    assert result.explanation == "Năm 2030 đạt 56,2%, đạt mục tiêu 56% đặt cho năm 2030."


def test_missed_says_how_far() -> None:
    result = evaluate(
        TARGETS["CTR26-05"], target_year=2030, values=[(2030, D(4800))], this_year=2031
    )
    assert result.verdict is V.MISSED
    assert result.explanation == (
        "Năm 2030 đạt 4.800 tỷ đồng, không đạt mục tiêu trên 5.000 tỷ đồng đặt cho năm 2030 "
        "(còn cách 200 tỷ đồng)."
    )


def test_structure_final() -> None:
    target = TARGETS["CTR26-03"]
    shares = dict(zip([s.name for s in target.shares], ["10", "49", "33", "8"], strict=True))
    on = {name: D(v) for name, v in shares.items()}
    assert evaluate(target, target_year=2030, values_by_share=on, this_year=2031).verdict is (
        V.ACHIEVED
    )
    off = {**on, target.shares[0].name: D(13)}
    assert evaluate(target, target_year=2030, values_by_share=off, this_year=2031).verdict is (
        V.MISSED
    )


# --------------------------------------------------------------------------- explanations


def test_level_explanation_is_one_vietnamese_sentence() -> None:
    result = evaluate(
        TARGETS["CTR26-19"],
        target_year=2030,
        baseline=(2020, D(44)),
        values=[(2021, D("45.2")), (2022, D("46")), (2024, D("48.5"))],
        this_year=2025,
    )
    assert result.explanation == (
        "Năm 2024 đạt 48,5%; cần thêm 7,5 điểm % trong 6 năm còn lại (1,3 điểm/năm), "
        "bình quân 3 năm qua tăng 1,1 điểm/năm."
    )
    assert result.verdict is V.AT_RISK  # 0,3 below the path (48,8%), within 10% of 7,5
    assert result.expected_path[:3] == [(2020, D(44)), (2021, D("45.2")), (2022, D("46.4"))]
    assert len(result.expected_path) == 11


def test_level_explanation_with_a_unit() -> None:
    result = evaluate(
        TARGETS["CTR26-02"], target_year=2030, values=[(2024, D(51600))], this_year=2025
    )
    # one value and no baseline: nothing to measure progress from, never "on track"
    assert result.verdict is V.NO_DATA
    assert result.explanation == "Năm 2024 đạt 51.600 tỷ đồng, chưa đủ số liệu để đánh giá."


def test_level_already_reached_is_on_track() -> None:
    result = evaluate(
        TARGETS["CTR26-18"],
        target_year=2030,
        baseline=(2020, D(90)),
        values=[(2023, D("95.5"))],
        this_year=2025,
    )
    assert result.verdict is V.ON_TRACK
    assert result.explanation == "Năm 2023 đạt 95,5%, đã đạt mục tiêu trên 95% đặt cho năm 2030."


def test_level_going_down() -> None:
    target = parse_target("giảm xuống còn 10%")
    assert target.kind is TargetKind.LEVEL
    on = evaluate(
        target, target_year=2030, baseline=(2020, D(20)), values=[(2025, D(14))], this_year=2026
    )
    off = evaluate(
        target, target_year=2030, baseline=(2020, D(20)), values=[(2025, D(19))], this_year=2026
    )
    assert on.verdict is V.ON_TRACK
    assert off.verdict is V.OFF_TRACK
    assert off.explanation.startswith("Năm 2025 đạt 19%; cần giảm thêm 9 điểm %")


def test_rate_explanation() -> None:
    result = evaluate(
        TARGETS["CTR26-01"],
        target_year=2030,
        baseline=(2020, D("10.89")),
        values=[(2021, D(8)), (2022, D("8.5")), (2023, D(9))],
        this_year=2024,
    )
    assert result.verdict is V.AT_RISK
    assert result.explanation == (
        "Bình quân 3 năm (2021–2023) đạt 8,5%/năm, thấp hơn mục tiêu 9–11%/năm, "
        "năm 2023 đạt 9%/năm, 7 năm còn lại cần bình quân 9,2%/năm."
    )
    assert result.expected_path[0] == (2021, D(9))
    assert result.expected_path[-1] == (2030, D(9))


def test_rate_on_average_but_latest_year_below_is_at_risk() -> None:
    values = [(2021, D(11)), (2022, D("10.5")), (2023, D(10)), (2024, D(8))]
    result = evaluate(TARGETS["CTR26-01"], target_year=2030, values=values, this_year=2025)
    assert result.verdict is V.AT_RISK


def test_rate_above_the_range_is_on_track() -> None:
    values = [(2021, D(12)), (2022, D(13))]
    result = evaluate(TARGETS["CTR26-01"], target_year=2030, values=values, this_year=2025)
    assert result.verdict is V.ON_TRACK


def test_decrease_explanation_and_nothing_left_to_cut() -> None:
    result = evaluate(
        TARGETS["CTR26-14"],
        target_year=2030,
        values=[(2021, D(20)), (2022, D("17.5")), (2023, D(15))],
        this_year=2024,
    )
    assert result.explanation == (
        "Từ 2021 đến 2023 giảm bình quân 2,5 điểm/năm (từ 20% còn 15%), "
        "đạt mục tiêu giảm 2–3%/năm, riêng năm 2023 giảm 2,5 điểm %."
    )
    low = evaluate(
        TARGETS["CTR26-14"],
        target_year=2030,
        values=[(2023, D("2.5")), (2024, D("1.8"))],
        this_year=2025,
    )
    assert low.verdict is V.ON_TRACK


# --------------------------------------------------------------------------- upper bound

UPPER = [
    ("dưới 5%", "3", V.ON_TRACK),
    ("dưới 5%", "4.8", V.AT_RISK),
    ("dưới 5%", "5", V.OFF_TRACK),
    ("không quá 5%", "5", V.AT_RISK),
    ("không quá 5%", "5.2", V.OFF_TRACK),
    ("không quá 300 tỷ đồng", "200", V.ON_TRACK),
]


@pytest.mark.parametrize(("phrase", "value", "verdict"), UPPER)
def test_upper_bound(phrase: str, value: str, verdict: Verdict) -> None:
    target = parse_target(phrase)
    assert target.kind is TargetKind.UPPER_BOUND
    result = evaluate(target, target_year=2030, values=[(2024, D(value))], this_year=2025)
    assert result.verdict is verdict, result.explanation
    assert result.expected_path == [(2024 + i, target.high) for i in range(7)]


def test_upper_bound_final() -> None:
    target = parse_target("dưới 5%")
    ok = evaluate(target, target_year=2025, values=[(2025, D("4.9"))], this_year=2026)
    bad = evaluate(target, target_year=2025, values=[(2025, D("5.5"))], this_year=2026)
    assert ok.verdict is V.ACHIEVED
    assert bad.verdict is V.MISSED
    assert bad.explanation == "Năm 2025 ở mức 5,5%, không đạt mục tiêu dưới 5%."


# --------------------------------------------------------------------------- adapters


class _Row:
    """The parsed columns of an Indicator row, as the selectors hand them over."""

    def __init__(self, target: Target, unit: str) -> None:
        self.target_text = target.text
        self.target_kind = target.kind.value
        self.comparator = target.comparator.value
        self.target_low = target.low
        self.target_high = target.high
        self.shares = [{"name": s.name, "value": str(s.value)} for s in target.shares]
        self.per_year = target.per_year
        self.target_normalized = target.normalized
        self.unit_of_measure = unit


@pytest.mark.parametrize("code", sorted(ROWS))
def test_target_from_indicator_columns(code: str) -> None:
    target = TARGETS[code]
    rebuilt = target_from_indicator(_Row(target, target.unit))
    assert rebuilt == target


def test_verdict_labels_are_vietnamese() -> None:
    assert V.AT_RISK.label == "Có nguy cơ chậm"
    assert {v.label for v in V} >= {"Đúng tiến độ", "Chậm tiến độ", "Đã đạt", "Không đạt"}


# --------------------------------------------------------------- issue 12: kinds read right


@pytest.mark.parametrize(("code", "verdict"), list(_series_cases(PERIOD_SUMS)))
def test_period_sum_in_progress(code: str, verdict: Verdict) -> None:
    # "trong mỗi kế hoạch 5 năm ... 250 - 300 nghìn lao động": the plan 2016-2020 so far
    _, by_verdict = next(row for row in PERIOD_SUMS if row[0] == code)
    values = [(2016 + i, D(v)) for i, v in enumerate(by_verdict[verdict])]
    result = evaluate(TARGETS[code], target_year=2020, values=values, this_year=2018)
    assert result.verdict is verdict, result.explanation
    assert result.expected_path[0] == (2016, D(50)) and result.expected_path[-1] == (2020, D(250))


@pytest.mark.parametrize(
    ("values", "this_year", "verdict"),
    [
        ([(2016, "50"), (2017, "50"), (2018, "50"), (2019, "50"), (2020, "55")], 2021, V.ACHIEVED),
        ([(2016, "40"), (2017, "40"), (2018, "40"), (2019, "40"), (2020, "40")], 2021, V.MISSED),
        # the previous plan's years do not count for this one
        ([(2015, "300"), (2016, "20")], 2018, V.OFF_TRACK),
        ([(2014, "300")], 2018, V.NO_DATA),
    ],
)
def test_period_sum_per_plan(values, this_year, verdict) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(
        TARGETS["KL26-07"],
        target_year=2020,
        values=[(y, D(v)) for y, v in values],
        this_year=this_year,
    )
    assert result.verdict is verdict, result.explanation
    assert "kế hoạch 2016–2020" in result.explanation.lower() or verdict is V.NO_DATA


def test_budget_increase_is_a_yearly_rate() -> None:
    target = parse_indicator_target("Tỷ lệ tăng thu ngân sách", "đạt khoảng 13%")
    assert target.kind is TargetKind.YEARLY_RATE and target.per_year
    assert (
        parse_indicator_target(
            "Giải quyết việc làm trong mỗi kế hoạch 5 năm", "khoảng 250 - 300 nghìn lao động"
        ).kind
        is TargetKind.PERIOD_SUM
    )


def test_grdp_follows_a_compound_path_from_its_baseline() -> None:
    result = evaluate(
        TARGETS["CTR26-02"],
        target_year=2030,
        baseline=(2020, D(23600)),
        values=[(2024, D(36000))],
        this_year=2025,
    )
    path = dict(result.expected_path)
    assert path[2020] == D(23600) and path[2030] == D(63600)
    # a constant yearly growth: every year's ratio is the same, ~10,4%/year
    ratios = {round(path[y + 1] / path[y], 3) for y in range(2020, 2030)}
    assert ratios == {D("1.104")}
    # below the straight line (39.600 in 2024) but above the compound one (~35.087)
    assert path[2024] < D(36000) < D(39600)
    assert result.verdict is V.ON_TRACK, result.explanation
    # a percentage level keeps the straight line
    forest = evaluate(
        TARGETS["CTR26-19"], target_year=2030, baseline=(2020, D(46)), values=[], this_year=2025
    )
    assert dict(forest.expected_path)[2025] == D(51)


def test_one_value_without_baseline_is_not_enough() -> None:
    result = evaluate(TARGETS["CTR26-19"], target_year=2030, values=[(2023, D(50))], this_year=2025)
    assert result.verdict is V.NO_DATA
    assert result.explanation == "Năm 2023 đạt 50%, chưa đủ số liệu để đánh giá."
    # with a baseline, or two values, it can be judged
    assert (
        evaluate(
            TARGETS["CTR26-19"],
            target_year=2030,
            baseline=(2020, D(46)),
            values=[(2023, D(50))],
            this_year=2025,
        ).verdict
        is not V.NO_DATA
    )


def test_more_than_hit_exactly_is_not_met_and_says_so() -> None:
    final = evaluate(
        TARGETS["CTR26-05"],
        target_year=2030,
        baseline=(2020, D(2000)),
        values=[(2030, D(5000))],
        this_year=2031,
    )
    assert final.verdict is V.MISSED
    assert "bằng đúng mức mục tiêu" in final.explanation and "còn cách 0" not in final.explanation
    assert "chưa vượt mức" in final.explanation
    ahead = evaluate(
        TARGETS["CTR26-05"],
        target_year=2030,
        baseline=(2020, D(2000)),
        values=[(2025, D(5000))],
        this_year=2026,
    )
    # ahead of the path, but not yet above the level: never "đã đạt"
    assert "đã đạt" not in ahead.explanation
    assert "cần vượt mức" in ahead.explanation and "cần thêm 0" not in ahead.explanation


@pytest.mark.parametrize(
    ("code", "year", "value", "message"),
    [
        ("CTR26-19", 2031, "57", "ngoài thời hạn của chỉ tiêu (mục tiêu đến năm 2030)"),
        ("CTR26-19", 2019, "45", "ngoài thời kỳ của chỉ tiêu (từ năm 2020 đến năm 2030)"),
        ("CTR26-19", 2024, "-3", "Giá trị âm (-3) không hợp lệ"),
        ("CTR26-14", 2024, "-1", "Giá trị âm"),  # the level of a falling rate
        ("KL26-07", 2018, "-5", "Giá trị âm"),  # a total
        ("CTR26-01", 2024, "-2", None),  # a growth rate may be negative
        ("CTR26-19", 2024, "51", None),
    ],
)
def test_values_outside_the_target_are_refused(code, year, value, message) -> None:  # type: ignore[no-untyped-def]
    from indicators.evaluation import value_problem

    target_year = ROWS[code]["target_year"]
    problem = value_problem(
        TARGETS[code],
        target_year=target_year,
        first_year=2020 if target_year == 2030 else 2013,
        year=year,
        value=D(value),
    )
    if message is None:
        assert problem is None
    else:
        assert problem is not None and message in problem
