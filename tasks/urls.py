from django.urls import path

from tasks import views

urlpatterns = [
    path("viec-cua-toi/", views.my_tasks, name="my-tasks"),
    path("ra-soat-qua-han/", views.overdue_review, name="overdue-review"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task-detail"),
    path("nhiem-vu/<int:pk>/y-kien/", views.comment_create, name="comment-create"),
    path(
        "nhiem-vu/<int:pk>/phan-viec/<int:track_id>/bao-cao/",
        views.report_save_view,
        name="report-save",
    ),
    path("bao-cao/<int:report_id>/duyet/", views.report_approve_view, name="report-approve"),
    path("bao-cao/<int:report_id>/tra-lai/", views.report_return_view, name="report-return"),
    path("nhiem-vu/<int:pk>/su-kien/", views.task_event_record, name="task-event-record"),
    path("nhiem-vu/<int:pk>/giai-trinh/", views.explanation_create, name="explanation-create"),
    path(
        "nhiem-vu/<int:pk>/giai-trinh/<int:request_id>/",
        views.explanation_answer_view,
        name="explanation-answer",
    ),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence-download"),
]
