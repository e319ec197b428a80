from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal import views

admin.site.site_header = "Cổng theo dõi thực hiện nghị quyết"
admin.site.site_title = "Quản trị cổng theo dõi"
admin.site.index_title = "Quản trị dữ liệu"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("portal.api_urls")),
    path("thong-bao/", include("notifications.urls")),
    path("", include("accounts.urls")),
    path("", include("reports.urls")),
    path("", include("tasks.urls")),
    path("", include("documents.urls")),
    path("", include("indicators.urls")),
    path("", views.home, name="home"),
]
