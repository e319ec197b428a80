"""Import of indicator values from an XLSX sheet: all rows or none, errors by sheet row."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import User
from documents.models import Document
from indicators.choices import ValueState
from indicators.models import IndicatorValue
from indicators.services import indicator_values_import, value_save_draft

TODAY = dt.date(2025, 6, 1)
HEADER = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Tỉnh", 2021, "2022", "Năm 2023", "Nguồn"]


def _workbook(rows, header=HEADER, title_rows=1) -> bytes:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["Số liệu chỉ tiêu Chương trình 26-CTr/TU"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(tmp_path: Path, rows, **kwargs) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(_workbook(rows, **kwargs))
    return path


@pytest.fixture
def document(seeded) -> Document:  # type: ignore[no-untyped-def]
    return Document.objects.get(slug="26-ctr-tu")


@pytest.fixture
def officer(seeded) -> User:  # type: ignore[no-untyped-def]
    return User.objects.get(username="laichau.canbo")


GOOD = [
    [1, "CTR26-19", "Tỷ lệ che phủ rừng", "Lai Chau", "45,2", 46, 47.1, "Niên giám 2023"],
    [2, "ctr26-02", "GRDP", "Tỉnh Lai Châu", "21.500", None, "", None],
]


def test_import_creates_drafts(tmp_path, document, officer) -> None:  # type: ignore[no-untyped-def]
    report = indicator_values_import(
        document=document, file=_write(tmp_path, GOOD), user=officer, today=TODAY
    )
    assert report.errors == []
    assert (report.rows, report.values, report.created, report.updated) == (2, 4, 4, 0)
    values = {
        (v.indicator.code, v.year): v for v in IndicatorValue.objects.select_related("indicator")
    }
    assert values["CTR26-19", 2021].value == Decimal("45.2")
    assert values["CTR26-19", 2022].value == Decimal(46)
    assert values["CTR26-19", 2023].value == Decimal("47.1")
    assert values["CTR26-02", 2021].value == Decimal(21500)
    assert values["CTR26-19", 2021].source == "Niên giám 2023"
    assert values["CTR26-02", 2021].source == "Nhập từ tệp so-lieu.xlsx"
    assert {v.state for v in values.values()} == {ValueState.DRAFT}
    assert {v.entered_by for v in values.values()} == {officer}


def test_reimport_updates_and_moves_approved_values_back_to_draft(  # type: ignore[no-untyped-def]
    tmp_path, document, officer
) -> None:
    indicator = document.indicators.get(code="CTR26-19")
    existing = value_save_draft(
        indicator=indicator,
        scope=indicator.scope,
        year=2021,
        value_text="44",
        source="Báo cáo",
        user=officer,
        today=TODAY,
    )
    IndicatorValue.objects.filter(pk=existing.pk).update(state=ValueState.APPROVED)
    report = indicator_values_import(
        document=document, file=_write(tmp_path, GOOD), user=officer, today=TODAY
    )
    assert (report.created, report.updated) == (3, 1)
    existing.refresh_from_db()
    assert (existing.value, existing.state, existing.version) == (
        Decimal("45.2"),
        ValueState.DRAFT,
        2,
    )


def test_one_bad_row_writes_nothing(tmp_path, document, officer) -> None:  # type: ignore[no-untyped-def]
    rows = [
        *GOOD,
        [3, "CTR26-99", "?", "Lai Châu", "1", None, None, None],
        [4, "CTR26-12", "Lao động", "Hà Tĩnh", "1", None, None, None],
        [5, "CTR26-12", "Lao động", "Lai Châu", "1,234.5", None, None, None],
        [6, "CTR26-12", "Lao động", "Điện Biên", "50", None, None, None],
        [7, "CTR26-13", "Lao động", "Lai Châu", True, None, None, None],
        [8, "", "", "Lai Châu", "50", None, None, None],
        [9, "CTR26-19", "Tỷ lệ che phủ rừng", "lai chau", "45,2", None, None, None],
    ]
    report = indicator_values_import(
        document=document, file=_write(tmp_path, rows), user=officer, today=TODAY
    )
    assert not report.ok
    by_row = dict(report.errors)
    # The header is row 2 (a title above it), so the first data row is row 3.
    assert set(by_row) == {5, 6, 7, 8, 9, 10, 11}
    assert "CTR26-99" in by_row[5]
    assert "Hà Tĩnh" in by_row[6]
    assert "kiểu tiếng Anh" in by_row[7]
    assert "không thuộc phạm vi" in by_row[8]
    assert "không phải là một số" in by_row[9]
    assert "thiếu mã chỉ tiêu" in by_row[10]
    assert "trùng" in by_row[11] and "dòng 3" in by_row[11]
    assert not IndicatorValue.objects.exists()


def test_a_future_year_column_is_an_error(tmp_path, document, officer) -> None:  # type: ignore[no-untyped-def]
    header = ["Mã chỉ tiêu", "Tỉnh", 2025, 2026]
    path = _write(tmp_path, [["CTR26-19", "Lai Châu", "50", "51"]], header=header)
    report = indicator_values_import(document=document, file=path, user=officer, today=TODAY)
    assert report.errors == [(3, "năm 2026: Năm 2026 chưa đến; chỉ nhập số liệu đến năm 2025.")]
    assert not IndicatorValue.objects.exists()


def test_someone_elses_province_is_refused(tmp_path, document, seeded) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(username="bkhdt.canbo")
    report = indicator_values_import(
        document=document, file=_write(tmp_path, GOOD), user=user, today=TODAY
    )
    assert [row for row, _ in report.errors] == [3, 3, 3, 4]
    assert "Chỉ cán bộ" in report.errors[0][1]
    assert not IndicatorValue.objects.exists()


def test_dry_run_writes_nothing(tmp_path, document, officer) -> None:  # type: ignore[no-untyped-def]
    report = indicator_values_import(
        document=document, file=_write(tmp_path, GOOD), user=officer, dry_run=True, today=TODAY
    )
    assert report.ok and report.values == 4
    assert not IndicatorValue.objects.exists()


def test_an_uploaded_file(document, officer) -> None:  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("bieu.xlsx", _workbook(GOOD, title_rows=0))
    report = indicator_values_import(
        document=document, file=upload, user=officer, source="Cục Thống kê", today=TODAY
    )
    assert report.ok
    assert IndicatorValue.objects.filter(source="Cục Thống kê").count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "Không đọc được tệp Excel"),
        (_workbook([], header=["Tên", "Giá trị"]), "Mã chỉ tiêu"),
        (_workbook([], header=["Mã chỉ tiêu", "Tỉnh", "Ghi chú"]), "cột năm"),
    ],
)
def test_unreadable_sheets(document, officer, content, message) -> None:  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("bieu.xlsx", content)
    report = indicator_values_import(document=document, file=upload, user=officer, today=TODAY)
    assert len(report.errors) == 1
    assert message in report.errors[0][1]


def test_the_command(tmp_path, document, officer, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, GOOD)
    call_command(
        "import_indicator_values", str(path), "--document", "26-ctr-tu", "--user",
        "laichau.canbo", "--dry-run",
    )  # fmt: skip
    assert "chưa ghi" in capsys.readouterr().out
    assert not IndicatorValue.objects.exists()
    call_command(
        "import_indicator_values", str(path), "--document", "26-ctr-tu", "--user",
        "laichau.canbo",
    )  # fmt: skip
    assert "4 mới" in capsys.readouterr().out
    assert IndicatorValue.objects.count() == 4


def test_the_command_fails_on_errors(tmp_path, document, officer) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, [["x", "CTR26-99", "?", "Lai Châu", "1", None, None, None]])
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command(
            "import_indicator_values", str(path), "--document", "26-ctr-tu", "--user",
            "laichau.canbo",
        )  # fmt: skip
