"""A unit's periodic report: counts on the cut-off day, DOCX and PDF in the administrative
format, who may see it, and the signed PDF recorded as sent."""

import datetime as dt
import io
import subprocess
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as DocxDocument

from accounts.models import Unit, User
from reports.models import SignedReport
from reports.periods import PeriodKind, ReportPeriod
from reports.selectors import not_reported, periodic_report
from tasks.models import TaskTrack
from tasks.services import report_approve, report_save_draft, report_submit
from tasks.status import Status

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
Q2 = ReportPeriod(2026, PeriodKind.Q2)
Q3 = ReportPeriod(2026, PeriodKind.Q3)
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "artifacts"


def user(username):
    return User.objects.get(username=username)


def lai_chau():
    """The unit that reports for Lai Châu's provincial government in 2026 (Ban cán sự đảng
    UBND tỉnh until early 2025: its tracks are this unit's work)."""
    return Unit.objects.get(key="dang-uy-ubnd-lai-chau")


def track(ref):
    return TaskTrack.objects.get(
        task__document__slug="26-ctr-tu", task__ref=ref, unit__key="bcsd-ubnd-lai-chau"
    )


def approve(ref, *, completed_on, approved_at):
    """A Lai Châu report marking ``ref`` done, approved at ``approved_at`` (local time)."""
    with time_machine.travel(approved_at, tick=False):
        today = approved_at.date()
        quarter = (today.month - 1) // 3 + 1
        report = report_save_draft(
            track=track(ref),
            user=user("laichau.canbo"),
            year=today.year,
            quarter=quarter,
            percent=100,
            narrative="Đã hoàn thành, có văn bản kèm theo.",
            completed_on=completed_on,
            today=today,
        )
        report = report_submit(
            report_id=report.pk, user=user("laichau.canbo"), version=report.version
        )
        report_approve(report_id=report.pk, user=user("laichau.lanhdao"), version=report.version)


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    document = DocxDocument(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    heading_cells = [p.text for cell in document.tables[0].rows[0].cells for p in cell.paragraphs]
    return "\n".join(heading_cells + paragraphs), tables


def test_counts_are_judged_on_the_cutoff_day_with_reports_approved_by_then(seeded):
    # given: row 2 approved before the Q2 cut-off (14/06), row 6.1 approved after it
    approve(
        "STT 2",
        completed_on=dt.date(2026, 6, 5),
        approved_at=dt.datetime(2026, 6, 10, 9, tzinfo=HCM),
    )
    approve(
        "STT 6.1",
        completed_on=dt.date(2026, 6, 12),
        approved_at=dt.datetime(2026, 6, 20, 9, tzinfo=HCM),
    )
    unit = lai_chau()
    # when
    q2, q3 = (
        periodic_report(unit, Q2, today=dt.date(2026, 12, 2)),
        periodic_report(unit, Q3, today=dt.date(2026, 12, 2)),
    )
    # then: every task the unit carries is counted once, in one cell
    # (its own tracks and those of Ban cán sự đảng UBND tỉnh, which it took over)
    carried = (
        TaskTrack.objects.filter(unit__key__in=[unit.key, "bcsd-ubnd-lai-chau"])
        .values("task")
        .distinct()
        .count()
    )
    assert q2.grid.total == q3.grid.total == carried
    q2_overdue = {row.task.ref for row in q2.overdue}
    assert "STT 2" not in q2_overdue and "STT 6.1" in q2_overdue
    assert [(r.task.ref, r.late) for r in q2.completed] == [("STT 2", True)]
    # In Q3 the approval of 20/06 is known; the completion (12/06) lies in Q2's window.
    assert "STT 6.1" not in {row.task.ref for row in q3.overdue}
    assert q3.grid.get(Status.DONE_LATE) == q2.grid.get(Status.DONE_LATE) + 1
    assert q2.grid.get(Status.OVERDUE) == len(q2.overdue)


def test_docx_has_the_party_heading_and_the_counts(seeded, client):
    client.force_login(user("laichau.canbo"))
    unit = lai_chau()
    expected = periodic_report(unit, Q2, today=dt.date(2026, 12, 2)).grid
    response = client.get(
        reverse("periodic-report"),
        {
            "unit": unit.pk,
            "year": 2026,
            "period": "q2",
            "format": "docx",
            "title": "Bí thư",
            "name": "Lê Văn Lợi",
        },
    )
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="bao-cao-dang-uy-ubnd-lai-chau-2026-q2.docx"'
    )
    text, tables = docx_text(response.content)
    # A Party body: the Party's heading, not the state's, and a Party number.
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
    assert "TỈNH ỦY LAI CHÂU" in text
    assert "-BC/ĐU" in text  # Đảng ủy UBND tỉnh (since 2025)
    assert "Lai Châu, ngày" in text and "năm 2026" in text
    assert "BÁO CÁO" in text
    assert "Kết quả thực hiện nhiệm vụ quý II năm 2026" in text
    assert unicodedata.is_normalized("NFC", text)
    grid_table = next(t for t in tables if t[0][0] == "Đơn vị")
    assert grid_table[1][1:] == [
        str(expected.get(Status.DONE_ON_TIME)),
        str(expected.get(Status.DONE_LATE)),
        str(expected.get(Status.IN_PROGRESS)),
        str(expected.get(Status.OVERDUE)),
        str(expected.get(Status.NOT_DUE)),
        str(expected.total - expected.due - expected.get(Status.NOT_DUE)),
        str(expected.total),
        str(expected.extended),
    ]
    indicators = next(t for t in tables if t[0][1] == "Chỉ tiêu")
    from reports.selectors import unit_indicators

    assert len(indicators) - 1 == len(unit_indicators(unit, Q2.cutoff_end)) > 10
    forest = next(row for row in indicators if row[1].startswith("Tỷ lệ che phủ rừng"))
    assert "56%" in forest[2] and forest[4] == "Chưa có số liệu"
    recipients, signer = tables[-1][0]
    assert recipients.startswith("Nơi nhận:")
    assert "Lưu: VT." in recipients
    assert signer.split("\n")[:2] == ["T/M ĐẢNG ỦY UBND TỈNH LAI CHÂU", "BÍ THƯ"]
    assert signer.split("\n")[-1] == "Lê Văn Lợi"


def test_pdf_of_a_state_body_has_the_national_heading_and_renders(seeded, client):
    ministry = Unit.objects.get(key="bo-ke-hoach-va-dau-tu")
    client.force_login(user("bkhdt.canbo"))
    response = client.get(
        reverse("periodic-report"),
        {
            "unit": ministry.pk,
            "year": 2026,
            "period": "q2",
            "format": "pdf",
            "capacity": "kt",
            "on_behalf_of": "Bộ trưởng",
            "title": "Thứ trưởng",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BỘ KẾ HOẠCH VÀ ĐẦU TƯ" in text
    assert "/BC-" in text
    assert "Hà Nội, ngày" in text
    assert "KT. BỘ TRƯỞNG" in text and "THỨ TRƯỞNG" in text
    expected = periodic_report(ministry, Q2, today=dt.date(2026, 12, 2)).grid
    assert f"đơn vị được giao chủ trì {expected.total} nhiệm vụ" in " ".join(text.split())
    # One page as an image, kept for a person to look at.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "periodic-report-bkhdt-2026-q2.pdf").write_bytes(response.content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(ARTIFACTS / "periodic-report-bkhdt-2026-q2.pdf"),
            str(ARTIFACTS / "periodic-report-bkhdt-2026-q2"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "periodic-report-bkhdt-2026-q2.png").stat().st_size > 10_000


def test_pdf_keeps_vietnamese_text_of_the_party_report(seeded, client):
    client.force_login(user("laichau.lanhdao"))
    response = client.get(
        reverse("periodic-report"),
        {"unit": lai_chau().pk, "year": 2026, "period": "h1", "format": "pdf"},
    )
    text = pdf_text(response.content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2026" in text
    assert "Nhiệm vụ chưa hoàn thành, quá hạn và giải trình" in text
    assert "Nơi nhận:" in text


def test_who_sees_which_unit_report(seeded, client):
    unit, other = lai_chau(), Unit.objects.get(key="bo-ke-hoach-va-dau-tu")
    url = reverse("periodic-report")
    client.force_login(user("laichau.canbo"))
    assert client.get(url, {"unit": unit.pk, "year": 2026, "period": "q2"}).status_code == 200
    assert client.get(url, {"unit": other.pk, "year": 2026, "period": "q2"}).status_code == 404
    assert client.get(url, {"unit": unit.pk, "year": 2026, "period": "q9"}).status_code == 404
    client.force_login(user("bktw.rasoat"))
    page = client.get(url, {"unit": other.pk, "year": 2026, "period": "q2"})
    assert page.status_code == 200
    assert "Chưa gửi báo cáo kỳ này." in page.content.decode()
    assert "Gửi báo cáo" not in page.content.decode()  # a reviewer does not send it
    client.logout()
    assert client.get(url, {"unit": unit.pk}).status_code == 302


def signed_pdf(size=2048):
    # Bytes a signature covers: any change to them would break it.
    body = b"%PDF-1.7\n" + bytes(range(256)) * (size // 256) + b"\n/ByteRange [0 1 2 3]\n%%EOF\n"
    return body


def test_signed_pdf_is_kept_byte_for_byte_and_counts_as_sent(seeded, client):
    unit = lai_chau()
    missing, _ = not_reported(Q2)
    assert unit in missing
    data = signed_pdf()
    client.force_login(user("laichau.lanhdao"))
    response = client.post(
        reverse("signed-report-upload"),
        {
            "unit": unit.pk,
            "year": 2026,
            "period": "q2",
            "file": SimpleUploadedFile("Báo cáo quý II.pdf", data, "application/pdf"),
        },
    )
    assert response.status_code == 302
    signed = SignedReport.objects.get(unit=unit, year=2026, period="q2")
    assert signed.size == len(data)
    download = client.get(reverse("signed-report-download", args=[signed.pk]))
    assert b"".join(download.streaming_content) == data
    assert "attachment" in download["Content-Disposition"]
    missing, reported = not_reported(Q2)
    assert unit not in missing and reported >= 1
    # Another unit's officer can neither download nor send for it.
    client.force_login(user("bkhdt.canbo"))
    assert client.get(reverse("signed-report-download", args=[signed.pk])).status_code == 404
    response = client.post(
        reverse("signed-report-upload"),
        {"unit": unit.pk, "year": 2026, "period": "q2", "file": SimpleUploadedFile("x.pdf", data)},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bao-cao.pdf", b"<html>not a pdf</html>", "phải là tệp PDF"),
        ("bao-cao.docx", b"%PDF-1.7\n%%EOF", "đuôi .pdf"),
        ("bao-cao.pdf", b"%PDF-1.7\n" + b"0" * 3000, "quá lớn"),
    ],
)
def test_signed_upload_refuses_what_is_not_a_small_pdf(
    seeded, client, settings, name, data, message
):
    settings.SIGNED_REPORT_MAX_BYTES = 2048
    client.force_login(user("laichau.canbo"))
    response = client.post(
        reverse("signed-report-upload"),
        {
            "unit": lai_chau().pk,
            "year": 2026,
            "period": "q2",
            "file": SimpleUploadedFile(name, data),
        },
        follow=True,
    )
    assert message in response.content.decode()
    assert not SignedReport.objects.exists()


def test_reports_index_lists_my_units_and_for_reviewers_the_summary(seeded, client):
    client.force_login(user("laichau.canbo"))
    page = client.get(reverse("periodic-report")).content.decode()
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh Lai Châu" in page
    assert reverse("period-summary") not in page
    client.force_login(user("bktw.rasoat"))
    page = client.get(reverse("periodic-report")).content.decode()
    assert reverse("period-summary") in page and reverse("chain-coverage") in page


def test_an_open_period_is_judged_today_not_on_a_day_to_come(seeded):
    q4 = ReportPeriod(2026, PeriodKind.Q4)
    assert periodic_report(lai_chau(), q4, today=dt.date(2026, 12, 2)).day == dt.date(2026, 12, 2)
    assert periodic_report(lai_chau(), q4, today=dt.date(2027, 1, 5)).day == dt.date(2026, 12, 14)


def test_a_signer_signing_in_their_own_name_has_no_capacity_line(seeded, client):
    client.force_login(user("laichau.lanhdao"))
    response = client.get(
        reverse("periodic-report"),
        {
            "unit": lai_chau().pk,
            "year": 2026,
            "period": "q2",
            "format": "docx",
            "capacity": "none",
            "title": "Bí thư",
        },
    )
    _, tables = docx_text(response.content)
    assert tables[-1][0][1].split("\n")[0] == "BÍ THƯ"


def test_report_and_summary_queries_do_not_grow_with_the_tasks(seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import summary
    from tasks.services import task_upsert

    unit = lai_chau()
    today = dt.date(2026, 12, 2)

    def queries():
        fresh = lai_chau()  # its province is read once per report, as a page would
        with CaptureQueriesContext(connection) as unit_report:
            periodic_report(fresh, Q2, today=today)
        with CaptureQueriesContext(connection) as national:
            summary(Q2, today=today)
        return len(unit_report), len(national)

    before = queries()
    document = TaskTrack.objects.filter(unit__key="bcsd-ubnd-lai-chau").first().task.document
    for i in range(25):
        task_upsert(
            document=document,
            ref=f"R.{i}",
            title=f"Việc {i}",
            deadline_text="Quý I/2026",
            leads=[(unit, "x")],
        )
    assert queries() == before
    assert before[0] <= 10
