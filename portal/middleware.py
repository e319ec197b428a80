"""Request input the database cannot store: a NUL character in the query string is a clear
400, never a 500 from PostgreSQL; a cookie holding one is dropped (as if absent)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class RejectNulMiddleware:
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
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "invalid", "message": message, "fields": {}}}, status=400
                )
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
