"""Entering, submitting, approving and returning indicator values (services + rules)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from accounts.models import Unit, User
from indicators.choices import ValueState
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicator_values_published
from indicators.services import (
    IndicatorValueError,
    NotAllowed,
    StaleVersion,
    value_approve,
    value_reopen,
    value_return,
    value_return_reason,
    value_save_draft,
    value_submit,
    value_withdraw,
)
from tasks.services import NotAllowed as TaskNotAllowed
from tasks.services import ReportError
from tasks.services import StaleVersion as TaskStaleVersion

TODAY = dt.date(2025, 6, 1)
SOURCE = "Niên giám thống kê tỉnh Lai Châu 2024"


@pytest.fixture
def people(seeded):  # type: ignore[no-untyped-def]
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def units(seeded):  # type: ignore[no-untyped-def]
    return {u.key: u for u in Unit.objects.all()}


@pytest.fixture
def forest(seeded) -> Indicator:  # type: ignore[no-untyped-def]
    return Indicator.objects.select_related("scope").get(code="CTR26-19")  # Lai Châu, 56%


@pytest.fixture
def regional(seeded) -> Indicator:  # type: ignore[no-untyped-def]
    return Indicator.objects.select_related("scope").get(code="KL26-09")  # the region


def _draft(indicator, scope, user, text="48,5", year=None, **kwargs):  # type: ignore[no-untyped-def]
    # a year within the target's years (the regional targets end in 2020)
    year = year or min(2024, indicator.target_year)
    return value_save_draft(
        indicator=indicator,
        scope=scope,
        year=year,
        value_text=text,
        source=SOURCE,
        user=user,
        today=TODAY,
        **kwargs,
    )


def test_officer_saves_a_draft_from_vietnamese_text(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    value = _draft(forest, units["tinh-lai-chau"], people["laichau.canbo"], "1.234,5")
    assert value.value == Decimal("1234.5")
    assert value.state == ValueState.DRAFT
    assert value.version == 1
    assert value.entered_by == people["laichau.canbo"]
    assert value.source == SOURCE
    assert not indicator_values_published().filter(pk=value.pk).exists()


def test_a_decimal_value_is_accepted(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    value = value_save_draft(
        indicator=forest,
        scope=units["tinh-lai-chau"],
        year=2023,
        value=Decimal("47.25"),
        source=SOURCE,
        user=people["laichau.canbo"],
        today=TODAY,
    )
    assert value.value == Decimal("47.25")


def test_regional_indicator_takes_a_member_province(regional, people, units) -> None:  # type: ignore[no-untyped-def]
    value = _draft(regional, units["tinh-lai-chau"], people["laichau.lanhdao"], "51")
    assert value.scope == units["tinh-lai-chau"]


@pytest.mark.parametrize(
    ("username", "scope"),
    [
        ("bkhdt.canbo", "tinh-lai-chau"),  # a ministry officer: not Lai Châu's value
        ("bktw.rasoat", "tinh-lai-chau"),  # a reviewer does not enter values
        ("laichau.canbo", "tinh-dien-bien"),  # another province of the region
    ],
)
def test_only_the_provinces_officers_enter_values(regional, people, units, username, scope) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed, match="Chỉ cán bộ"):
        _draft(regional, units[scope], people[username])
    assert not IndicatorValue.objects.exists()


# The message a user sees for each bad input; nothing is written.
BAD = [
    ({"value_text": "1,234.5"}, "kiểu tiếng Anh"),
    ({"value_text": "NaN"}, "không phải là một số"),
    ({"value_text": "Infinity"}, "không phải là một số"),
    ({"value_text": "1e309"}, "không phải là một số"),
    ({"value_text": ""}, "Chưa nhập số"),
    ({"value": Decimal("NaN")}, "hữu hạn"),
    ({"value": Decimal("Infinity")}, "hữu hạn"),
    ({"value": float("nan")}, "hữu hạn"),
    ({"value": Decimal("1e309")}, "quá lớn"),
    ({"value": "1e99999"}, "quá lớn"),
    ({"value": Decimal("1.23456")}, "4 chữ số thập phân"),
    ({"value": True}, "phải là một số"),
    ({"value_text": "48,5", "value": Decimal(1)}, "đúng một giá trị"),
    ({"value_text": "48,5", "year": 1944}, "từ 1945 đến 2100"),
    ({"value_text": "48,5", "year": 2101}, "từ 1945 đến 2100"),
    ({"value_text": "48,5", "year": 2026}, "chưa đến"),
    ({"value_text": "48,5", "source": "   "}, "nguồn số liệu"),
    ({"value_text": "48,5", "scope": "tinh-dien-bien"}, "không thuộc phạm vi"),
]


@pytest.mark.parametrize(("given", "message"), BAD)
def test_bad_input_is_refused_and_changes_nothing(forest, people, units, given, message) -> None:  # type: ignore[no-untyped-def]
    kwargs = {"year": 2024, "source": SOURCE, "scope": "tinh-lai-chau", **given}
    kwargs["scope"] = units[kwargs["scope"]]
    with pytest.raises(IndicatorValueError, match=message):
        value_save_draft(indicator=forest, user=people["laichau.canbo"], today=TODAY, **kwargs)
    assert not IndicatorValue.objects.exists()


def test_a_province_outside_the_region_is_refused(regional, people, units) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndicatorValueError, match="không thuộc phạm vi") as caught:
        _draft(regional, units["tinh-bac-ninh"], people["laichau.canbo"])
    assert "Vùng trung du và miền núi Bắc Bộ" in caught.value.message


def test_bad_input_keeps_the_stored_value(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    value = _draft(forest, units["tinh-lai-chau"], people["laichau.canbo"])
    with pytest.raises(IndicatorValueError):
        _draft(forest, units["tinh-lai-chau"], people["laichau.canbo"], "abc", version=1)
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal("48.5"), 1)


def test_a_stale_version_is_refused(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    officer, scope = people["laichau.canbo"], units["tinh-lai-chau"]
    value = _draft(forest, scope, officer)
    with pytest.raises(StaleVersion, match="đã có"):
        _draft(forest, scope, officer, "49")  # a second "new" value for the same year
    updated = _draft(forest, scope, officer, "49", version=1)
    assert (updated.pk, updated.value, updated.version) == (value.pk, Decimal(49), 2)
    with pytest.raises(StaleVersion, match="người khác"):
        _draft(forest, scope, officer, "50", version=1)
    updated.refresh_from_db()
    assert updated.value == Decimal(49)


def test_errors_are_the_report_errors_pages_and_api_already_answer() -> None:
    assert issubclass(StaleVersion, TaskStaleVersion)
    assert issubclass(NotAllowed, TaskNotAllowed)
    assert issubclass(IndicatorValueError, ReportError)


def test_submit_approve_and_correct(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    officer, leader = people["laichau.canbo"], people["laichau.lanhdao"]
    value = _draft(forest, units["tinh-lai-chau"], officer)
    value = value_submit(value_id=value.pk, user=officer, version=1)
    assert (value.state, value.version) == (ValueState.SUBMITTED, 2)
    with pytest.raises(IndicatorValueError, match="chờ duyệt"):
        _draft(forest, units["tinh-lai-chau"], officer, "49", version=2)
    with pytest.raises(NotAllowed):
        value_approve(value_id=value.pk, user=officer, version=2)
    with pytest.raises(NotAllowed):
        value_approve(value_id=value.pk, user=people["bktw.rasoat"], version=2)
    value = value_approve(value_id=value.pk, user=leader, version=2)
    assert (value.state, value.version, value.decided_by) == (ValueState.APPROVED, 3, leader)
    assert indicator_values_published().filter(pk=value.pk).exists()

    # A correction moves it back to draft; the approved figure stays in history.
    corrected = _draft(forest, units["tinh-lai-chau"], officer, "48,7", version=3)
    assert (corrected.state, corrected.version, corrected.value) == (
        ValueState.DRAFT,
        4,
        Decimal("48.7"),
    )
    assert corrected.decided_by is None
    approved = corrected.history.filter(state=ValueState.APPROVED).get()
    assert approved.value == Decimal("48.5")
    assert not indicator_values_published().filter(pk=value.pk).exists()


def test_only_a_submitted_value_is_approved(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    value = _draft(forest, units["tinh-lai-chau"], people["laichau.canbo"])
    with pytest.raises(IndicatorValueError, match="đã gửi"):
        value_approve(value_id=value.pk, user=people["laichau.lanhdao"], version=1)


def test_approve_with_a_stale_version(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    value = _draft(forest, units["tinh-lai-chau"], people["laichau.canbo"])
    value_submit(value_id=value.pk, user=people["laichau.canbo"], version=1)
    with pytest.raises(StaleVersion):
        value_approve(value_id=value.pk, user=people["laichau.lanhdao"], version=1)
    value.refresh_from_db()
    assert value.state == ValueState.SUBMITTED


def test_the_leader_returns_with_a_reason(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    from portal.workflow import REASON_MAX

    returner = "laichau.lanhdao"
    officer = people["laichau.canbo"]
    value = _draft(forest, units["tinh-lai-chau"], officer)
    value_submit(value_id=value.pk, user=officer, version=1)
    with pytest.raises(IndicatorValueError, match="lý do"):
        value_return(value_id=value.pk, user=people[returner], version=2, reason="  ")
    with pytest.raises(IndicatorValueError, match=f"tối đa {REASON_MAX} ký tự"):
        value_return(
            value_id=value.pk, user=people[returner], version=2, reason="x" * (REASON_MAX + 1)
        )
    with pytest.raises(NotAllowed):
        value_return(value_id=value.pk, user=officer, version=2, reason="Sai số")
    # Reviewers comment and ask for explanations; they do not return (as for reports).
    with pytest.raises(NotAllowed):
        value_return(value_id=value.pk, user=people["bktw.rasoat"], version=2, reason="Sai số")
    value = value_return(
        value_id=value.pk, user=people[returner], version=2, reason="Số liệu chưa khớp niên giám"
    )
    assert (value.state, value.version, value.decided_by) == (
        ValueState.RETURNED,
        3,
        people[returner],
    )
    assert value_return_reason(value) == "Số liệu chưa khớp niên giám"
    assert value.return_reason == "Số liệu chưa khớp niên giám"  # on the row, as a report's
    # The officer fixes it and sends it again.
    value = _draft(forest, units["tinh-lai-chau"], officer, "48,6", version=3)
    value = value_submit(value_id=value.pk, user=officer, version=4)
    assert value.state == ValueState.SUBMITTED


def test_only_the_leader_reopens_an_approved_value(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    officer, leader = people["laichau.canbo"], people["laichau.lanhdao"]
    value = _draft(forest, units["tinh-lai-chau"], officer)
    value_submit(value_id=value.pk, user=officer, version=1)
    value_approve(value_id=value.pk, user=leader, version=2)
    with pytest.raises(IndicatorValueError, match="mở lại"):
        value_return(value_id=value.pk, user=leader, version=3, reason="Sai")
    with pytest.raises(NotAllowed):
        value_reopen(value_id=value.pk, user=people["bktw.rasoat"], version=3, reason="Sai")
    value = value_reopen(value_id=value.pk, user=leader, version=3, reason="Sai")
    assert (value.state, value.return_reason) == (ValueState.RETURNED, "Sai")
    with pytest.raises(IndicatorValueError, match="Chỉ mở lại được số liệu đã duyệt"):
        value_reopen(value_id=value.pk, user=leader, version=4, reason="Sai")


def test_officer_withdraws_a_submitted_value(forest, people, units) -> None:  # type: ignore[no-untyped-def]
    officer = people["laichau.canbo"]
    value = _draft(forest, units["tinh-lai-chau"], officer)
    value_submit(value_id=value.pk, user=officer, version=1)
    value = value_withdraw(value_id=value.pk, user=officer, version=2)
    assert (value.state, value.version) == (ValueState.DRAFT, 3)


def test_values_outside_the_target_are_refused_with_a_message(people, units, forest) -> None:  # type: ignore[no-untyped-def]
    officer = people["laichau.canbo"]
    for year, text, message in [
        (2019, "40", "ngoài thời kỳ của chỉ tiêu (từ năm 2021 đến năm 2030)"),
        (2024, "-5", "Giá trị âm"),
    ]:
        with pytest.raises(IndicatorValueError, match=re.escape(message)):
            _draft(forest, units["tinh-lai-chau"], officer, text, year=year)
