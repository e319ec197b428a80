"""Every write to indicators and their values."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import Unit
from documents.models import Document
from indicators.models import Indicator
from indicators.targets import parse_indicator_target
from portal.services import update_fields_if_changed
from portal.vietnamese import nfc


@transaction.atomic
def indicator_upsert(
    *,
    document: Document,
    code: str,
    name: str,
    target_text: str,
    scope: Unit,
    target_year: int,
    unit_of_measure: str = "",
    group: str = "",
    position: int = 0,
    baseline_value: Decimal | None = None,
    baseline_year: int | None = None,
    baseline_text: str = "",
) -> tuple[Indicator, bool]:
    """Create or update an indicator by code; the target is parsed from the phrase as
    printed (TargetParseError if it cannot be read: nothing is guessed)."""
    target = parse_indicator_target(name, target_text)
    indicator = Indicator.objects.filter(code=code).first() or Indicator(code=code)
    changed = update_fields_if_changed(
        indicator,
        {
            "document": document,
            "name": nfc(name),
            "group": nfc(group),
            "position": position,
            "target_text": target.text,
            "target_kind": target.kind.value,
            "comparator": target.comparator.value,
            "target_low": target.low,
            "target_high": target.high,
            "shares": [{"name": s.name, "value": str(s.value)} for s in target.shares],
            "per_year": target.per_year,
            "target_normalized": target.normalized,
            "unit_of_measure": nfc(unit_of_measure) or target.unit,
            "scope": scope,
            "target_year": target_year,
            "baseline_value": baseline_value,
            "baseline_year": baseline_year,
            "baseline_text": nfc(baseline_text),
        },
    )
    return indicator, changed


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    """Save an indicator edited by hand (admin): the target is re-read from the phrase."""
    target = parse_indicator_target(indicator.name, indicator.target_text)
    indicator.target_text = target.text
    indicator.target_kind = target.kind.value
    indicator.comparator = target.comparator.value
    indicator.target_low = target.low
    indicator.target_high = target.high
    indicator.shares = [{"name": s.name, "value": str(s.value)} for s in target.shares]
    indicator.per_year = target.per_year
    indicator.target_normalized = target.normalized
    indicator.unit_of_measure = indicator.unit_of_measure or target.unit
    indicator.full_clean()
    indicator.save()
    return indicator
