"""Indicators in Chromium: a provincial officer enters a value, the leader approves it, and
the traffic light and the chart change."""

import re

import pytest

from portal.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

FOREST = "CTR26-19"  # Lai Châu: tỷ lệ che phủ rừng đạt 56% vào năm 2030


def sign_in(page, base, username):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()


def chart_values(page):
    return page.evaluate(
        "() => window.Chart.getChart('indicator-chart').data.datasets.map(d => d.data)"
    )


def chart_labels(page):
    return page.evaluate(
        "() => window.Chart.getChart('indicator-chart').data.datasets.map(d => d.label)"
    )


def _approved_2021():  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from accounts.models import User
    from indicators.models import Indicator, IndicatorValue

    indicator = Indicator.objects.get(code=FOREST)
    IndicatorValue.objects.create(
        indicator=indicator,
        scope=indicator.scope,
        year=2021,
        value=Decimal(48),
        source="Niên giám thống kê 2021",
        state="approved",
        entered_by=User.objects.get(username="laichau.canbo"),
    )


def test_officer_enters_leader_approves_light_and_chart_change(seeded_live, page, shot):
    base = seeded_live.url
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # given the 2021 figure already approved (one value alone, with no baseline, is "chưa đủ
    # số liệu để đánh giá") and a Lai Châu officer on the dashboard of Program 26-CTr/TU
    _approved_2021()
    sign_in(page, base, "laichau.canbo")
    page.goto(f"{base}/chi-tieu/")
    page.get_by_role("link", name="26-CTr/TU").first.click()
    row = page.locator(f"#chi-tieu-{FOREST}")
    assert row.locator(".verdict").inner_text() == "Chưa có số liệu"  # not enough to judge
    # when she opens forest cover and enters 2024 the Vietnamese way, and submits
    row.get_by_role("link", name="Tỷ lệ che phủ rừng").click()
    assert page.url.endswith(f"/chi-tieu/{FOREST}/")
    form = page.locator("#nhap-so-lieu form")
    form.get_by_label("Năm").fill("2024")
    form.get_by_label(re.compile("^Giá trị")).fill("51,5")
    form.get_by_label("Nguồn số liệu").fill("Cục Thống kê tỉnh")
    form.get_by_role("button", name="Lưu và gửi duyệt").click()
    page.get_by_text("Đã gửi số liệu để lãnh đạo đơn vị duyệt.").wait_for()
    assert page.locator("#cho-duyet").get_by_text("Đã gửi").is_visible()
    assert page.locator("#danh-gia .verdict").inner_text() == "Chưa có số liệu"
    sign_out(page)
    # then the leader approves it
    sign_in(page, base, "laichau.lanhdao")
    page.goto(f"{base}/chi-tieu/{FOREST}/")
    page.locator("#cho-duyet").get_by_role("button", name="Duyệt").click()
    page.get_by_text("Đã duyệt số liệu.").wait_for()
    # and the light turns into a real verdict, the chart plots 51,5 against the path
    verdict = page.locator("#danh-gia .verdict")
    assert verdict.inner_text() == "Đúng tiến độ"
    assert "Năm 2024 đạt 51,5%" in page.locator("#danh-gia").inner_text()
    page.wait_for_function("() => window.Chart && window.Chart.getChart('indicator-chart')")
    actual, expected = chart_values(page)
    assert 51.5 in actual
    assert expected[-1] == 56  # the path ends at the goal in 2030
    assert page.locator("#so-lieu").get_by_text("Cục Thống kê tỉnh").is_visible()
    shot("11-chi-tieu-chi-tiet")
    page.goto(f"{base}/chi-tieu/van-ban/26-ctr-tu/")
    row = page.locator(f"#chi-tieu-{FOREST}")
    assert row.locator(".verdict").inner_text() == "Đúng tiến độ"
    assert "51,5" in row.inner_text()
    shot("10-chi-tieu-dashboard")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]


def test_reviewer_compares_provinces_of_a_regional_target(seeded_live, page, shot):
    from decimal import Decimal

    from accounts.models import Unit, User
    from indicators.choices import ValueState
    from indicators.models import Indicator, IndicatorValue

    indicator = Indicator.objects.get(code="KL26-09")  # vùng TDMNBB: lao động qua đào tạo > 65%
    officer = User.objects.get(username="laichau.canbo")
    for key, values in {
        "tinh-lai-chau": {2016: "42", 2018: "50", 2020: "66"},
        "tinh-dien-bien": {2016: "40", 2018: "44,5", 2020: "58"},
    }.items():
        scope = Unit.objects.get(key=key)
        for year, text in values.items():
            IndicatorValue.objects.create(
                indicator=indicator,
                scope=scope,
                year=year,
                value=Decimal(text.replace(",", ".")),
                source="Niên giám thống kê",
                state=ValueState.APPROVED,
                entered_by=officer,
            )
    sign_in(page, seeded_live.url, "bktw.rasoat")
    page.goto(f"{seeded_live.url}/chi-tieu/van-ban/kh-26-kl-tw/")
    page.locator("#chi-tieu-KL26-09").get_by_role("link", name="So sánh các tỉnh").click()
    comparison = page.locator("#so-sanh-tinh")
    lai_chau = comparison.get_by_role("row", name=re.compile("Lai Châu"))
    dien_bien = comparison.get_by_role("row", name=re.compile("Điện Biên"))
    assert lai_chau.locator(".verdict").inner_text() == "Đã đạt"
    assert dien_bien.locator(".verdict").inner_text() == "Không đạt"
    table = page.locator("#so-lieu")
    assert "44,5" in table.get_by_role("row", name=re.compile("Điện Biên")).inner_text()
    # the chart has a line per province with values
    page.wait_for_function("() => window.Chart && window.Chart.getChart('indicator-chart')")
    labels = chart_labels(page)
    assert any("Lai Châu" in label for label in labels)
    assert any("Điện Biên" in label for label in labels)
    # provinces by name, Đ with D: Điện Biên before Lai Châu
    assert [series[-1] for series in chart_values(page)] == [58, 66]
    shot("12-chi-tieu-so-sanh-tinh")
