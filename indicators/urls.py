from django.urls import path

from indicators import views

urlpatterns = [
    path("chi-tieu/", views.indicator_list, name="indicator-list"),
    path(
        "chi-tieu/van-ban/<slug:slug>/",
        views.indicator_dashboard_view,
        name="indicator-dashboard",
    ),
    path(
        "chi-tieu/van-ban/<slug:slug>/nhap-excel/",
        views.indicator_import,
        name="indicator-import",
    ),
    path("chi-tieu/gia-tri/<int:value_id>/duyet/", views.value_approve_view, name="value-approve"),
    path("chi-tieu/gia-tri/<int:value_id>/tra-lai/", views.value_return_view, name="value-return"),
    path(
        "chi-tieu/gia-tri/<int:value_id>/rut-lai/", views.value_withdraw_view, name="value-withdraw"
    ),
    path("chi-tieu/gia-tri/<int:value_id>/mo-lai/", views.value_reopen_view, name="value-reopen"),
    path(
        "chi-tieu/<slug:code>/nhiem-vu/",
        views.indicator_link_task_view,
        name="indicator-link-task",
    ),
    path("chi-tieu/<slug:code>/", views.indicator_detail, name="indicator-detail"),
]
