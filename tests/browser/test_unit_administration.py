"""A province's unit administrator finds the administration pages from the header and records
a unit's rename with its deciding document, in Chromium; axe finds no serious or critical
violation on the new pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.choices import Role
from accounts.models import Unit, UnitSuccession
from tests.browser.test_accessibility import _blocking
from tests.browser.test_pages import person, sign_in

pytestmark = pytest.mark.browser


def test_a_province_administrator_records_a_rename(seeded_live, page, shot):
    base = seeded_live.url
    province = Unit.objects.get(key="tinh-lai-chau")
    person("laichau.quantri", "Lò Văn Quản", province, Role.UNIT_ADMIN)
    axe = Axe()

    sign_in(page, base, "laichau.quantri")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Quản trị đơn vị"
    ).click()
    found = _blocking(axe, page, "quan-tri-don-vi")
    page.get_by_role("link", name="Đổi tên, hợp nhất đơn vị").click()
    page.get_by_role("heading", name="Đổi tên, hợp nhất đơn vị của Tỉnh Lai Châu").wait_for()
    found += _blocking(axe, page, "sap-xep-don-vi")

    page.get_by_label("Sở Tư pháp tỉnh Lai Châu", exact=True).check()
    page.get_by_label("Tên đơn vị mới (như trong quyết định)").fill("Sở Tư pháp và Hộ tịch")
    page.get_by_label("Có hiệu lực từ ngày (dd/mm/yyyy)").fill("01/12/2026")
    page.get_by_label("Văn bản quyết định (số, ký hiệu)").fill("Quyết định số 1/QĐ-THU (thử)")
    page.get_by_label("Ngày ban hành văn bản (dd/mm/yyyy)").fill("20/11/2026")
    page.get_by_label("Đã đối chiếu văn bản").check()
    shot("13-05-sap-xep-don-vi")
    page.get_by_role("button", name="Ghi nhận").click()
    page.get_by_text(
        "“Sở Tư pháp và Hộ tịch tỉnh Lai Châu” kế thừa công việc của Sở Tư pháp tỉnh Lai Châu"
    ).wait_for()
    page.get_by_role("cell", name="Quyết định số 1/QĐ-THU (thử) ngày 20/11/2026").wait_for()
    row = UnitSuccession.objects.get(predecessor__key="so-tu-phap-lai-chau")
    assert (row.successor.name, row.successor.province, row.verified) == (
        "Sở Tư pháp và Hộ tịch tỉnh Lai Châu",
        province,
        True,
    )
    assert not found, "\n".join(found)
