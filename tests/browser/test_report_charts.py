"""Report charts in Chromium: the review page draws overdue by province and by age, a
document page its progress over quarters; no console errors (CSP allows them)."""

import pytest

from tests.browser.test_indicators import sign_in

pytestmark = pytest.mark.browser


def test_review_and_document_charts_draw(seeded_live, page, shot):
    errors = []
    missing = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    base = seeded_live.url
    sign_in(page, base, "bktw.rasoat")
    page.goto(f"{base}/ra-soat-qua-han/")
    page.wait_for_function("() => window.Chart && window.Chart.getChart('overdue-age-chart')")
    provinces = page.evaluate("() => window.Chart.getChart('overdue-province-chart').data.labels")
    assert "Tỉnh Lai Châu" in provinces
    ages = page.evaluate("() => window.Chart.getChart('overdue-age-chart').data.datasets[0].data")
    assert sum(ages) > 0
    shot("report-charts-review")
    page.goto(f"{base}/van-ban/26-ctr-tu/")
    page.wait_for_function("() => window.Chart && window.Chart.getChart('document-progress-chart')")
    series = page.evaluate(
        "() => window.Chart.getChart('document-progress-chart').data.datasets.map(d => d.label)"
    )
    assert series[0] == "Hoàn thành đúng hạn"
    page.locator("#tien-do-quy").scroll_into_view_if_needed()
    shot("report-charts-document")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    assert not [url for url in missing if "favicon" not in url]


def test_periodic_report_preview_reads_like_the_paper(seeded_live, page, shot):
    base = seeded_live.url
    sign_in(page, base, "laichau.canbo")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Ban cán sự đảng Ủy ban nhân dân tỉnh Lai Châu").click()
    paper = page.locator(".paper")
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in paper.inner_text()
    assert "BÁO CÁO" in paper.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải PDF").click()
    assert download.value.suggested_filename.startswith("bao-cao-bcsd-ubnd-lai-chau-")
    shot("periodic-report-preview")
