"""indicators.targets: printed target phrases from seeds 000 and 004 -> typed Target."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.targets import (
    Comparator,
    Share,
    Target,
    TargetKind,
    TargetParseError,
    parse_target,
    structure_total,
)

K = TargetKind
C = Comparator
D = Decimal

STRUCTURE_004 = (
    "nông, lâm nghiệp và thủy sản chiếm 10,1%, công nghiệp - xây dựng chiếm 48,5%, "
    "dịch vụ chiếm 33,4%, thuế sản phẩm trừ trợ cấp sản phẩm chiếm 8%"
)
STRUCTURE_000 = "nông lâm thủy sản khoảng 21,9%, công nghiệp - xây dựng 38,7% và dịch vụ 39,49%"
SHARES_004 = (
    Share("nông, lâm nghiệp và thủy sản", D("10.1")),
    Share("công nghiệp - xây dựng", D("48.5")),
    Share("dịch vụ", D("33.4")),
    Share("thuế sản phẩm trừ trợ cấp sản phẩm", D("8")),
)
SHARES_000 = (
    Share("nông lâm thủy sản", D("21.9")),
    Share("công nghiệp - xây dựng", D("38.7")),
    Share("dịch vụ", D("39.49")),
)

# phrase, kind, comparator, low, high, unit, per_year, shares
# fmt: off
PHRASES = [
    # seed 004, II.2
    ("đạt khoảng 9-11%/năm", K.YEARLY_RATE, C.RANGE, D(9), D(11), "%", True, ()),
    ("đạt khoảng 63.600 tỷ đồng", K.LEVEL, C.APPROX, D(63600), D(63600), "tỷ đồng", False, ()),
    (STRUCTURE_004, K.STRUCTURE, C.EXACT, None, None, "%", False, SHARES_004),
    (
        "đạt 116,6 triệu đồng/người/năm", K.LEVEL, C.EXACT, D("116.6"), D("116.6"),
        "triệu đồng/người/năm", False, (),
    ),
    ("đạt trên 5.000 tỷ đồng", K.LEVEL, C.MORE_THAN, D(5000), None, "tỷ đồng", False, ()),
    ("đạt 40%", K.LEVEL, C.EXACT, D(40), D(40), "%", False, ()),
    ("70%", K.LEVEL, C.EXACT, D(70), D(70), "%", False, ()),
    ("25%", K.LEVEL, C.EXACT, D(25), D(25), "%", False, ()),
    ("04 đơn vị cấp huyện", K.LEVEL, C.EXACT, D(4), D(4), "đơn vị cấp huyện", False, ()),
    ("đạt 13%/năm", K.YEARLY_RATE, C.EXACT, D(13), D(13), "%", True, ()),
    (
        "đạt khoảng trên 2 triệu lượt người", K.LEVEL, C.MORE_THAN, D(2), None,
        "triệu lượt người", False, (),
    ),
    ("đạt khoảng 70%", K.LEVEL, C.APPROX, D(70), D(70), "%", False, ()),
    ("đạt 55%", K.LEVEL, C.EXACT, D(55), D(55), "%", False, ()),
    ("giảm 2%-3%/năm", K.YEARLY_DECREASE, C.RANGE, D(2), D(3), "%", True, ()),
    (
        "Đạt trên 40 giường bệnh/vạn dân", K.LEVEL, C.MORE_THAN, D(40), None,
        "giường bệnh/vạn dân", False, (),
    ),
    ("trên 13 bác sĩ/vạn dân", K.LEVEL, C.MORE_THAN, D(13), None, "bác sĩ/vạn dân", False, ()),
    ("100%", K.LEVEL, C.EXACT, D(100), D(100), "%", False, ()),
    ("đạt trên 95% dân số", K.LEVEL, C.MORE_THAN, D(95), None, "%", False, ()),
    ("đạt 56%", K.LEVEL, C.EXACT, D(56), D(56), "%", False, ()),
    ("đạt 100%", K.LEVEL, C.EXACT, D(100), D(100), "%", False, ()),
    # seed 004, III
    ("đạt trên 8%/năm", K.YEARLY_RATE, C.MORE_THAN, D(8), None, "%", True, ()),
    ("đạt khoảng 168 nghìn tỷ đồng", K.LEVEL, C.APPROX, D(168), D(168), "nghìn tỷ đồng", False, ()),
    ("đạt 80%", K.LEVEL, C.EXACT, D(80), D(80), "%", False, ()),
    # seed 000, II
    ("đạt 7,5% - 8%", K.LEVEL, C.RANGE, D("7.5"), D(8), "%", False, ()),
    ("đạt khoảng 2.000 USD", K.LEVEL, C.APPROX, D(2000), D(2000), "USD", False, ()),
    (STRUCTURE_000, K.STRUCTURE, C.APPROX, None, None, "%", False, SHARES_000),
    ("tăng bình quân 16 - 17%/năm", K.YEARLY_RATE, C.RANGE, D(16), D(17), "%", True, ()),
    ("đạt khoảng 13%", K.LEVEL, C.APPROX, D(13), D(13), "%", False, ()),
    ("từ 3 - 4%", K.LEVEL, C.RANGE, D(3), D(4), "%", False, ()),
    (
        "Giảm tỷ lệ hộ nghèo mỗi năm từ 3 - 4%", K.YEARLY_DECREASE, C.RANGE, D(3), D(4), "%",
        True, (),
    ),
    (
        "khoảng 250 - 300 nghìn lao động", K.LEVEL, C.RANGE, D(250), D(300), "nghìn lao động",
        False, (),
    ),
    ("lên trên 85%", K.LEVEL, C.MORE_THAN, D(85), None, "%", False, ()),
    ("đạt trên 65%", K.LEVEL, C.MORE_THAN, D(65), None, "%", False, ()),
    ("có trên 80%", K.LEVEL, C.MORE_THAN, D(80), None, "%", False, ()),
    ("lên 50%", K.LEVEL, C.EXACT, D(50), D(50), "%", False, ()),
    # upper bounds and the other comparator words
    ("dưới 5%", K.UPPER_BOUND, C.LESS_THAN, None, D(5), "%", False, ()),
    ("không quá 3%", K.UPPER_BOUND, C.AT_MOST, None, D(3), "%", False, ()),
    ("tối đa 3%", K.UPPER_BOUND, C.AT_MOST, None, D(3), "%", False, ()),
    ("ít nhất 60%", K.LEVEL, C.AT_LEAST, D(60), None, "%", False, ()),
    ("tối thiểu 60%", K.LEVEL, C.AT_LEAST, D(60), None, "%", False, ()),
    ("không dưới 60%", K.LEVEL, C.AT_LEAST, D(60), None, "%", False, ()),
    ("từ 5% trở lên", K.LEVEL, C.AT_LEAST, D(5), None, "%", False, ()),
    ("đạt 7,5–8%", K.LEVEL, C.RANGE, D("7.5"), D(8), "%", False, ()),
    ("từ 3 đến 4%", K.LEVEL, C.RANGE, D(3), D(4), "%", False, ()),
    # whole clauses as printed in the seeds
    (
        "Tốc độ tăng trưởng GDP bình quân hàng năm đạt 7,5% - 8%", K.YEARLY_RATE, C.RANGE,
        D("7.5"), D(8), "%", True, (),
    ),
    (
        "tăng trưởng GRDP đạt khoảng 9-11%/năm", K.YEARLY_RATE, C.RANGE, D(9), D(11), "%",
        True, (),
    ),
    (
        "tỷ lệ nghèo đa chiều giảm 2%-3%/năm", K.YEARLY_DECREASE, C.RANGE, D(2), D(3), "%",
        True, (),
    ),
    (
        "tỷ lệ tăng thu ngân sách đạt khoảng 13%", K.LEVEL, C.APPROX, D(13), D(13), "%",
        False, (),
    ),
    (
        "tăng tỷ lệ sử dụng lao động ở khu vực nông thôn lên trên 85%", K.LEVEL, C.MORE_THAN,
        D(85), None, "%", False, (),
    ),
    (
        "tổng lượt khách du lịch năm 2030 đạt khoảng trên 2 triệu lượt người", K.LEVEL,
        C.MORE_THAN, D(2), None, "triệu lượt người", False, (),
    ),
    (
        "tốc độ tăng trưởng bình quân ngành công nghiệp giai đoạn 2021-2030 đạt trên 8%/năm",
        K.YEARLY_RATE, C.MORE_THAN, D(8), None, "%", True, (),
    ),
    (
        "GRDP bình quân đầu người đạt 116,6 triệu đồng/người/năm (giá hiện hành)", K.LEVEL,
        C.EXACT, D("116.6"), D("116.6"), "triệu đồng/người/năm", False, (),
    ),
    (
        "giảm tỷ lệ hộ nghèo xuống dưới 5%", K.UPPER_BOUND, C.LESS_THAN, None, D(5), "%",
        False, (),
    ),
    (
        "khoảng 30 nghìn lao động mỗi năm", K.LEVEL, C.APPROX, D(30), D(30), "nghìn lao động",
        True, (),
    ),
    # unaccented typing folds to the same words
    ("dat khoang 9-11%/nam", K.YEARLY_RATE, C.RANGE, D(9), D(11), "%", True, ()),
]
# fmt: on


@pytest.mark.parametrize(
    ("phrase", "kind", "comparator", "low", "high", "unit", "per_year", "shares"),
    PHRASES,
    ids=[row[0][:50] for row in PHRASES],
)
def test_phrase_table(phrase, kind, comparator, low, high, unit, per_year, shares):
    target = parse_target(phrase)
    assert isinstance(target, Target)
    assert target.text == phrase
    assert (target.kind, target.comparator) == (kind, comparator)
    assert (target.low, target.high) == (low, high)
    assert target.unit == unit
    assert target.per_year is per_year
    assert target.shares == shares
    assert target.normalized


@pytest.mark.parametrize(
    ("phrase", "normalized"),
    [
        ("đạt khoảng 9-11%/năm", "Khoảng 9–11 %/năm"),
        ("đạt trên 5.000 tỷ đồng", "Trên 5.000 tỷ đồng"),
        ("đạt 56%", "56 %"),
        ("đạt khoảng 63.600 tỷ đồng", "Khoảng 63.600 tỷ đồng"),
        ("giảm 2%-3%/năm", "Giảm 2–3 %/năm"),
        ("Giảm tỷ lệ hộ nghèo mỗi năm từ 3 - 4%", "Giảm 3–4 %/năm"),
        ("đạt 7,5% - 8%", "7,5–8 %"),
        ("đạt khoảng trên 2 triệu lượt người", "Khoảng trên 2 triệu lượt người"),
        ("đạt trên 95% dân số", "Trên 95 % dân số"),
        ("04 đơn vị cấp huyện", "4 đơn vị cấp huyện"),
        ("đạt 116,6 triệu đồng/người/năm", "116,6 triệu đồng/người/năm"),
        ("dưới 5%", "Dưới 5 %"),
        ("khoảng 250 - 300 nghìn lao động", "Khoảng 250–300 nghìn lao động"),
        ("khoảng 30 nghìn lao động mỗi năm", "Khoảng 30 nghìn lao động mỗi năm"),
        (
            "GRDP bình quân đầu người đạt 116,6 triệu đồng/người/năm (giá hiện hành)",
            "116,6 triệu đồng/người/năm (giá hiện hành)",
        ),
        (
            STRUCTURE_000,
            "Cơ cấu (khoảng): nông lâm thủy sản 21,9 %; công nghiệp - xây dựng 38,7 %; "
            "dịch vụ 39,49 %",
        ),
    ],
)
def test_normalized(phrase, normalized):
    assert parse_target(phrase).normalized == normalized


def test_text_is_nfc_of_input():
    decomposed = "\u0111a\u0323t 56%"  # "đạt" with a combining dot below
    assert parse_target(decomposed).text == "đạt 56%"
    assert parse_target("  đạt   56%  ").text == "đạt 56%"


def test_structure_total():
    assert structure_total(parse_target(STRUCTURE_004)) == D("100.0")
    assert structure_total(parse_target(STRUCTURE_000)) == D("100.09")
    with pytest.raises(ValueError, match="cơ cấu"):
        structure_total(parse_target("đạt 56%"))


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "   ",
        "abc",
        "đạt",
        "11-9%",  # low above high
        "tăng 20%",  # increase by 20% once? or to 20%? not said
        "giảm 2%",
        "gần 5.000 tỷ đồng",  # "gần" is not a comparator we read
        "giám sát 5%",  # folds like "giảm" but is not
        "từ 5%",
        "trên 9-11%",
        "đạt -5%",
        "đạt 1,234.5 tỷ đồng",  # English-style number
        "đạt 1.23 tỷ đồng",  # ambiguous dot
        "đạt 5.000 tỷ đồng so với năm 2020",
        "70% số xã đạt chuẩn nông thôn mới, trong đó 25% số xã đạt chuẩn nông thôn mới nâng cao",
        "tỷ lệ A đạt 50%, tỷ lệ B đạt 60%",
        "nông nghiệp 30%, công nghiệp 30%",  # shares not summing to about 100
        "2 tỷ đồng - 3 USD",
        "5%, 6%, 7%",
        "có 04 đơn vị cấp huyện đạt chuẩn nông thôn mới và nông thôn mới nâng cao",
        "lên 50% mỗi năm",
        "tăng 5%/tháng",
        "đạt (56%",
    ],
)
def test_refuses(phrase):
    with pytest.raises(TargetParseError):
        parse_target(phrase)


def test_error_is_a_value_error_with_vietnamese_message():
    with pytest.raises(ValueError, match="không thấy con số"):
        parse_target("abc")


FRAGMENTS = [
    "đạt", "khoảng", "trên", "dưới", "không quá", "tối đa", "ít nhất", "từ", "đến", "lên",
    "giảm", "tăng", "mỗi năm", "hàng năm", "trở lên", "trở xuống", "bình quân", "năm 2030",
    "giai đoạn 2021-2030", "9-11", "63.600", "116,6", "1,234.5", "1.23", "%", "%/năm", "/năm",
    "tỷ đồng", "USD", "-", "–", ",", ";", "và", "chiếm", "(", ")", "(giá hiện hành)", "0", "50%",
    "dịch vụ", "1e309", "NaN", "ß", "İ", "\u0301", "٣", "²", "\u00a0", "",
]  # fmt: skip


@given(st.text())
def test_never_raises_other_errors_on_arbitrary_text(text):
    try:
        target = parse_target(text)
    except TargetParseError:
        return
    assert target.normalized


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=10).map(" ".join))
def test_never_raises_other_errors_on_phrase_like_text(text):
    try:
        target = parse_target(text)
    except TargetParseError:
        return
    assert target.normalized
    if target.comparator is Comparator.RANGE:
        assert target.low is not None and target.high is not None and target.low <= target.high
    if target.kind is TargetKind.STRUCTURE:
        assert D(90) <= structure_total(target) <= D(110)
