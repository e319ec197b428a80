"""A provincial secretariat enters a new plan and its assignment table in Chromium; the
officers of the assigned units find the tasks in "Việc của tôi"."""

import re

import pytest
from openpyxl import Workbook

from accounts.choices import Role
from accounts.models import Unit
from documents.models import Document, DocumentRelation
from tasks.models import Task
from tests.browser.test_pages import person, sign_in, sign_out

pytestmark = pytest.mark.browser

HEADER = ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện"]


def _table(path):
    book = Workbook()
    sheet = book.active
    sheet.append(["BIỂU PHÂN CÔNG NHIỆM VỤ THỰC HIỆN KẾ HOẠCH SỐ 45-KH/TU"])
    sheet.append([])
    sheet.append(HEADER)
    leads = ["Ban cán sự đảng UBND tỉnh", "Ban Tuyên giáo Tỉnh ủy", "Ban Tổ chức Tỉnh ủy"]
    for i in range(1, 16):
        lead = "Sở Ngoại vụ" if i == 7 else leads[i % 3]
        sheet.append(
            [
                i,
                f"Nhiệm vụ kế hoạch 45 số {i}: phát triển vùng trung du miền núi",
                lead,
                "Ban Tuyên giáo Tỉnh ủy" if i % 2 else None,
                f"Quý {1 + i % 4} năm 2026" if i != 15 else "Hằng năm",
            ]
        )
    book.save(path)
    return path


def test_secretariat_enters_a_plan_and_its_table_officers_find_their_tasks(
    seeded_live, page, shot, tmp_path
):
    base = seeded_live.url
    issuer = Unit.objects.get(key="btv-tinh-uy-lai-chau")
    person("laichau.vanphong", "Lò Văn Phòng", issuer, Role.SECRETARIAT)

    # given the secretariat of the Lai Châu party committee
    sign_in(page, base, "laichau.vanphong")
    page.goto(f"{base}/van-ban/")
    # the header offers a secretariat the entry page
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Nhập văn bản"
    ).click()
    # when she types the number as printed, it is read back live
    page.get_by_label("Số, ký hiệu (như in)").fill("45-KH/TU")
    page.get_by_text("Đọc được: Kế hoạch số 45-KH/TU").wait_for()
    page.get_by_label("Cơ quan ban hành").select_option(label=issuer.name)
    page.get_by_label("Trích yếu", exact=True).fill(
        "Kế hoạch thực hiện Nghị quyết số 11-NQ/TW của Bộ Chính trị giai đoạn 2026-2030"
    )
    page.get_by_label("Ngày ban hành (dd/mm/yyyy)").fill("15/01/2026")
    page.get_by_label("Thời kỳ, tầm nhìn").fill("đến năm 2030")
    # and finds the resolution it implements
    page.locator("#tim-implements").fill("11-NQ/TW")
    nq11 = Document.objects.get(number="11-NQ/TW")
    page.locator(f"#kq-implements input[value='{nq11.pk}']").wait_for()
    page.locator(f"#kq-implements input[value='{nq11.pk}']").check()
    shot("13-01-nhap-van-ban")
    page.get_by_role("button", name="Lưu văn bản").click()
    page.get_by_text("Đã lưu").wait_for()
    plan = Document.objects.get(number="45-KH/TU")
    assert DocumentRelation.objects.filter(
        source=plan, target__number="11-NQ/TW", kind="implements"
    ).exists()

    # she uploads the 15-row table; one lead unit is unknown to the portal
    page.get_by_role("link", name="Nhập biểu phân công").click()
    page.get_by_label("Hoặc tải tệp lên (.xlsx, .docx, .csv)").set_input_files(
        str(_table(tmp_path / "bieu-phan-cong.xlsx"))
    )
    page.get_by_role("button", name="Kiểm tra bảng").click()
    page.get_by_text("15 dòng: 1 dòng cần sửa").wait_for()
    assert page.get_by_role("button", name="Nhập tất cả 15 dòng").is_disabled()
    shot("13-02-kiem-tra-bang")
    # she fixes it inline: the province's missing department is added
    page.get_by_role("button", name="Thêm “Sở Ngoại vụ” vào Tỉnh Lai Châu").click()
    page.get_by_text("15 dòng: hợp lệ").wait_for()
    # and she edits a deadline phrase, seeing its parse as she types
    row = page.locator("#dong-15")
    row.get_by_text("Sửa dòng").click()
    row.get_by_label("Thời gian thực hiện").fill("Quý IV năm 2027")
    row.get_by_text("31/12/2027").wait_for()
    row.get_by_role("button", name=re.compile("Lưu dòng")).click()
    page.locator("#dong-15").get_by_text("Quý IV năm 2027").first.wait_for()
    shot("13-03-da-sua")
    page.get_by_role("button", name="Nhập tất cả 15 dòng").click()
    page.get_by_text("Đã nhập 15 dòng: 15 mới").wait_for()
    assert Task.objects.filter(document=plan).count() == 15
    lead = Task.objects.get(document=plan, ref="STT 7").assignments.get(role="lead")
    assert lead.unit.name == "Sở Ngoại vụ tỉnh Lai Châu"
    assert str(Task.objects.get(document=plan, ref="STT 15").due_on) == "2027-12-31"
    sign_out(page)

    # then an officer of an assigned unit finds the tasks in "Việc của tôi"
    sign_in(page, base, "laichau.canbo")
    assert page.url.endswith("/viec-cua-toi/")
    page.get_by_label("Tìm kiếm (không cần dấu)").fill("ke hoach 45 so")
    page.get_by_role("button", name="Lọc").click()
    mine = Task.objects.filter(document=plan, units__key="bcsd-ubnd-lai-chau")
    assert mine.count() == 5  # rows 3, 6, 9, 12 and 15
    for task in mine:
        page.get_by_role("link", name=re.compile(re.escape(task.title[:40]))).first.wait_for()
    shot("13-04-viec-cua-toi")
    sign_out(page)

    # and so does an officer of the department the clerk added while fixing the table
    person("laichau.songoaivu", "Lò Thị Ngoại", lead.unit, Role.OFFICER)
    sign_in(page, base, "laichau.songoaivu")
    assert page.url.endswith("/viec-cua-toi/")
    seventh = Task.objects.get(document=plan, ref="STT 7")
    page.get_by_role("link", name=re.compile(re.escape(seventh.title[:40]))).first.wait_for()
    assert "Nhiệm vụ kế hoạch 45 số 8:" not in page.content()  # not the other units' rows
