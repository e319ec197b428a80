from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from health_check.views import HealthCheckView

from portal import two_factor, views

admin.site.site_header = "Cổng theo dõi thực hiện nghị quyết"
admin.site.site_title = "Quản trị cổng theo dõi"
admin.site.index_title = "Quản trị dữ liệu"


def _status_checks() -> list[object]:
    """The full status page: the database, the media storage and, where configured, Redis
    (the throttle cache and the broker) and a Celery worker answering a ping."""
    checks: list[object] = ["health_check.checks.Database", "health_check.checks.Storage"]
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        from redis.asyncio import Redis

        broker = settings.CELERY_BROKER_URL
        checks += [
            (
                "health_check.contrib.redis.Redis",
                {"client_factory": lambda: Redis.from_url(broker)},
            ),
            ("health_check.checks.Cache", {"alias": "throttle"}),
            ("health_check.contrib.celery.Ping", {"limit": 1}),
        ]
    return checks


handler400 = "portal.views.bad_request"

urlpatterns = [
    # Liveness: the process answers and reaches the database (the container health check).
    path("healthz", views.healthz, name="healthz"),
    path("health/", HealthCheckView.as_view(checks=_status_checks()), name="health-status"),
    path("xac-thuc-hai-buoc/", two_factor.two_factor, name="two-factor"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's settings come from a separate script URL, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("portal.api_urls")),
    path("thong-bao/", include("notifications.urls")),
    path("cho-duyet/", views.approval_queue_view, name="approval-queue"),
    path("", include("accounts.urls")),
    path("", include("reports.urls")),
    path("", include("tasks.urls")),
    path("", include("documents.urls")),
    path("", include("indicators.urls")),
    path("", views.home, name="home"),
]
