"""portal.numbers: Vietnamese number text ("63.600", "116,6", "1.234,5") <-> Decimal."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.numbers import format_vn_number, parse_vn_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("63.600", Decimal("63600")),
        ("116,6", Decimal("116.6")),
        ("1.234,5", Decimal("1234.5")),
        ("5.000", Decimal("5000")),
        ("7,5", Decimal("7.5")),
        ("39,49", Decimal("39.49")),
        ("04", Decimal("4")),
        ("-2,5", Decimal("-2.5")),
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234,5", Decimal("1234.5")),  # NBSP grouping
        ("1.234.567", Decimal("1234567")),
        ("63600", Decimal("63600")),
        ("0,5", Decimal("0.5")),
        ("1,234", Decimal("1.234")),  # one comma: the Vietnamese decimal mark
        (" 56 ", Decimal("56")),
        ("-0", Decimal("0")),
    ],
)
def test_parse(text, expected):
    value = parse_vn_number(text)
    assert value == expected
    assert isinstance(value, Decimal)
    assert value.is_finite()


def test_parse_keeps_decimal_digits():
    assert str(parse_vn_number("116,6")) == "116.6"
    assert str(parse_vn_number("-0")) == "0"


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "abc", "NaN", "nan", "Infinity", "-Infinity", "1e309", "1E5",
        "1,234.5", "12,345,678.9", "1.23", "1.2345", "1,2,3", "0.500", "1.234 567",
        ",5", "5,", "1..234", "1.234.", "--5", "5-", "12 34", "٣",
    ],
)  # fmt: skip
def test_parse_refuses(text):
    with pytest.raises(ValueError, match=r"\S"):
        parse_vn_number(text)


def test_english_style_message_points_to_vietnamese_style():
    with pytest.raises(ValueError, match=r"1\.234,5") as info:
        parse_vn_number("1,234.5")
    assert "tiếng Anh" in str(info.value)


def test_ambiguous_dot_is_explained():
    with pytest.raises(ValueError, match="3 chữ số"):
        parse_vn_number("1.23")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (63600, None, "63.600"),
        (116.6, None, "116,6"),
        (1234.5, None, "1.234,5"),
        (Decimal("39.49"), None, "39,49"),
        (Decimal("-2.5"), None, "-2,5"),
        (Decimal("116.60"), None, "116,6"),
        (Decimal("1E+3"), None, "1.000"),
        (Decimal("-0.00"), None, "0"),
        (0, None, "0"),
        (1234567, None, "1.234.567"),
        (116.6, 2, "116,60"),
        (Decimal("1234.565"), 2, "1.234,57"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("-0.001"), 2, "0,00"),
    ],
)
def test_format(value, places, expected):
    assert format_vn_number(value, places) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")])
def test_format_refuses_non_finite(value):
    with pytest.raises(ValueError, match="NaN"):
        format_vn_number(value)


def test_format_refuses_bool():
    with pytest.raises(TypeError):
        format_vn_number(True)


two_place_decimals = st.decimals(
    min_value=Decimal(-(10**12)), max_value=Decimal(10**12), places=2, allow_nan=False
)


@given(two_place_decimals)
def test_round_trip(value):
    text = format_vn_number(value)
    assert parse_vn_number(text) == value
    assert "." not in text.partition(",")[2]  # dots only group the integer part


@given(two_place_decimals)
def test_round_trip_with_places(value):
    assert parse_vn_number(format_vn_number(value, 2)) == value


@given(
    st.decimals(min_value=Decimal(1000), max_value=Decimal(10**12), places=2, allow_nan=False),
    st.integers(min_value=1, max_value=2),
)
def test_refuses_english_style(value, places):
    english = f"{value:,.{places}f}"  # "1,234.50"
    assert "," in english and "." in english
    with pytest.raises(ValueError, match="tiếng Anh"):
        parse_vn_number(english)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Kế hoạch triển khai", 50, "Kế hoạch triển khai"),
        ("Kế hoạch triển khai Nghị quyết", 20, "Kế hoạch triển khai…"),
        ("Kế hoạch triển khai Nghị quyết", 21, "Kế hoạch triển khai…"),
        ("Kế hoạch, triển khai", 12, "Kế hoạch…"),  # no dangling comma
        ("Siêuquádàikhôngcódấucách", 10, "Siêuquádà…"),  # one long word: cut hard
        ("  nhiều   khoảng   trắng  ", 40, "nhiều khoảng trắng"),
    ],
)
def test_shorten_cuts_on_a_word(text: str, limit: int, expected: str) -> None:
    from portal.vietnamese import shorten

    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit
