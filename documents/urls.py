from django.urls import path

from documents import views

urlpatterns = [
    path("van-ban/", views.document_list, name="document-list"),
    path("van-ban/them/", views.document_create, name="document-create"),
    path("van-ban/so-hieu/", views.document_number_preview, name="document-number-preview"),
    path("van-ban/tim/", views.document_search_view, name="document-search"),
    path("van-ban/<slug:slug>/sua/", views.document_edit, name="document-edit"),
    path("van-ban/<slug:slug>/tep/", views.document_attachment, name="document-attachment"),
    path("van-ban/<slug:slug>/", views.document_detail, name="document-detail"),
]
