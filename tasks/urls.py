from django.urls import path

from tasks import entry_views, import_views, views

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
    path("bao-cao/<int:report_id>/rut-lai/", views.report_withdraw_view, name="report-withdraw"),
    path("bao-cao/<int:report_id>/mo-lai/", views.report_reopen_view, name="report-reopen"),
    path("nhiem-vu/<int:pk>/su-kien/", views.task_event_record, name="task-event-record"),
    path("nhiem-vu/<int:pk>/giai-trinh/", views.explanation_create, name="explanation-create"),
    path(
        "nhiem-vu/<int:pk>/phan-viec/<int:track_id>/chuyen-giao/",
        views.track_hand_over_view,
        name="track-hand-over",
    ),
    path(
        "nhiem-vu/<int:pk>/giai-trinh/<int:request_id>/",
        views.explanation_answer_view,
        name="explanation-answer",
    ),
    path("nhiem-vu/<int:pk>/gia-han/", views.extension_request_view, name="extension-request"),
    path(
        "nhiem-vu/<int:pk>/gia-han/<int:extension_id>/quyet-dinh/",
        views.extension_decide_view,
        name="extension-decide",
    ),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("van-ban/<slug:slug>/nhap-bang/", import_views.table_import, name="document-table-import"),
    path(
        "van-ban/<slug:slug>/nhap-bang/<int:batch_id>/",
        import_views.table_import_review,
        name="document-table-import-review",
    ),
    path(
        "van-ban/<slug:slug>/nhap-bang/<int:batch_id>/dong/<int:index>/",
        import_views.table_import_row,
        name="document-table-import-row",
    ),
    path(
        "van-ban/<slug:slug>/nhap-bang/<int:batch_id>/don-vi/",
        import_views.table_import_unit,
        name="document-table-import-unit",
    ),
    path("van-ban/<slug:slug>/nhiem-vu/them/", entry_views.task_create, name="task-create"),
    path("thoi-han/doc-thu/", import_views.deadline_preview, name="deadline-preview"),
]
