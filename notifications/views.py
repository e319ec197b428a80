"""The in-app notification list (/thong-bao/), read marks and the user's preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from notifications import inbox, selectors
from notifications.filters import NotificationFilter
from notifications.forms import PreferenceForm


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = NotificationFilter(request.GET, queryset=selectors.inbox_for(_user(request))).qs
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    unread_only = request.GET.get("unread") == "true"
    context = {
        "page": page,
        "entries": selectors.entries(page.object_list),
        "unread_only": unread_only,
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    inbox.notification_mark_read(user=_user(request), reminder_id=pk)
    return _back(request)


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    inbox.notifications_mark_all_read(user=_user(request))
    return _back(request)


@login_required
def preference_edit(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_for(_user(request))
    form = PreferenceForm(
        request.POST or None,
        initial={"mode": preference.mode, "muted_kinds": preference.muted_kinds},
    )
    if request.method == "POST" and form.is_valid():
        inbox.preference_update(
            user=_user(request),
            mode=form.cleaned_data["mode"],
            muted_kinds=form.cleaned_data["muted_kinds"],
        )
        messages.success(request, "Đã lưu tùy chọn nhận thông báo.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
