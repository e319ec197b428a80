"""Task and document pages print as plain content: no header, navigation, forms or buttons."""

from pathlib import Path

import pytest

from tasks.models import Task
from tests.browser.test_pages import sign_in

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"


def test_task_and_document_pages_print_without_the_chrome(seeded_live, page):
    base = seeded_live.url
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")
    sign_in(page, base, "laichau.canbo")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    for name, path in (
        ("in-nhiem-vu", f"/nhiem-vu/{task.pk}/"),
        ("in-van-ban", "/van-ban/26-ctr-tu/"),
    ):
        page.goto(f"{base}{path}")
        assert page.locator("h1").first.is_visible()
        assert not page.locator("header.top").is_visible()
        assert not page.get_by_role("button").first.is_visible()
        assert page.locator("form:visible").count() == 0
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
