"""Template filters for indicator pages: numbers the Vietnamese way."""

from __future__ import annotations

from decimal import Decimal

from django import template

from portal.templatetags.portal_tags import vn_number

register = template.Library()
register.filter("vn_number", vn_number)


@register.filter
def vn_amount(value: Decimal | int | float | None, unit: str = "") -> str:
    """A number with its unit: "51,5%" (no space before "%"), "63.600 tỷ đồng"."""
    text = vn_number(value)
    if value is None or value == "" or not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"
