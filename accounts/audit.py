"""Recording sign-ins, failed sign-ins and refused permission checks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import AuditEvent


def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: str = "",
) -> None:
    """Write one audit row. For a refusal this runs after the refused transaction has
    rolled back, so the record survives."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    AuditEvent.objects.create(
        action=action,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        detail=detail[:300],
        ip_address=_ip(request),
    )


def record_refusal(request: HttpRequest, detail: str) -> None:
    record(AuditEvent.Action.REFUSED, request=request, user=request.user, detail=detail)


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(AuditEvent.Action.SIGN_IN, request=request, user=user)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AuditEvent.Action.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed)
def _failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record(
        AuditEvent.Action.SIGN_IN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )
