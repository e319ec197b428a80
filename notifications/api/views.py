"""The caller's notifications: the list (newest first, paginated, ``?unread=true``) and the
read marks, one or all. Another user's notification does not exist for the caller (404)."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import inbox, selectors
from notifications.api.serializers import MarkedSerializer, NotificationSerializer
from notifications.composing import absolute
from notifications.filters import NotificationFilter
from notifications.models import Reminder
from portal.api import WindowCountPagination, error_responses


def _absolute(entries: list[selectors.Entry]) -> list[selectors.Entry]:
    return [replace(entry, url=absolute(entry.url)) for entry in entries]


@extend_schema_view(
    get=extend_schema(
        summary="Thông báo của tôi",
        responses={200: NotificationSerializer, **error_responses(400, 404)},
    )
)
class NotificationListView(generics.ListAPIView):
    """The caller's reminders and notifications of the workflow, newest first."""

    queryset = Reminder.objects.none()  # for the schema; get_queryset scopes to the caller
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    pagination_class = WindowCountPagination

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.inbox_for(self.request.user)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = _absolute(selectors.entries(page or []))
        return self.get_paginated_response(NotificationSerializer(rows, many=True).data)


class NotificationReadView(APIView):
    """Mark one of the caller's notifications read (again: nothing changes)."""

    @extend_schema(
        summary="Đánh dấu một thông báo đã đọc",
        operation_id="notification_read",
        request=None,
        responses={204: None, **error_responses(404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        if not selectors.inbox_for(request.user).filter(pk=pk).exists():
            raise Http404
        inbox.notification_mark_read(user=request.user, reminder_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllView(APIView):
    """Mark every notification of the caller read."""

    @extend_schema(
        summary="Đánh dấu mọi thông báo đã đọc",
        operation_id="notification_read_all",
        request=None,
        responses={200: MarkedSerializer, **error_responses()},
    )
    def post(self, request: Request) -> Response:
        marked = inbox.notifications_mark_all_read(user=request.user)
        return Response(MarkedSerializer({"marked": marked}).data)
