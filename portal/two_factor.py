"""TOTP two-factor sign-in (django-otp): required for administrators (staff), reviewers,
secretariats and unit administrators (who enter documents and manage people), and for anyone
who has set up an authenticator app; optional for everyone else, who may set one up at the
same page. Enforced while TWO_FACTOR_REQUIRED (default: when DEBUG is off). API tokens are a
credential of their own and are not asked for a code."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

EXEMPT_PREFIXES = ("/xac-thuc-hai-buoc/", "/dang-xuat/", "/static/", "/healthz", "/health/")


def two_factor_required(user: Any) -> bool:
    from accounts.access import access_for
    from accounts.choices import Role

    access = access_for(user)
    return bool(
        user.is_staff
        or access.is_reviewer
        or access.units(Role.SECRETARIAT, Role.UNIT_ADMIN)
        or django_otp.user_has_device(user, confirmed=True)
    )


class TwoFactorMiddleware:
    """A signed-in person who needs a second factor and has not given it this session sees
    only the code page (or, under /api/, a 403 in the error format)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.TWO_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(EXEMPT_PREFIXES)
            and two_factor_required(user)
        ):
            if request.path.startswith("/api/"):
                from portal.middleware import api_error

                return api_error(403, "Cần nhập mã xác thực hai bước trước.", "two_factor_required")
            return redirect(f"{reverse('two-factor')}?next={quote(request.get_full_path())}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Mã 6 chữ số trong ứng dụng xác thực",
        error_messages={"invalid": "Mã gồm 6 chữ số."},
    )


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enter the current code; the first time, add the key to an authenticator app first."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "Ứng dụng xác thực"}
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse("home")
            return redirect(target)
        form.add_error("code", "Mã không đúng hoặc đã hết hạn; thử mã mới.")
    context = {
        "form": form,
        "setting_up": setting_up,
        "secret": base64.b32encode(device.bin_key).decode() if setting_up else "",
        "config_url": device.config_url if setting_up else "",
        "required": two_factor_required(user),
    }
    return render(
        request,
        "registration/two_factor.html",
        context,
        status=200 if form.is_valid() or request.method == "GET" else 400,
    )
