"""Indicators after the 2025 reorganisation: a merged province's values stay its own and
are listed under its successor; an indicator counting districts is flagged, not judged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Unit, User
from indicators.choices import ValueState
from indicators.evaluation import Verdict
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicator_dashboard, province_comparison

TODAY = dt.date(2026, 12, 2)


def test_the_region_as_it_is_today_with_merged_provinces_under_their_successor(seeded):
    regional = Indicator.objects.filter(scope__kind="region").first()
    bac_kan = Unit.objects.get(key="tinh-bac-kan")
    IndicatorValue.objects.create(
        indicator=regional,
        scope=bac_kan,
        year=2024,
        value=Decimal("51"),
        source="Cục Thống kê",
        state=ValueState.APPROVED,
        entered_by=User.objects.get(username="thainguyen.canbo"),
    )
    rows = province_comparison(regional, TODAY)
    names = [r.province.name for r in rows]
    assert "Tỉnh Bắc Kạn" not in names and "Tỉnh Thái Nguyên" in names
    assert len(names) == len(set(names)) < 14  # 14 members in 2022, fewer provinces now
    thai_nguyen = next(r for r in rows if r.province.name == "Tỉnh Thái Nguyên")
    (old,) = thai_nguyen.formerly
    assert old.province == bac_kan and old.latest.value == Decimal("51")


def test_an_indicator_counting_districts_is_flagged_not_judged(seeded):
    districts = Indicator.objects.get(code="CTR26-09")
    assert "cấp huyện" in districts.overtaken_note
    row = next(
        r for r in indicator_dashboard(districts.document, TODAY) if r.indicator == districts
    )
    assert row.evaluation.verdict is Verdict.OVERTAKEN
    assert row.evaluation.explanation == districts.overtaken_note
