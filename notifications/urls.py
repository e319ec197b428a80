from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("da-doc/", views.notification_mark_all_read, name="mark-all-read"),
    path("<int:pk>/da-doc/", views.notification_mark_read, name="mark-read"),
    path("cai-dat/", views.preference_edit, name="preferences"),
]
