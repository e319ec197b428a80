"""The main pages at a desktop width (1366 px) and a phone width (390 px): axe-core finds no
serious or critical violation, and a screenshot of each is kept under var/artifacts for a
person to look at."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from documents.models import Document
from indicators.models import Indicator
from tasks.models import Task
from tests.browser.test_pages import sign_in, sign_out

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
BLOCKING = {"serious", "critical"}


def _pages(base: str) -> dict[str, list[tuple[str, str]]]:
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")
    document = Document.objects.get(slug="26-ctr-tu")
    indicator = Indicator.objects.filter(document=document).order_by("position").first()
    common = [
        ("viec-cua-toi", "/viec-cua-toi/"),
        ("nhiem-vu", f"/nhiem-vu/{task.pk}/"),
        ("van-ban", "/van-ban/"),
        ("van-ban-chi-tiet", f"/van-ban/{document.slug}/"),
        ("chi-tieu", "/chi-tieu/"),
        ("chi-tieu-chi-tiet", f"/chi-tieu/{indicator.code}/"),
        ("thong-bao", "/thong-bao/"),
        ("khong-tim-thay", "/khong-co-trang-nay/"),
    ]
    return {
        "laichau.canbo": common,
        "bktw.rasoat": [("ra-soat-qua-han", "/ra-soat-qua-han/")],
        "laichau.lanhdao": [("cho-duyet", "/cho-duyet/"), ("uy-quyen", "/uy-quyen/")],
    }


def test_main_pages_pass_axe_at_desktop_and_phone_width(seeded_live, page):
    base = seeded_live.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    found: list[str] = []
    page.goto(f"{base}/dang-nhap/")
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.goto(f"{base}/dang-nhap/")
        page.screenshot(path=str(ARTIFACTS / f"dang-nhap-{w}.png"), full_page=True)
        found += _blocking(axe, page, f"dang-nhap@{width}")
    for username, pages in _pages(base).items():
        sign_in(page, base, username)
        for name, path in pages:
            for width, (w, h) in WIDTHS.items():
                page.set_viewport_size({"width": w, "height": h})
                page.goto(f"{base}{path}")
                page.screenshot(path=str(ARTIFACTS / f"{name}-{w}.png"), full_page=True)
                found += _blocking(axe, page, f"{name}@{width}")
        sign_out(page)
    assert not found, "\n".join(found)


def _blocking(axe: Axe, page, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    results = axe.run(page)
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]
