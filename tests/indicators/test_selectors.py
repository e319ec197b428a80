"""Dashboard and province comparison: evaluations from approved values, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Unit, User
from documents.models import Document
from indicators.choices import ValueState
from indicators.evaluation import Verdict
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicator_dashboard, province_comparison

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def officer(seeded) -> User:  # type: ignore[no-untyped-def]
    return User.objects.get(username="laichau.canbo")


def _value(indicator, scope, year, value, officer, state=ValueState.APPROVED):  # type: ignore[no-untyped-def]
    return IndicatorValue.objects.create(
        indicator=indicator,
        scope=scope,
        year=year,
        value=Decimal(value),
        source="Cục Thống kê",
        state=state,
        entered_by=officer,
    )


def test_dashboard_rows_in_two_queries(officer, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    document = Document.objects.get(slug="26-ctr-tu")
    indicators = list(document.indicators.select_related("scope"))
    for indicator in indicators:  # enough rows that an N+1 would show
        for year in (2021, 2022, 2023):
            _value(indicator, indicator.scope, year, "10", officer)
    with django_assert_num_queries(2):
        rows = indicator_dashboard(document, TODAY)
    assert [row.indicator.code for row in rows] == [i.code for i in indicators]
    assert all(row.latest is not None and row.latest.year == 2023 for row in rows)


def test_dashboard_uses_approved_values_of_the_indicators_scope(officer) -> None:  # type: ignore[no-untyped-def]
    document = Document.objects.get(slug="26-ctr-tu")
    forest = Indicator.objects.get(code="CTR26-19")
    lai_chau = forest.scope
    _value(forest, lai_chau, 2022, "47", officer)
    _value(forest, lai_chau, 2024, "52", officer)
    _value(forest, lai_chau, 2025, "20", officer, state=ValueState.DRAFT)  # not counted
    rows = {row.indicator.code: row for row in indicator_dashboard(document, TODAY)}
    row = rows["CTR26-19"]
    assert row.latest is not None and row.latest.value == Decimal(52)
    assert row.evaluation.verdict is Verdict.ON_TRACK  # 47 (2022) -> 56 (2030): 50,4 in 2024
    assert row.evaluation.explanation.startswith("Năm 2024 đạt 52%; cần thêm 4 điểm %")
    assert rows["CTR26-02"].evaluation.verdict is Verdict.NO_DATA
    assert rows["CTR26-03"].evaluation.verdict is Verdict.NO_DATA  # a structure
    # The baseline printed in the document is the start of the path (43 in 2020).
    income = rows["CTR26-04"].evaluation
    assert income.expected_path[0] == (2020, Decimal(43))


def test_province_comparison_has_one_row_per_member(officer, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.select_related("scope").get(code="KL26-09")  # trên 65%
    lai_chau = Unit.objects.get(key="tinh-lai-chau")
    dien_bien = Unit.objects.get(key="tinh-dien-bien")
    _value(indicator, lai_chau, 2016, "50", officer)
    _value(indicator, lai_chau, 2020, "66", officer)
    _value(indicator, dien_bien, 2020, "60", officer)
    _value(indicator, dien_bien, 2019, "40", officer, state=ValueState.SUBMITTED)
    # the region's members, the succession records, the values (before 01/07/2025 no
    # member has merged, so the 14 provinces of the text are 14 rows)
    with django_assert_num_queries(3):
        rows = province_comparison(indicator, TODAY)
    assert len(rows) == 14
    # in Vietnamese order (Đ with D: name_key), not by code point
    assert [r.province.name_key for r in rows] == sorted(r.province.name_key for r in rows)
    by_key = {row.province.key: row for row in rows}
    assert by_key["tinh-lai-chau"].evaluation.verdict is Verdict.ACHIEVED
    assert by_key["tinh-dien-bien"].evaluation.verdict is Verdict.MISSED
    assert by_key["tinh-dien-bien"].latest.year == 2020
    assert by_key["tinh-cao-bang"].evaluation.verdict is Verdict.NO_DATA
    assert by_key["tinh-cao-bang"].latest is None


def test_province_comparison_of_a_provincial_indicator(officer) -> None:  # type: ignore[no-untyped-def]
    forest = Indicator.objects.select_related("scope").get(code="CTR26-19")
    rows = province_comparison(forest, TODAY)
    assert [row.province.key for row in rows] == ["tinh-lai-chau"]
