"""Request plumbing shared by every page and endpoint: request ids in the logs, the API's
error format for errors Django answers before a view runs, no caching of what a signed-in
person sees, and NUL characters refused."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from portal.logging import request_id

logger = logging.getLogger("portal.request")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """The proxy's X-Request-Id (or a new one) names the request in every log record made
    while it is served and in the response, so a user's report can be found in the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-Id", "")
        rid = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-Id"] = rid
            user = getattr(request, "user", None)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status_code": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id.reset(token)


API_PREFIX = "/api/"
_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Không có quyền thực hiện yêu cầu này.",
    404: "Không có địa chỉ này trong API.",
    405: "Phương thức không được hỗ trợ ở địa chỉ này.",
    413: "Yêu cầu quá lớn.",
}


def api_error(status: int, message: str, code: str | None = None) -> JsonResponse:
    """The API's one error format, for responses made outside DRF."""
    from portal.api import error_code

    return JsonResponse(
        {"error": {"code": code or error_code(status), "message": message, "fields": {}}},
        status=status,
    )


class ApiErrorMiddleware:
    """Every 4xx under /api/ answers the error format, also the ones Django makes before
    any API view runs (an unknown URL, a refused upload): never an HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = getattr(response, "error_message", None) or _MESSAGES.get(
                response.status_code, "Yêu cầu không được chấp nhận."
            )
            converted = api_error(response.status_code, message)
            for header in ("Retry-After", "Allow", "WWW-Authenticate"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response


class NoStoreMiddleware:
    """Nothing a signed-in person (session or API token) sees, and no download, is kept by
    a browser or a shared cache: on a shared office computer Back must not show it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
            or "attachment" in response.get("Content-Disposition", "")
        ):
            add_never_cache_headers(response)
        return response


class RejectNulMiddleware:
    """Request input the database cannot store: a NUL character in the query string is a
    clear 400, never a 500 from PostgreSQL; a cookie holding one is dropped (as if absent)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]
        for key in bad:
            del request.COOKIES[key]
        values: list[str] = []
        for key, items in request.GET.lists():
            values.append(key)
            values.extend(items)
        if any("\x00" in value for value in values):
            message = "Yêu cầu chứa ký tự không hợp lệ (NUL)."
            if request.path.startswith(API_PREFIX):
                return api_error(400, message, "invalid")
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
