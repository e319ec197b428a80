"""Vietnamese number text <-> Decimal: "." groups thousands and "," is the decimal mark.

``parse_vn_number`` reads "63.600", "116,6", "1.234,5", "1 234,5" or "04" and refuses anything
it would have to guess at: English style "1,234.5", a "." not followed by exactly three digits
("1.23"), several commas, NaN/Infinity/exponents. ``format_vn_number`` writes the same style
back, so ``parse_vn_number(format_vn_number(x)) == x`` for every finite Decimal.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from portal.vietnamese import nfc

__all__ = ["format_vn_number", "parse_vn_number"]

# Integer part: plain digits ("04", "63600"), or 1-3 digits (no leading zero) followed by
# groups of exactly three digits separated consistently by "." or by a space.
_VN_NUMBER = re.compile(
    r"(?P<sign>[-+\u2212]?)"
    r"(?P<int>[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[1-9][0-9]{0,2}(?: [0-9]{3})+)"
    r"(?:,(?P<frac>[0-9]+))?"
)


def parse_vn_number(text: str) -> Decimal:
    """Read a number written the Vietnamese way; raise ValueError (Vietnamese message)."""
    if not isinstance(text, str):
        raise TypeError("parse_vn_number cần một chuỗi (str).")
    value = nfc(text)
    if not value:
        raise ValueError("Chưa nhập số.")
    match = _VN_NUMBER.fullmatch(value)
    if match is None:
        raise ValueError(_why_not_a_number(value))
    sign = "-" if match["sign"] in ("-", "\u2212") else ""
    digits = match["int"].replace(".", "").replace(" ", "")
    if match["frac"] is not None:
        digits += "." + match["frac"]
    number = Decimal(sign + digits)
    if number.is_zero():
        number = number.copy_abs()  # no "-0"
    return number


def _why_not_a_number(value: str) -> str:
    comma, dot = value.find(","), value.rfind(".")
    if comma != -1 and dot != -1 and comma < dot:
        return (
            f"«{value}» viết theo kiểu tiếng Anh. Hãy viết theo kiểu Việt Nam: 1.234,5 "
            "(dấu chấm tách hàng nghìn, dấu phẩy trước phần thập phân)."
        )
    if value.count(",") > 1:
        return f"«{value}» có nhiều dấu phẩy; số chỉ có một dấu phẩy thập phân (ví dụ 1.234,5)."
    if "." in value:
        return (
            f"«{value}» không rõ nghĩa: dấu chấm chỉ dùng để tách nhóm đúng 3 chữ số "
            "(ví dụ 63.600); phần thập phân viết sau dấu phẩy (ví dụ 1,23)."
        )
    return f"«{value}» không phải là một số (ví dụ hợp lệ: 63.600; 116,6; 1.234,5)."


def _to_decimal(value: Decimal | int | float) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("format_vn_number không nhận giá trị đúng/sai (bool).")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # shortest repr: 116.6, not 116.59999...
    else:
        raise TypeError(f"format_vn_number không nhận kiểu {type(value).__name__}.")
    if not number.is_finite():
        raise ValueError("Không thể viết số vô hạn hoặc NaN.")
    return number


def format_vn_number(value: Decimal | int | float, places: int | None = None) -> str:
    """63600 -> "63.600", 116.6 -> "116,6", 1234.5 -> "1.234,5".

    ``places=None`` keeps every significant decimal (trailing zeros dropped); an integer
    ``places`` rounds half up and always prints exactly that many decimals.
    """
    number = _to_decimal(value)
    if places is not None:
        if isinstance(places, bool) or not isinstance(places, int) or places < 0:
            raise ValueError("Số chữ số thập phân phải là số nguyên không âm.")
        with localcontext() as ctx:
            ctx.prec = len(format(number, "f")) + places + 2  # quantize never runs short
            number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(number, "f")
    negative = text.startswith("-")
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    if places is None:
        frac = frac.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.append(whole[-3:])
        whole = whole[:-3]
    groups.append(whole)
    result = ".".join(reversed(groups))
    if frac:
        result += "," + frac
    if negative and any(ch not in "0.," for ch in result):
        result = "-" + result
    return result
