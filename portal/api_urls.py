"""The /api/v1/ URLs."""

from django.urls import path

from accounts.api import views as account_views
from documents.api import views as document_views
from indicators.api import views as indicator_views
from notifications.api import views as notification_views
from tasks.api import views as task_views

urlpatterns = [
    path("deadlines/parse/", task_views.DeadlineParseView.as_view(), name="api-deadline-parse"),
    path("tasks/", task_views.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<int:pk>/", task_views.TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<int:pk>/event/", task_views.TaskEventView.as_view(), name="api-task-event"),
    path(
        "tasks/<int:pk>/extensions/",
        task_views.TaskExtensionsView.as_view(),
        name="api-task-extensions",
    ),
    path(
        "tasks/<int:pk>/extensions/<int:extension_id>/decision/",
        task_views.TaskExtensionDecisionView.as_view(),
        name="api-task-extension-decision",
    ),
    path(
        "overdue/summary/",
        task_views.OverdueSummaryView.as_view(),
        name="api-overdue-summary",
    ),
    path(
        "tracks/<int:track_id>/reports/",
        task_views.TrackReportCreateView.as_view(),
        name="api-track-report-create",
    ),
    path("reports/", task_views.ReportListView.as_view(), name="api-report-list"),
    path("reports/<int:pk>/", task_views.ReportDetailView.as_view(), name="api-report-detail"),
    path(
        "reports/<int:pk>/submit/",
        task_views.ReportSubmitView.as_view(),
        name="api-report-submit",
    ),
    path(
        "reports/<int:pk>/approve/",
        task_views.ReportApproveView.as_view(),
        name="api-report-approve",
    ),
    path(
        "reports/<int:pk>/return/",
        task_views.ReportReturnView.as_view(),
        name="api-report-return",
    ),
    path(
        "reports/<int:pk>/withdraw/",
        task_views.ReportWithdrawView.as_view(),
        name="api-report-withdraw",
    ),
    path(
        "reports/<int:pk>/reopen/",
        task_views.ReportReopenView.as_view(),
        name="api-report-reopen",
    ),
    path("documents/", document_views.DocumentListView.as_view(), name="api-document-list"),
    path(
        "documents/<int:pk>/",
        document_views.DocumentDetailView.as_view(),
        name="api-document-detail",
    ),
    path("units/", account_views.UnitListView.as_view(), name="api-unit-list"),
    path("auth/tokens/", account_views.TokenListCreateView.as_view(), name="api-token-list"),
    path(
        "auth/tokens/<int:pk>/",
        account_views.TokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("indicators/", indicator_views.IndicatorListView.as_view(), name="api-indicator-list"),
    path(
        "indicators/<int:pk>/",
        indicator_views.IndicatorDetailView.as_view(),
        name="api-indicator-detail",
    ),
    path(
        "indicator-values/",
        indicator_views.IndicatorValueListView.as_view(),
        name="api-indicator-value-list",
    ),
    path(
        "notifications/",
        notification_views.NotificationListView.as_view(),
        name="api-notification-list",
    ),
    path(
        "notifications/read/",
        notification_views.NotificationReadAllView.as_view(),
        name="api-notification-read-all",
    ),
    path(
        "notifications/<int:pk>/read/",
        notification_views.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
