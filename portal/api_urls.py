from django.urls import path

from tasks.api import views as task_views

urlpatterns = [
    path("deadlines/parse/", task_views.DeadlineParseView.as_view(), name="api-deadline-parse"),
]
