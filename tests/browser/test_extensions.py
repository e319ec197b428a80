"""A deadline extension in Chromium: the lead unit's officer asks, a reviewer of the
document agrees from Chờ duyệt, and the task page shows both dates and "trong hạn"."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.choices import Role
from portal.seed import DEMO_PASSWORD
from tasks.models import DeadlineExtension
from tests.browser.test_pages import sign_in, sign_out
from tests.factories import DocumentFactory, UnitFactory, UserFactory, make_task

pytestmark = pytest.mark.browser


def _person(username, unit, role):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, roles=[(unit, role)])
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def test_officer_asks_reviewer_agrees_page_shows_both_dates(
    transactional_db, live_server, page, shot, time_machine
):
    # A day before the original due date, so the extension is agreed in time.
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    lead = UnitFactory(name="Sở Kế hoạch thử")
    monitor = UnitFactory(name="Ban theo dõi thử")
    document = DocumentFactory(issued_on=dt.date(2026, 1, 10), issued_year=2026, horizon_year=2030)
    document.monitors.add(monitor)
    task = make_task(document, "1", leads=[lead], deadline="Trước ngày 15/12/2026")
    assert task.due_on == dt.date(2026, 12, 15)
    _person("gh.canbo", lead, Role.OFFICER)
    _person("gh.rasoat", monitor, Role.REVIEWER)
    base = live_server.url

    sign_in(page, base, "gh.canbo")
    page.goto(f"{base}/nhiem-vu/{task.pk}/")
    page.get_by_text("Đề nghị gia hạn", exact=True).click()
    page.get_by_label("Đề nghị gia hạn đến ngày").fill("30/12/2026")
    page.get_by_label("Lý do đề nghị gia hạn").fill("Chờ ý kiến thẩm định của Sở Tài chính.")
    page.get_by_role("button", name="Gửi đề nghị gia hạn").click()
    page.get_by_text("Đã gửi đề nghị gia hạn.").wait_for()
    shot("gia-han-de-nghi")
    sign_out(page)

    sign_in(page, base, "gh.rasoat")
    page.goto(f"{base}/cho-duyet/")
    row = page.locator(f"#gia-han-{DeadlineExtension.objects.get().pk}")
    row.get_by_text("Chờ ý kiến thẩm định").wait_for()
    shot("gia-han-cho-duyet")
    row.get_by_role("button", name="Ghi quyết định").click()
    page.get_by_text("Đã đồng ý gia hạn đến 30/12/2026.").wait_for()

    page.goto(f"{base}/nhiem-vu/{task.pk}/")
    facts = page.locator("#han-ban-dau")
    assert facts.inner_text().startswith("15/12/2026")
    assert "Gia hạn đến 30/12/2026 theo đề nghị ngày 02/12/2026" in facts.inner_text()
    assert "Chưa hoàn thành, trong hạn" in page.locator("h1 + p").inner_text()
    assert "Đã đồng ý gia hạn" in page.locator("#gia-han").inner_text()
    shot("gia-han-trang-nhiem-vu")
