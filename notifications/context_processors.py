"""``unread_count`` (and ``notifications_url``) for every page, for the signed-in user.

The count is lazy: a page that never shows it costs no query. ``notifications_url`` is only
set once the notification pages are routed (``path("thong-bao/", include(...))``)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count as count_unread


def unread_count(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_count": 0}
    context: dict[str, Any] = {"unread_count": SimpleLazyObject(lambda: count_unread(user))}
    with suppress(NoReverseMatch):  # not routed yet
        context["notifications_url"] = reverse("notifications:list")
    return context
