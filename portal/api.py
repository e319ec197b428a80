"""API plumbing shared by every app: pagination with a cap, one error format."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    """`page` and `page_size` (at most 200); answers `count` and `results`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "throttled",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every 4xx answers {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, Http404):
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
