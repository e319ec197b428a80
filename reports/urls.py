from django.urls import path

from reports import views

urlpatterns = [
    path("bao-cao-dinh-ky/", views.periodic_report_view, name="periodic-report"),
    path("bao-cao-dinh-ky/gui/", views.signed_report_upload_view, name="signed-report-upload"),
    path(
        "bao-cao-dinh-ky/da-gui/<int:pk>/",
        views.signed_report_download,
        name="signed-report-download",
    ),
    path("tong-hop-dinh-ky/", views.summary_view, name="period-summary"),
    path("do-phu-chuoi/", views.chain_coverage_view, name="chain-coverage"),
    path("lich/", views.calendar_settings, name="calendar-settings"),
    path("lich/<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
]
