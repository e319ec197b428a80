"""API plumbing shared by every app: pagination with a cap, one error format, a JSON parser
that refuses deep nesting."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.parsers import PayloadTooLarge
from portal.vietnamese import nfc, nfc_multiline


class Pagination(PageNumberPagination):
    """`page` and `page_size` (at most 200); answers `count` and `results`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class WindowCountPaginator(Paginator):
    """Reads a page and the total in one query (``COUNT(*) OVER ()``) instead of a count
    query and a page query that both evaluate the list's conditions: the database sorts
    every matching row for the page anyway. Not for DISTINCT querysets (the window counts
    before DISTINCT)."""

    MAX_PAGE = 10**9

    def page(self, number: Any) -> Page:
        number = self.validate_number_without_count(number)
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(window_total=Window(Count("*")))[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.count = rows[0].window_total
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def validate_number_without_count(self, number: Any) -> int:
        try:
            value = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if value < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if value > self.MAX_PAGE:  # past any list, and an OFFSET the database would refuse
            raise EmptyPage(self.error_messages["no_results"])
        return value


class WindowCountPagination(Pagination):
    """``Pagination`` whose count comes with the page (``WindowCountPaginator``)."""

    django_paginator_class = WindowCountPaginator


class NFCCharField(serializers.CharField):
    """Text input normalised to NFC, zero-width characters dropped and spaces folded
    (``multiline`` keeps line breaks), so stored text compares and searches as typed."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        value = nfc_multiline(text) if self.multiline else nfc(text)
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã lỗi ổn định, ví dụ `conflict`.")
    message = serializers.CharField(help_text="Thông báo cho người dùng (tiếng Việt).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Lỗi theo từng trường nhập (với mã 400).",
    )
    retry_after_seconds = serializers.IntegerField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The one error format: {"error": {"code", "message", "fields"}}."""

    error = ErrorBodySerializer()


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Dữ liệu đã thay đổi; hãy tải lại."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = 'If-Match phải là phiên bản đã đọc, ví dụ "3".'
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = 'Cần gửi phiên bản đã đọc: trường "version" hoặc tiêu đề If-Match.'
    default_code = "precondition_required"


_DESCRIPTIONS = {
    400: "Dữ liệu không hợp lệ hoặc thao tác bị từ chối theo nghiệp vụ.",
    401: "Chưa đăng nhập, hoặc mã truy cập sai, hết hạn, bị thu hồi.",
    403: "Không có quyền với đối tượng này.",
    404: "Không tồn tại, hoặc nằm ngoài phạm vi được xem.",
    409: "Phiên bản đã cũ: người khác đã lưu trước; không có gì bị thay đổi.",
    412: "If-Match không đọc được.",
    428: "Thiếu phiên bản (version hoặc If-Match).",
    429: "Gửi quá nhiều yêu cầu; thử lại sau.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an endpoint can answer (401 and 429 always)."""
    wanted = sorted({401, 429, *codes})
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_DESCRIPTIONS[code])
        for code in wanted
    }


_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "throttled",
}


def error_code(status_code: int) -> str:
    return _CODES.get(status_code, "error")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every 4xx answers {"error": {"code", "message", "fields"}}."""
    from django.core.exceptions import RequestDataTooBig

    if isinstance(exc, RequestDataTooBig):  # portal.uploads or DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    fields: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        message = "Dữ liệu không hợp lệ."
        if isinstance(data, dict):
            fields = {k: v for k, v in data.items() if k != "non_field_errors"}
            non_field = data.get("non_field_errors")
            if non_field:
                message = " ".join(str(m) for m in non_field)
        elif isinstance(data, list):
            message = " ".join(str(m) for m in data)
    elif isinstance(exc, exceptions.Throttled):
        # DRF fills the wait into its sentence before translating it, so no catalogue can;
        # the sentence is translated here (locale/vi) and the wait filled in after.
        message = str(exc.default_detail)
        if exc.wait:
            message += " " + gettext("Expected available in {wait} seconds.").format(wait=exc.wait)
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        message = str(detail) if detail else str(exc)
    code = _CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.APIException) and isinstance(exc.get_codes(), str):
        code = str(exc.get_codes()) if response.status_code not in (400,) else code
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        wait = getattr(exc, "wait", None)
        if wait:
            response.data["error"]["retry_after_seconds"] = int(wait)
    return response
