from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
