from django.urls import path

from documents import views

urlpatterns = [
    path("van-ban/", views.document_list, name="document-list"),
    path("van-ban/<slug:slug>/", views.document_detail, name="document-detail"),
]
