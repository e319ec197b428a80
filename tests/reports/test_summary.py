"""The reviewer's summary for a period: grids by ministry, province and document, the
longest-overdue tasks and the units that did not report; DOCX, PDF and XLSX."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from docx import Document as DocxDocument
from openpyxl import load_workbook

from accounts.models import Unit, User
from reports.periods import PeriodKind, ReportPeriod
from reports.selectors import expected_reporters, summary
from tasks.models import Task
from tasks.status import Status

pytestmark = pytest.mark.django_db
Q2 = ReportPeriod(2026, PeriodKind.Q2)
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "artifacts"


def test_every_task_counted_once_in_total_and_by_document(seeded):
    data = summary(Q2, today=dt.date(2026, 12, 2))
    with_tracks = Task.objects.filter(tracks__isnull=False).distinct().count()
    assert data.total.total == with_tracks
    assert sum(row.grid.total for row in data.by_document) == with_tracks
    assert sum(row.grid.get(Status.OVERDUE) for row in data.by_document) == data.total.get(
        Status.OVERDUE
    )
    # The longest-overdue list is sorted and holds only overdue tasks.
    days = [row.days_overdue for row in data.longest_overdue]
    assert days == sorted(days, reverse=True) and all(d > 0 for d in days)


def test_provinces_and_ministries_are_grouped(seeded):
    data = summary(Q2, today=dt.date(2026, 12, 2))
    provinces = {row.name for row in data.by_province}
    assert "Tỉnh Lai Châu" in provinces
    assert all(Unit.objects.get(pk=row.key).kind == "province" for row in data.by_province)
    assert all(Unit.objects.get(pk=row.key).kind == "ministry" for row in data.by_ministry)
    # Nobody has sent a report in the seed: every unit that carries work is missing.
    expected = {u.pk for u in expected_reporters(Q2.cutoff_end)}
    assert {u.pk for u in data.not_reported} == expected
    assert data.reported == 0


def test_only_reviewers_see_the_summary(seeded, client):
    url = reverse("period-summary")
    client.force_login(User.objects.get(username="laichau.canbo"))
    assert client.get(url, {"year": 2026, "period": "q2"}).status_code == 404
    client.force_login(User.objects.get(username="bktw.rasoat"))
    page = client.get(url, {"year": 2026, "period": "q2"})
    assert page.status_code == 200
    assert "Tổng hợp tình hình thực hiện nhiệm vụ quý II năm 2026" in page.content.decode()


def test_summary_downloads(seeded, client):
    client.force_login(User.objects.get(username="bktw.rasoat"))
    url = reverse("period-summary")
    data = summary(Q2, today=dt.date(2026, 12, 2))
    # DOCX
    response = client.get(url, {"year": 2026, "period": "q2", "format": "docx"})
    assert 'filename="tong-hop-nhiem-vu-2026-q2.docx"' in response["Content-Disposition"]
    document = DocxDocument(io.BytesIO(response.content))
    heading = "\n".join(c.text for c in document.tables[0].rows[0].cells)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in heading and "BAN KINH TẾ TRUNG ƯƠNG" in heading
    by_province = next(t for t in document.tables if t.rows[0].cells[0].text == "Tỉnh, thành phố")
    assert len(by_province.rows) == 1 + len(data.by_province)
    # PDF, one page kept as an image
    response = client.get(url, {"year": 2026, "period": "q2", "format": "pdf"})
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "TỔNG HỢP" not in text  # the summary line is in sentence case, the kind in capitals
    assert "BÁO CÁO" in text and "CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "summary-2026-q2.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(pdf),
            str(pdf.with_suffix("")),
        ],
        check=True,
    )
    # XLSX
    response = client.get(url, {"year": 2026, "period": "q2", "format": "xlsx"})
    assert 'filename="tong-hop-nhiem-vu-2026-q2.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Theo địa phương"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.max_row == 1 + len(data.by_province)
    assert book["Chưa gửi báo cáo"].max_row == 1 + len(data.not_reported)
