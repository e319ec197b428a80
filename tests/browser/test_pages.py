"""The pages as a person uses them, in Chromium: sign in, find, report, approve, review."""

import io
import re

import pytest
from openpyxl import load_workbook

from portal.seed import DEMO_PASSWORD
from tasks.models import Task, TaskTrack

pytestmark = pytest.mark.browser


def sign_in(page, base, username):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()


def person(username, full_name, unit, role):
    """A user who signs in with the demo password and holds ``role`` at ``unit``."""
    from accounts.models import Membership, User

    user = User.objects.create(username=username, full_name=full_name)
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def test_officer_reports_leader_approves_status_changes(seeded_live, page, shot, tmp_path):
    base = seeded_live.url
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")
    # given a Lai Châu officer
    sign_in(page, base, "laichau.canbo")
    assert page.url.endswith("/viec-cua-toi/")
    shot("01-viec-cua-toi")
    # when she searches without accents
    page.get_by_label("Tìm kiếm (không cần dấu)").fill("quy hoach tinh lai chau")
    page.get_by_role("button", name="Lọc").click()
    link = page.get_by_role(
        "link", name=re.compile("Tổ chức triển khai thực hiện Quy hoạch tỉnh Lai Châu")
    )
    link.click()
    assert page.url.endswith(f"/nhiem-vu/{task.pk}/")
    shot("02-nhiem-vu")
    # and writes and submits a report with a PDF
    pdf = tmp_path / "bien-ban.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    form = page.locator("form[action*='/bao-cao/']").first
    form.get_by_label("Tỷ lệ hoàn thành (%)").fill("100")
    form.get_by_label("Ngày hoàn thành (nếu đã xong)").fill("20/11/2026")
    form.get_by_label("Kết quả thực hiện").fill("Đã phê duyệt và công bố Quy hoạch tỉnh.")
    form.get_by_label("Minh chứng (PDF, Word, Excel, ảnh)").set_input_files(str(pdf))
    form.get_by_role("button", name="Lưu và gửi duyệt").click()
    page.get_by_text("Đã gửi báo cáo để lãnh đạo đơn vị duyệt.").wait_for()
    assert page.get_by_role("link", name="bien-ban.pdf").is_visible()
    shot("03-da-gui")
    sign_out(page)
    # then the leader approves it
    sign_in(page, base, "laichau.lanhdao")
    page.goto(f"{base}/nhiem-vu/{task.pk}/")
    page.get_by_role("button", name="Duyệt báo cáo").click()
    page.get_by_text("Đã duyệt báo cáo.").wait_for()
    shot("04-da-duyet")
    # and the status is computed from the approved progress
    track = TaskTrack.objects.get(task=task)
    assert track.percent == 100
    assert page.locator(".status").first.inner_text() == "Hoàn thành đúng hạn"


def test_officer_of_another_unit_gets_404(seeded_live, page):
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")
    sign_in(page, seeded_live.url, "bkhdt.canbo")
    response = page.goto(f"{seeded_live.url}/nhiem-vu/{task.pk}/")
    assert response.status == 404


def test_reviewer_sees_overdue_and_downloads_xlsx(seeded_live, page, shot):
    sign_in(page, seeded_live.url, "bktw.rasoat")
    assert page.url.endswith("/ra-soat-qua-han/")
    # Most overdue first: the half-yearly report of the 2014 plan (1580/QĐ-TTg IV.2.c) has
    # been missed since its first occurrence, 31/12/2014, and stays missed for good.
    assert page.get_by_role("link", name=re.compile("IV.2.c – ")).first.is_visible()
    shot("05-ra-soat-qua-han")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel").click()
    download = download_info.value
    assert download.suggested_filename.startswith("nhiem-vu-qua-han-")
    with open(download.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Văn bản"
    # Item 1 of the Politburo plan was due 30/04/2022 and nobody has reported.
    assert any(r[1] == "II.1" and r[7] == "Chưa hoàn thành, quá hạn" for r in rows[1:])
    page.goto(f"{seeded_live.url}/van-ban/26-ctr-tu/")
    shot("06-van-ban")
