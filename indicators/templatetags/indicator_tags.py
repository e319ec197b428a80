"""Template filters for indicator pages: numbers the Vietnamese way."""

from __future__ import annotations

from decimal import Decimal

from django import template

from portal.numbers import format_vn_number

register = template.Library()


@register.filter
def vn_number(value: Decimal | int | float | None) -> str:
    """63600 -> "63.600", Decimal("51.5000") -> "51,5"; None -> "—"."""
    if value is None or value == "":
        return "—"
    number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    return format_vn_number(number.normalize() if number else Decimal(0))


@register.filter
def vn_amount(value: Decimal | int | float | None, unit: str = "") -> str:
    """A number with its unit: "51,5%" (no space before "%"), "63.600 tỷ đồng"."""
    text = vn_number(value)
    if value is None or value == "" or not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"
