"""Vietnamese everywhere: the committed catalogue is compiled, and DRF's and Django's common
messages come out in Vietnamese."""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation
from rest_framework import exceptions
from rest_framework.test import APIClient

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "vi" / "LC_MESSAGES"


def _po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    pattern = re.compile(r'^msgid "(.*)"\nmsgstr "(.*)"$', re.MULTILINE)
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
    return {unescape(k): unescape(v) for k, v in pattern.findall(text) if k and v}


def test_the_committed_mo_is_the_compiled_po():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = _po_entries()
    assert len(entries) > 80
    for msgid, msgstr in entries.items():
        assert compiled.gettext(msgid) == msgstr, msgid


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("This field is required.", "Trường này là bắt buộc."),
        ("Not found.", "Không tìm thấy."),
        ("Invalid input.", "Dữ liệu nhập không hợp lệ."),
        ("You do not have permission to perform this action.", "Bạn không có quyền"),
        ("Request was throttled.", "Quá nhiều yêu cầu"),
        ("Authentication credentials were not provided.", "Chưa cung cấp thông tin xác thực"),
        ("Incorrect authentication credentials.", "Thông tin xác thực không đúng."),
        ("A valid integer is required.", "Cần một số nguyên hợp lệ."),
        ("Enter a whole number.", "Hãy nhập một số nguyên."),
    ],
)
def test_common_messages_are_vietnamese(english, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(english).startswith(vietnamese)


def test_drf_exceptions_speak_vietnamese():
    with translation.override("vi"):
        assert str(exceptions.NotAuthenticated().detail).startswith("Chưa cung cấp")
        assert str(exceptions.Throttled(wait=3).detail).startswith("Quá nhiều yêu cầu")
        assert str(exceptions.NotFound().detail) == "Không tìm thấy."


@pytest.mark.django_db
def test_an_anonymous_api_call_is_answered_in_vietnamese():
    response = APIClient().get("/api/v1/tasks/")
    assert response.status_code in (401, 403)
    assert "Chưa cung cấp thông tin xác thực" in response.content.decode()


@pytest.mark.django_db
def test_404_page_is_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page and "Page not found" not in page


@pytest.mark.django_db
def test_a_throttled_call_is_answered_in_vietnamese_with_the_wait():
    from portal.api import exception_handler

    with translation.override("vi"):
        response = exception_handler(exceptions.Throttled(wait=3), {})
    assert response.status_code == 429
    assert response.data["error"]["message"] == (
        "Quá nhiều yêu cầu trong thời gian ngắn. Thử lại sau 3 giây."
    )
