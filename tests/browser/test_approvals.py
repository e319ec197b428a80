"""The approval loop in Chromium: the 100% rule, a withdrawal, the leader's Chờ duyệt queue
with a bulk approval and a return with a reason, and the notifications of each step."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tasks.models import ProgressReport, Task, TaskTrack
from tests.browser.test_accessibility import ARTIFACTS, WIDTHS, _blocking
from tests.browser.test_pages import sign_in, sign_out

pytestmark = pytest.mark.browser


def _report_form(page):  # type: ignore[no-untyped-def]
    return page.locator("form[action*='/bao-cao/']").first


def _submit(page, base, task, percent, narrative, completed_on=""):  # type: ignore[no-untyped-def]
    page.goto(f"{base}/nhiem-vu/{task.pk}/")
    form = _report_form(page)
    form.get_by_label("Tỷ lệ hoàn thành (%)").fill(str(percent))
    form.get_by_label("Ngày hoàn thành (nếu đã xong)").fill(completed_on)
    form.get_by_label("Kết quả thực hiện").fill(narrative)
    form.get_by_role("button", name="Lưu và gửi duyệt").click()


def test_submit_queue_bulk_approve_return_and_withdraw(seeded_live, page, shot):
    base = seeded_live.url
    tasks = [Task.objects.get(document__slug="26-ctr-tu", ref=ref) for ref in ("STT 5", "STT 6.3")]
    third = Task.objects.get(document__slug="26-ctr-tu", ref="STT 8")
    sign_in(page, base, "laichau.canbo")
    # 100% without a completion date is refused, and what was typed stays in the form.
    _submit(page, base, tasks[0], 100, "Đã hoàn thành toàn bộ.")
    page.get_by_text(re.compile("100% cần ghi ngày hoàn thành")).first.wait_for()
    assert _report_form(page).get_by_label("Kết quả thực hiện").input_value() == (
        "Đã hoàn thành toàn bộ."
    )
    # Two reports sent; one more sent and withdrawn.
    yesterday = (dt.date.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    _submit(page, base, tasks[0], 100, "Đã hoàn thành toàn bộ.", yesterday)
    page.get_by_text("Đã gửi báo cáo để lãnh đạo đơn vị duyệt.").wait_for()
    _submit(page, base, tasks[1], 30, "Đang chuẩn bị mặt bằng.")
    page.get_by_text("Đã gửi báo cáo để lãnh đạo đơn vị duyệt.").wait_for()
    _submit(page, base, third, 10, "Mới khởi động.")
    page.get_by_text("Đã gửi báo cáo để lãnh đạo đơn vị duyệt.").wait_for()
    page.get_by_role("button", name="Rút lại về bản nháp").click()
    page.get_by_text("Đã rút lại báo cáo về bản nháp.").wait_for()
    assert ProgressReport.objects.get(track__task=third).state == "draft"
    sign_out(page)

    # The leader hears of the two (not of the withdrawn one): the header's count, the inbox.
    sign_in(page, base, "laichau.lanhdao")
    bell = page.locator("header a[href='/thong-bao/']")
    assert bell.locator(".badge-count").inner_text() == "2"
    bell.click()
    page.get_by_role("heading", name=re.compile("Thông báo")).wait_for()
    notices = page.locator(".notification-list li")
    assert notices.count() == 2
    assert all("Báo cáo chờ duyệt" in text for text in notices.all_inner_texts())
    assert "STT 8" not in page.locator(".notification-list").inner_text()
    assert "STT 5" in page.locator(".notification-list").inner_text()
    shot("thong-bao-lanh-dao")
    # The leader sees the two in Chờ duyệt, with the count in the header.
    queue = page.get_by_role("link", name=re.compile("Chờ duyệt"))
    assert "2" in queue.inner_text()
    queue.click()
    page.get_by_role("heading", name=re.compile("Chờ duyệt")).wait_for()
    shot("cho-duyet")
    # The queue with rows passes axe-core at both widths too.
    axe, found = Axe(), []
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.screenshot(path=str(ARTIFACTS / f"cho-duyet-co-muc-{w}.png"), full_page=True)
        found += _blocking(axe, page, f"cho-duyet@{width}")
    assert not found, "\n".join(found)
    page.set_viewport_size({"width": 1280, "height": 900})
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    # The second is returned with a reason from the queue; the first approved in bulk.
    second = page.locator("tbody tr", has_text="Cảng hàng không")
    second.get_by_label("Lý do trả lại").fill("Bổ sung tiến độ giải phóng mặt bằng")
    second.get_by_role("button", name="Trả lại").click()
    page.get_by_text("Đã trả lại báo cáo.").wait_for()
    assert page.url.endswith("/cho-duyet/")
    page.locator("input[name=chon]").first.check()
    page.get_by_role("button", name="Duyệt các mục đã chọn").click()
    page.get_by_text("Đã duyệt 1 mục.").wait_for()
    page.get_by_text("Không có báo cáo hay số liệu nào đang chờ bạn duyệt.").wait_for()

    approved = ProgressReport.objects.get(track__task=tasks[0])
    returned = ProgressReport.objects.get(track__task=tasks[1])
    assert approved.state == "approved"
    assert (returned.state, returned.return_reason) == (
        "returned",
        "Bổ sung tiến độ giải phóng mặt bằng",
    )
    track = TaskTrack.objects.get(task=tasks[0])
    assert (track.percent, track.completed_on) == (100, dt.date.today() - dt.timedelta(days=1))
    # The task page now shows it done, and its history says so in Vietnamese.
    page.goto(f"{base}/nhiem-vu/{tasks[0].pk}/")
    assert page.get_by_text("Hoàn thành đúng hạn").first.is_visible()
    assert page.get_by_text(re.compile("Trạng thái: Đã gửi → Đã duyệt")).first.is_visible()

    # The officer is told of both decisions, the return with its reason, each linking to
    # the report; marking one read lowers the count.
    sign_out(page)
    sign_in(page, base, "laichau.canbo")
    bell = page.locator("header a[href='/thong-bao/']")
    assert bell.locator(".badge-count").inner_text() == "2"
    bell.click()
    inbox = page.locator(".notification-list")
    inbox.get_by_text("Báo cáo đã được duyệt").wait_for()
    assert "Báo cáo bị trả lại" in inbox.inner_text()
    assert "Bổ sung tiến độ giải phóng mặt bằng" in inbox.inner_text()
    shot("thong-bao-can-bo")
    # The inbox with rows passes axe-core at both widths.
    found = []
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.screenshot(path=str(ARTIFACTS / f"thong-bao-co-muc-{w}.png"), full_page=True)
        found += _blocking(axe, page, f"thong-bao@{width}")
    assert not found, "\n".join(found)
    page.set_viewport_size({"width": 1280, "height": 900})
    notice = page.locator(".notification-list li", has_text="Báo cáo đã được duyệt")
    notice.get_by_role("button", name="Đã đọc").click()
    page.get_by_role("heading", name=re.compile("Thông báo")).wait_for()
    assert page.locator("header a[href='/thong-bao/'] .badge-count").inner_text() == "1"
    page.locator(".notification-list li", has_text="Báo cáo đã được duyệt").get_by_role(
        "link"
    ).first.click()
    page.wait_for_url(re.compile(rf"/nhiem-vu/{tasks[0].pk}/#bao-cao-{approved.pk}$"))
    assert page.locator(f"#bao-cao-{approved.pk}").get_by_text("Đã duyệt").first.is_visible()
