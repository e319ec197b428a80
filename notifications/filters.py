"""One FilterSet for the notification list, shared by the inbox page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from notifications.models import Kind, Reminder


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        method="filter_unread", label="Chỉ thông báo chưa đọc (true) hoặc đã đọc (false)"
    )
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label="Loại thông báo")

    class Meta:
        model = Reminder
        fields = ["unread", "kind"]

    def filter_unread(self, rows: QuerySet[Reminder], name: str, value: bool | None) -> QuerySet:
        if value is None:
            return rows
        return rows.filter(read_at__isnull=value)
