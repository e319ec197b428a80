"""The project's URLs with the notification pages routed as portal/urls.py will route them:
``path("thong-bao/", include("notifications.urls"))``."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("thong-bao/", include("notifications.urls")),
    *[p for p in portal_urlpatterns if getattr(p, "namespace", None) != "notifications"],
]
