from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, open to anonymous callers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # any database error means "not ready"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on the page it works from."""
    from tasks.selectors import user_is_reviewer

    if not request.user.is_authenticated:
        return redirect("login")
    if user_is_reviewer(request.user):
        return redirect("overdue-review")
    return redirect("my-tasks")


def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """django-axes: too many failed sign-ins."""
    from django.shortcuts import render

    return render(request, "registration/locked_out.html", status=429)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 page (DEBUG off): an upload over the limit says which limit (portal.uploads)."""
    from django.shortcuts import render

    from portal.uploads import UploadTooLarge

    message = str(exception) if isinstance(exception, UploadTooLarge) else ""
    response = render(request, "400.html", {"message": message}, status=400)
    response.error_message = message or None  # type: ignore[attr-defined]
    return response


def safe_next(request: HttpRequest, default: str) -> str:
    """Where a decision returns: the page it came from (``next``, same site only)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


BULK_LIMIT = 200


@login_required
@require_http_methods(["GET", "POST"])
def approval_queue_view(request: HttpRequest) -> HttpResponse:
    """Chờ duyệt: reports and values waiting for this leader, oldest first; approve the ticked
    ones at once (each through the workflow, each checked again), or return one with a
    reason (the report's or value's own return action). Below, the extension requests the
    user decides (each through the task's own decision action)."""
    from accounts.delegations import delegators
    from portal.approvals import approval_queue, extension_queue

    if request.method == "POST":
        return _bulk_approve(request)
    return render(
        request,
        "approvals/queue.html",
        {
            "rows": approval_queue(request.user),
            "extensions": extension_queue(request.user),
            "delegators": delegators(request.user),
            "today": timezone.localdate(),
        },
    )


def _bulk_approve(request: HttpRequest) -> HttpResponse:
    from indicators.services import value_approve
    from portal.workflow import WorkflowError
    from tasks.services import report_approve

    actions = {"report": report_approve, "value": value_approve}
    chosen = request.POST.getlist("chon")[:BULK_LIMIT]
    approved, refused = 0, []
    for key in chosen:
        kind, _, rest = key.partition("-")
        pk, _, version = rest.partition("-")
        if kind not in actions or not pk.isdigit() or not version.isdigit():
            continue
        arguments = {"report_id" if kind == "report" else "value_id": int(pk)}
        try:
            actions[kind](user=request.user, version=int(version), **arguments)
            approved += 1
        except WorkflowError as exc:
            refused.append(exc.message)
    if not chosen:
        messages.error(request, "Chưa chọn báo cáo hoặc số liệu nào để duyệt.")
    if approved:
        messages.success(request, f"Đã duyệt {approved} mục.")
    for message in dict.fromkeys(refused):
        messages.error(request, f"Một số mục chưa duyệt được: {message}")
    return redirect(reverse("approval-queue"))
