"""Reads of indicators and their values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, QuerySet

from accounts.access import current_units
from accounts.choices import UnitKind
from accounts.models import Unit
from documents.models import Document
from indicators.choices import ValueState
from indicators.evaluation import Evaluation, Verdict, evaluate, target_from_indicator
from indicators.models import Indicator, IndicatorValue


def indicator_values_published() -> QuerySet[IndicatorValue]:
    """Values any signed-in user may see: approved ones only (drafts, submitted and
    returned values stay with the people who enter and approve them)."""
    return IndicatorValue.objects.filter(state=ValueState.APPROVED)


@dataclass(frozen=True)
class DashboardRow:
    indicator: Indicator
    latest: IndicatorValue | None  # the latest approved value for the indicator's own scope
    evaluation: Evaluation


@dataclass(frozen=True)
class ProvinceRow:
    province: Unit
    latest: IndicatorValue | None
    evaluation: Evaluation
    formerly: list[ProvinceRow] = field(default_factory=list)  # merged into this province


def _approved_series(values: list[IndicatorValue]) -> list[tuple[int, Decimal]]:
    return [(v.year, v.value) for v in values]


def indicator_evaluate(
    indicator: Indicator, values: list[IndicatorValue], today: dt.date, *, with_baseline: bool
) -> Evaluation:
    """Evaluate one indicator from already-loaded approved values (no query). An indicator
    overtaken by the reorganisation of units (it counts districts, gone since 01/07/2025) is
    flagged, not judged."""
    if indicator.overtaken_note:
        return Evaluation(verdict=Verdict.OVERTAKEN, explanation=indicator.overtaken_note)
    baseline = None
    if with_baseline and indicator.baseline_year and indicator.baseline_value is not None:
        baseline = (indicator.baseline_year, indicator.baseline_value)
    return evaluate(
        target_from_indicator(indicator),
        target_year=indicator.target_year,
        baseline=baseline,
        values=_approved_series(values),
        this_year=today.year,
    )


def _latest(values: list[IndicatorValue], today: dt.date) -> IndicatorValue | None:
    current = [v for v in values if v.year <= today.year]
    return max(current, key=lambda v: v.year) if current else None


def indicator_dashboard(document: Document, today: dt.date) -> list[DashboardRow]:
    """Every indicator of ``document`` with its latest approved value (for the indicator's
    own scope: the province, or the region as a whole) and its evaluation. Two queries."""
    approved = IndicatorValue.objects.filter(
        state=ValueState.APPROVED, scope_id=F("indicator__scope_id")
    ).order_by("year")
    indicators = (
        Indicator.objects.filter(document=document)
        .select_related("scope")
        .prefetch_related(Prefetch("values", queryset=approved, to_attr="approved_values"))
        .order_by("position", "code")
    )
    rows = []
    for indicator in indicators:
        values: list[IndicatorValue] = indicator.approved_values  # type: ignore[attr-defined]
        rows.append(
            DashboardRow(
                indicator=indicator,
                latest=_latest(values, today),
                evaluation=indicator_evaluate(indicator, values, today, with_baseline=True),
            )
        )
    return rows


def province_comparison(indicator: Indicator, today: dt.date) -> list[ProvinceRow]:
    """For a regional indicator, one row per member province as the region is today (by
    name) with its latest approved value and its own evaluation against the regional target;
    a province merged into another (Bắc Kạn into Thái Nguyên, 01/07/2025) keeps its own values
    and is listed under its successor (``formerly``: values of different provinces are not
    added up, a rate or a share cannot be). For a provincial indicator, the one row of its
    province. The indicator's baseline is the region's, so provinces are judged from their
    first value. Three queries."""
    if indicator.scope.kind == UnitKind.REGION:
        members = list(indicator.scope.members.all())
    else:
        members = [indicator.scope]
    now = current_units([m.pk for m in members], today)
    successors = Unit.objects.in_bulk({c for c, _ in now.values() if c})
    provinces: dict[int, Unit] = {}
    formerly: dict[int, list[Unit]] = {}
    for member in members:
        current = now.get(member.pk, (member.pk, member.name))[0]
        head = successors.get(current, member) if current else member
        provinces.setdefault(head.pk, head)
        if head.pk != member.pk:
            formerly.setdefault(head.pk, []).append(member)
    by_scope: dict[int, list[IndicatorValue]] = {
        pk: [] for pk in {*provinces, *(m.pk for ms in formerly.values() for m in ms)}
    }
    for value in IndicatorValue.objects.filter(
        indicator=indicator, state=ValueState.APPROVED, scope_id__in=list(by_scope)
    ).order_by("year"):
        by_scope[value.scope_id].append(value)
    own_scope = indicator.scope.kind != UnitKind.REGION

    def row(province: Unit) -> ProvinceRow:
        return ProvinceRow(
            province=province,
            latest=_latest(by_scope[province.pk], today),
            evaluation=indicator_evaluate(
                indicator, by_scope[province.pk], today, with_baseline=own_scope
            ),
            formerly=[row(m) for m in sorted(formerly.get(province.pk, ()), key=_by_name)],
        )

    return [row(p) for p in sorted(provinces.values(), key=_by_name)]


def _by_name(unit: Unit) -> str:
    return unit.name_key
