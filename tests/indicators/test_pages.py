"""Indicator pages through the Django test client: every role sees them, queries stay
constant, values are entered, approved and returned, and refusals change nothing."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Unit, User
from documents.models import Document, TableImport
from indicators.choices import ValueState
from indicators.models import Indicator, IndicatorValue
from indicators.services import value_save_draft

ROLES = ["laichau.canbo", "laichau.lanhdao", "bktw.rasoat", "bkhdt.canbo", "admin"]
FOREST = "CTR26-19"  # Lai Châu: tỷ lệ che phủ rừng đạt 56% (2030)
TRAINED = "KL26-09"  # the region: lao động qua đào tạo trên 65% (2020)


@pytest.fixture
def users(seeded) -> dict[str, User]:  # type: ignore[no-untyped-def]
    return {u.username: u for u in User.objects.filter(username__in=ROLES)}


@pytest.fixture
def forest(seeded) -> Indicator:  # type: ignore[no-untyped-def]
    return Indicator.objects.select_related("scope").get(code=FOREST)


def _login(client, users, name):  # type: ignore[no-untyped-def]
    client.force_login(users[name])
    return client


def _value(indicator, scope, year, value, user, state=ValueState.APPROVED):  # type: ignore[no-untyped-def]
    return IndicatorValue.objects.create(
        indicator=indicator,
        scope=scope,
        year=year,
        value=Decimal(value),
        source="Cục Thống kê",
        state=state,
        entered_by=user,
    )


def _entry(**overrides: object) -> dict:
    data = {
        "scope": Unit.objects.get(key="tinh-lai-chau").pk,
        "year": "2024",
        "value_text": "51,5",
        "source": "Cục Thống kê tỉnh",
        "note": "",
        "version": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("username", ROLES)
def test_pages_render_for_every_role(client, users, username) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, username)
    listing = client.get(reverse("indicator-list"))
    assert listing.status_code == 200
    assert reverse("indicator-dashboard", args=["26-ctr-tu"]) in listing.content.decode()
    dashboard = client.get(reverse("indicator-dashboard", args=["26-ctr-tu"]))
    assert dashboard.status_code == 200
    assert "Tỷ lệ che phủ rừng" in dashboard.content.decode()
    for code in (FOREST, TRAINED):
        detail = client.get(reverse("indicator-detail", args=[code]))
        assert detail.status_code == 200
    regional = client.get(reverse("indicator-dashboard", args=["kh-26-kl-tw"])).content.decode()
    assert f"{reverse('indicator-detail', args=[TRAINED])}#so-sanh-tinh" in regional


def test_anonymous_is_sent_to_sign_in(client, seeded) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("indicator-dashboard", args=["26-ctr-tu"]))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_unknown_indicator_and_document_are_404(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    assert client.get(reverse("indicator-detail", args=["KHONG-CO"])).status_code == 404
    assert client.get(reverse("indicator-dashboard", args=["khong-co"])).status_code == 404


def test_dashboard_shows_target_baseline_latest_and_verdict(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    # two values: one alone (no baseline) is "chưa đủ số liệu để đánh giá"
    _value(forest, forest.scope, 2021, "48", users["laichau.canbo"])
    _value(forest, forest.scope, 2023, "51.5", users["laichau.canbo"])
    _login(client, users, "bktw.rasoat")
    html = client.get(reverse("indicator-dashboard", args=["26-ctr-tu"])).content.decode()
    row = html[html.index(f'id="chi-tieu-{FOREST}"') :]
    row = row[: row.index("</tr>")]
    assert "đạt 56%" in row and "năm 2030" in row
    assert "51,5" in row and "năm 2023" in row
    assert 'data-verdict="on_track"' in row and "Đúng tiến độ" in row
    assert "Năm 2023 đạt 51,5%" in row  # the explanation
    # an indicator with no values is grey
    assert 'data-verdict="no_data"' in html and "Chưa có số liệu" in html


def test_dashboard_queries_do_not_grow_with_values(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-dashboard", args=["26-ctr-tu"])
    document = Document.objects.get(slug="26-ctr-tu")
    indicators = list(document.indicators.select_related("scope")[:10])
    _value(indicators[0], indicators[0].scope, 2020, "10", users["laichau.canbo"])
    before = _queries(client, url)
    for indicator in indicators:  # 20 more values
        for year in (2021, 2022):
            _value(indicator, indicator.scope, year, "12", users["laichau.canbo"])
    assert _queries(client, url) == before


def test_detail_queries_do_not_grow_with_values(client, users) -> None:  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.select_related("scope").get(code=TRAINED)
    provinces = list(indicator.scope.members.order_by("name")[:10])
    officer = users["laichau.canbo"]
    _value(indicator, provinces[0], 2015, "40", officer)
    _login(client, users, "laichau.lanhdao")
    url = reverse("indicator-detail", args=[TRAINED])
    before = _queries(client, url)
    for province in provinces:  # 20 more values, approved and pending
        _value(indicator, province, 2016, "45", officer)
        _value(indicator, province, 2017, "47", officer, state=ValueState.SUBMITTED)
    html = client.get(url).content.decode()
    assert _queries(client, url) == before
    assert "So sánh các tỉnh" in html
    assert provinces[3].name in html


def test_detail_has_chart_data_and_static_scripts_only(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    _value(forest, forest.scope, 2023, "50.25", users["laichau.canbo"])
    _login(client, users, "laichau.canbo")
    html = client.get(reverse("indicator-detail", args=[FOREST])).content.decode()
    assert 'id="indicator-chart"' in html
    assert 'id="indicator-chart-data"' in html and "50.25" in html
    assert "js/chart.umd.min.js" in html and "js/indicator-chart.js" in html
    assert "<script>" not in html  # CSP: script-src 'self'


# --------------------------------------------------------------------------- entry


def test_officer_sees_the_form_others_do_not(client, users) -> None:  # type: ignore[no-untyped-def]
    url = reverse("indicator-detail", args=[FOREST])
    assert "Lưu và gửi duyệt" in _login(client, users, "laichau.canbo").get(url).content.decode()
    for name in ("bkhdt.canbo", "bktw.rasoat"):
        assert "Lưu và gửi duyệt" not in _login(client, users, name).get(url).content.decode()


def test_officer_enters_and_submits_a_value(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-detail", args=[FOREST])
    response = client.post(url, _entry(action="submit", note="Số ước tính"), follow=True)
    assert response.status_code == 200
    assert "Đã gửi số liệu để lãnh đạo đơn vị duyệt." in response.content.decode()
    value = IndicatorValue.objects.get(indicator=forest, year=2024)
    assert (value.value, value.state, value.source) == (
        Decimal("51.5"),
        ValueState.SUBMITTED,
        "Cục Thống kê tỉnh",
    )
    assert value.history.filter(history_change_reason="Số ước tính").exists()
    # the published page still says no data until a leader approves
    assert 'data-verdict="no_data"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("51.5", "không rõ nghĩa"),
        ("1,234.5", "kiểu tiếng Anh"),
        ("năm mươi", "không phải là một số"),
        ("51,12345", "tối đa 4 chữ số thập phân"),
    ],
)
def test_bad_value_is_400_with_a_vietnamese_message(client, users, typed, message) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    response = client.post(reverse("indicator-detail", args=[FOREST]), _entry(value_text=typed))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html  # the typed text is kept
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"year": "2099"}, "chưa đến"),
        ({"year": "hai nghìn"}, "Năm phải là một số nguyên"),
        ({"source": ""}, "This field is required|Trường này là bắt buộc|bắt buộc"),
        ({"scope": "999999"}, "không thuộc chỉ tiêu này"),
    ],
)
def test_other_bad_input_is_400(client, users, overrides, message) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    response = client.post(reverse("indicator-detail", args=[FOREST]), _entry(**overrides))
    assert response.status_code == 400
    assert re.search(message, response.content.decode())
    assert not IndicatorValue.objects.exists()


def test_officer_of_another_unit_is_refused_and_nothing_saved(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "bkhdt.canbo")
    response = client.post(reverse("indicator-detail", args=[FOREST]), _entry(action="submit"))
    assert response.status_code == 403
    assert "Chỉ cán bộ của đơn vị thuộc tỉnh" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_stale_edit_is_409_and_keeps_the_typed_text(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    officer = users["laichau.canbo"]
    value = value_save_draft(
        indicator=forest,
        scope=forest.scope,
        year=2024,
        value_text="50",
        source="Niên giám",
        user=officer,
    )
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-detail", args=[FOREST])
    edit = client.get(url, {"sua": value.pk}).content.decode()
    assert f'name="version" value="{value.version}"' in edit and 'value="50"' in edit
    # someone else corrects it meanwhile
    value_save_draft(
        indicator=forest,
        scope=forest.scope,
        year=2024,
        value_text="50,2",
        source="Niên giám",
        user=officer,
        version=value.version,
    )
    response = client.post(url, _entry(value_text="52,75", version=str(value.version)))
    assert response.status_code == 409
    html = response.content.decode()
    assert "đã được người khác cập nhật" in html
    assert 'value="52,75"' in html
    assert "Số liệu đang lưu: 50,2" in html
    value.refresh_from_db()
    assert value.value == Decimal("50.2")
    # a new entry for a year that already has one is a conflict too
    response = client.post(url, _entry(value_text="53"))
    assert response.status_code == 409
    assert "đã có" in response.content.decode()


def test_correction_is_in_the_history(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    officer = users["laichau.canbo"]
    value = value_save_draft(
        indicator=forest, scope=forest.scope, year=2023, value_text="49", source="A", user=officer
    )
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-detail", args=[FOREST])
    response = client.post(
        url, _entry(year="2023", value_text="49,5", version=str(value.version), note="Đính chính")
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Giá trị: 49 → 49,5" in html
    assert "Đính chính" in html


# --------------------------------------------------------------------------- decisions


def _submitted(forest, users) -> IndicatorValue:  # type: ignore[no-untyped-def]
    return _value(
        forest, forest.scope, 2024, "51.5", users["laichau.canbo"], state=ValueState.SUBMITTED
    )


def test_leader_approves_and_the_light_changes(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    _value(forest, forest.scope, 2021, "48", users["laichau.canbo"])
    value = _submitted(forest, users)
    _login(client, users, "laichau.lanhdao")
    url = reverse("indicator-detail", args=[FOREST])
    assert "Duyệt" in client.get(url).content.decode()
    response = client.post(
        reverse("value-approve", args=[value.pk]), {"version": value.version}, follow=True
    )
    assert "Đã duyệt số liệu." in response.content.decode()
    value.refresh_from_db()
    assert value.state == ValueState.APPROVED
    dashboard = client.get(reverse("indicator-dashboard", args=["26-ctr-tu"])).content.decode()
    row = dashboard[dashboard.index(f'id="chi-tieu-{FOREST}"') :]
    assert 'data-verdict="on_track"' in row[: row.index("</tr>")]


def test_officer_cannot_approve(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    value = _submitted(forest, users)
    _login(client, users, "laichau.canbo")
    page = client.get(reverse("indicator-detail", args=[FOREST])).content.decode()
    assert reverse("value-approve", args=[value.pk]) not in page
    response = client.post(
        reverse("value-approve", args=[value.pk]), {"version": value.version}, follow=True
    )
    assert "Chỉ lãnh đạo đơn vị" in response.content.decode()
    value.refresh_from_db()
    assert value.state == ValueState.SUBMITTED


def test_leader_returns_with_a_reason_reviewer_cannot(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    value = _submitted(forest, users)
    _login(client, users, "bktw.rasoat")
    page = client.get(reverse("indicator-detail", args=[FOREST])).content.decode()
    assert reverse("value-return", args=[value.pk]) not in page
    _login(client, users, "laichau.lanhdao")
    page = client.get(reverse("indicator-detail", args=[FOREST])).content.decode()
    assert reverse("value-return", args=[value.pk]) in page
    response = client.post(
        reverse("value-return", args=[value.pk]),
        {"version": value.version, "reason": "Thiếu nguồn chính thức"},
        follow=True,
    )
    assert "Đã trả lại số liệu." in response.content.decode()
    value.refresh_from_db()
    assert value.state == ValueState.RETURNED
    # a stale decision changes nothing
    response = client.post(
        reverse("value-return", args=[value.pk]),
        {"version": value.version - 1, "reason": "x"},
        follow=True,
    )
    assert "đã được người khác cập nhật" in response.content.decode()


# --------------------------------------------------------------------------- tasks


def test_reviewer_links_a_task_and_officer_cannot(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    task = forest.document.tasks.order_by("position").first()
    url = reverse("indicator-link-task", args=[FOREST])
    _login(client, users, "laichau.canbo")
    assert url not in client.get(reverse("indicator-detail", args=[FOREST])).content.decode()
    response = client.post(url, {"task": task.pk}, follow=True)
    assert "Chỉ cán bộ rà soát" in response.content.decode()
    assert not forest.tasks.exists()
    _login(client, users, "bktw.rasoat")
    response = client.post(url, {"task": task.pk}, follow=True)
    assert "Đã liên kết nhiệm vụ với chỉ tiêu." in response.content.decode()
    assert list(task.indicators.all()) == [forest]
    assert reverse("task-detail", args=[task.pk]) in response.content.decode()
    other = Document.objects.get(slug="kh-26-kl-tw").tasks.first()
    response = client.post(url, {"task": other.pk}, follow=True)
    assert "Hãy chọn một nhiệm vụ của văn bản này." in response.content.decode()


# --------------------------------------------------------------------------- import


def _xlsx(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["Số liệu chỉ tiêu"])
    sheet.append(["Mã chỉ tiêu", "Tỉnh", 2022, 2023, "Nguồn"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "so-lieu.xlsx"
    return buffer


def test_import_previews_then_imports(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-import", args=["26-ctr-tu"])
    assert client.get(url).status_code == 200
    sheet = _xlsx([[FOREST, "Lai Châu", "48,5", "50", "Niên giám 2023"]])
    preview = client.post(url, {"file": sheet, "action": "check"})
    assert preview.status_code == 200
    assert "Tệp hợp lệ: 2 giá trị" in preview.content.decode()
    assert not IndicatorValue.objects.exists()  # a dry run writes nothing
    # the checked rows wait on the server, named in the form; nothing sits in the session
    batch = TableImport.objects.get(created_by__username="laichau.canbo")
    assert f'name="batch" value="{batch.pk}"' in preview.content.decode()
    assert all("import" not in key for key, _ in client.session.items())
    done = client.post(url, {"action": "import", "batch": batch.pk}, follow=True)
    assert "Đã nhập 2 giá trị" in done.content.decode()
    values = IndicatorValue.objects.filter(indicator__code=FOREST).order_by("year")
    assert [(v.year, v.value, v.state) for v in values] == [
        (2022, Decimal("48.5"), ValueState.DRAFT),
        (2023, Decimal(50), ValueState.DRAFT),
    ]
    assert not TableImport.objects.exists()  # used once
    again = client.post(url, {"action": "import", "batch": batch.pk})
    assert again.status_code == 400


def test_someone_elses_checked_table_cannot_be_imported(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-import", args=["26-ctr-tu"])
    client.post(url, {"file": _xlsx([[FOREST, "Lai Châu", "48,5", None, "N"]]), "action": "check"})
    batch = TableImport.objects.get()
    client.logout()
    _login(client, users, "bkhdt.canbo")
    assert client.post(url, {"action": "import", "batch": batch.pk}).status_code == 400
    assert not IndicatorValue.objects.exists()


def test_a_hostile_workbook_is_a_400_with_a_message(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-import", args=["26-ctr-tu"])
    sheet = _xlsx([[FOREST, "Lai Châu", "48,5", None, "N"]])
    source = zipfile.ZipFile(sheet)
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.endswith("sheet1.xml"):
                content = (
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
                    b'<!ENTITY b "&a;&a;&a;&a;">]>' + content.split(b"?>", 1)[-1]
                )
            target.writestr(item.filename, content)
    hostile.seek(0)
    hostile.name = "so-lieu.xlsx"
    response = client.post(url, {"file": hostile, "action": "check"})
    assert response.status_code == 400
    assert "DTD/ENTITY" in response.content.decode()
    truncated = io.BytesIO(_xlsx([[FOREST, "Lai Châu", "1", None, "N"]]).getvalue()[:900])
    truncated.name = "so-lieu.xlsx"
    response = client.post(url, {"file": truncated, "action": "check"})
    assert response.status_code == 400
    assert "bị cắt dở" in response.content.decode()


def test_import_errors_show_sheet_rows_and_write_nothing(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "laichau.canbo")
    url = reverse("indicator-import", args=["26-ctr-tu"])
    sheet = _xlsx(
        [
            [FOREST, "Lai Châu", "48,5", "50", "Niên giám"],
            ["CTR26-99", "Lai Châu", "1", None, None],
            [FOREST, "Lai Châu", "1,234.5", None, None],
        ]
    )
    response = client.post(url, {"file": sheet, "action": "check"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tệp có" in html and "chưa nhập giá trị nào" in html
    assert '<td class="num">4</td>' in html and "CTR26-99" in html
    assert '<td class="num">5</td>' in html
    # the import button is not offered and a forced import has nothing to import
    assert 'value="import"' not in html
    assert client.post(url, {"action": "import"}).status_code == 400
    assert not IndicatorValue.objects.exists()


def test_import_by_another_province_is_refused(client, users) -> None:  # type: ignore[no-untyped-def]
    _login(client, users, "bkhdt.canbo")
    url = reverse("indicator-import", args=["26-ctr-tu"])
    sheet = _xlsx([[FOREST, "Lai Châu", "48,5", None, "Niên giám"]])
    response = client.post(url, {"file": sheet, "action": "check"})
    assert response.status_code == 400
    assert "Chỉ cán bộ của đơn vị thuộc tỉnh" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_officer_withdraws_and_leader_reopens_from_the_page(client, users, forest) -> None:  # type: ignore[no-untyped-def]
    value = _submitted(forest, users)
    url = reverse("indicator-detail", args=[FOREST])
    _login(client, users, "laichau.canbo")
    assert reverse("value-withdraw", args=[value.pk]) in client.get(url).content.decode()
    response = client.post(
        reverse("value-withdraw", args=[value.pk]), {"version": value.version}, follow=True
    )
    assert "Đã rút lại số liệu về bản nháp." in response.content.decode()
    value.refresh_from_db()
    assert value.state == ValueState.DRAFT
    value.state = ValueState.APPROVED
    value.save()
    page = client.get(url).content.decode()
    assert reverse("value-reopen", args=[value.pk]) not in page  # the officer may not
    _login(client, users, "laichau.lanhdao")
    assert reverse("value-reopen", args=[value.pk]) in client.get(url).content.decode()
    response = client.post(
        reverse("value-reopen", args=[value.pk]),
        {"version": value.version, "reason": "Cục Thống kê đính chính"},
        follow=True,
    )
    assert "Đã mở lại số liệu" in response.content.decode()
    value.refresh_from_db()
    assert (value.state, value.return_reason) == (ValueState.RETURNED, "Cục Thống kê đính chính")
    # The history says who reopened it and why, in Vietnamese.
    page = client.get(url).content.decode()
    assert "Trạng thái: Đã duyệt → Trả lại" in page
    assert "Mở lại: Cục Thống kê đính chính" in page
