from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from portal.numbers import format_vn_number
from portal.periods import quarter_label

register = template.Library()


@register.filter
def get_item(mapping, key):  # type: ignore[no-untyped-def]
    return mapping.get(key) if mapping else None


@register.filter
def vn_number(value: Decimal | int | float | None) -> str:
    """63600 -> "63.600", Decimal("51.5000") -> "51,5"; None -> "—"."""
    if value is None or value == "":
        return "—"
    number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    return format_vn_number(number.normalize() if number else Decimal(0))


@register.simple_tag
def unit_now(now: dict, unit_id: int | None) -> str:
    """ "(nay là Bộ Tài chính)" after a unit that has ended, from ``accounts.access
    .current_names``; "(chưa có đơn vị tiếp nhận)" when a person must still pick one."""
    if not now or unit_id not in now:
        return ""
    name = now[unit_id]
    if name:
        return format_html(' <span class="muted">(nay là {})</span>', name)
    return format_html(' <span class="muted">{}</span>', "(chưa có đơn vị tiếp nhận)")


@register.simple_tag
def quarter(year: int, number: int) -> str:
    """{% quarter 2025 2 %} -> "Quý II/2025" (portal.periods, the one way quarters are written)."""
    try:
        return quarter_label(int(year), int(number))
    except (KeyError, TypeError, ValueError):
        return ""


@register.simple_tag(takes_context=True)
def approval_count(context) -> int | None:  # type: ignore[no-untyped-def]
    """How many reports and values wait for the signed-in leader (the header's badge);
    None for someone who leads no unit (no link shown)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from portal.approvals import approval_count as count

    return count(user)
