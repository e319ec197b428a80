"""One FilterSet for task lists, shared by the pages and the API."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.access import units_answered_by
from portal.vietnamese import nfc, strip_accents
from tasks.choices import AssignmentRole, ReportState, TaskStatus
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack
from tasks.status import Status
from tasks.status_sql import StatusQuery

ORDERINGS = {
    "due_on": (F("due_on").asc(nulls_last=True), "id"),
    "-due_on": (F("due_on").desc(nulls_last=True), "id"),
}


def default_task_order(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """By due date, undated tasks last, then by id."""
    return tasks.order_by(*ORDERINGS["due_on"])


class TaskFilter(django_filters.FilterSet):
    """Filters of the task list. ``today`` is the date in Asia/Ho_Chi_Minh unless given."""

    document = django_filters.CharFilter(
        method="filter_document", help_text="Văn bản: id hoặc mã (slug)."
    )
    lead_unit = django_filters.NumberFilter(
        method="filter_lead_unit", help_text="Id đơn vị chủ trì."
    )
    coordinating_unit = django_filters.NumberFilter(
        method="filter_coordinating_unit", help_text="Id đơn vị phối hợp."
    )
    province = django_filters.NumberFilter(
        method="filter_province",
        help_text="Id tỉnh: văn bản của tỉnh, hoặc đơn vị được giao thuộc tỉnh.",
    )
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", help_text="Hạn vào hoặc trước ngày này."
    )
    due_after = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", help_text="Hạn vào hoặc sau ngày này."
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Tìm trong nội dung, không phân biệt dấu và hoa thường."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: chưa hoàn thành, quá hạn (như status=overdue)."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=TaskStatus.choices,
        method="filter_status",
        help_text="Trạng thái tính toán hôm nay; lặp lại tham số để chọn nhiều.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[("due_on", "due_on"), ("-due_on", "-due_on")],
        method="filter_ordering",
        help_text="Sắp xếp theo hạn (nhiệm vụ không có hạn ở cuối), rồi theo id.",
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(self, *args, today: dt.date | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self._status_query: StatusQuery | None = None

    @property
    def status_query(self) -> StatusQuery:
        """The status conditions of ``today`` (the stored columns for today, per occurrence
        for a past day), made once per filter set."""
        if self._status_query is None:
            self._status_query = StatusQuery.for_day(self.today)
        return self._status_query

    def filter_document(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        value = value.strip()
        if re.fullmatch(r"[0-9]{1,18}", value):  # str.isdigit() also accepts "²"
            return queryset.filter(document_id=int(value))
        return queryset.filter(document__slug=value)

    def _assigned(self, queryset: QuerySet[Task], condition: Q) -> QuerySet[Task]:
        # Exists, not a join: a task with two matching units stays one row.
        return queryset.filter(
            Exists(TaskAssignment.objects.filter(condition, task=OuterRef("pk")))
        )

    def _answered_by(self, value: int) -> list[int]:
        return sorted(units_answered_by([value], self.today))

    def filter_lead_unit(self, queryset: QuerySet[Task], name: str, value: int) -> QuerySet[Task]:
        """Led by the unit, or by a unit it answers for today, or handed to it."""
        handed = TaskTrack.objects.filter(task=OuterRef("pk"), handed_to_id=value)
        units = self._answered_by(value)
        return queryset.filter(
            Q(
                Exists(
                    TaskAssignment.objects.filter(
                        role=AssignmentRole.LEAD, unit_id__in=units, task=OuterRef("pk")
                    )
                )
            )
            | Q(Exists(handed))
        )

    def filter_coordinating_unit(
        self, queryset: QuerySet[Task], name: str, value: int
    ) -> QuerySet[Task]:
        units = self._answered_by(value)
        return self._assigned(queryset, Q(role=AssignmentRole.COORDINATE, unit_id__in=units))

    def filter_province(self, queryset: QuerySet[Task], name: str, value: int) -> QuerySet[Task]:
        """The province's documents or units, and those of the provinces merged into it."""
        provinces = self._answered_by(value)
        in_province = TaskAssignment.objects.filter(
            Q(unit__province_id__in=provinces) | Q(unit_id__in=provinces), task=OuterRef("pk")
        )
        return queryset.filter(Q(document__province_id__in=provinces) | Q(Exists(in_province)))

    def filter_q(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        words = strip_accents(nfc(value))
        if not words:
            return queryset
        return queryset.filter(title__unaccent__icontains=words)

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        query = self.status_query
        overdue = [Status.OVERDUE]
        return query.filter(queryset, overdue) if value else query.exclude(queryset, overdue)

    def filter_status(
        self, queryset: QuerySet[Task], name: str, value: list[str]
    ) -> QuerySet[Task]:
        if not value:
            return queryset
        return self.status_query.filter(queryset, [Status(v) for v in value])

    def filter_ordering(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.order_by(*ORDERINGS[value]) if value in ORDERINGS else queryset


class ReportFilter(django_filters.FilterSet):
    track = django_filters.NumberFilter(field_name="track_id", help_text="Id phần việc.")
    state = django_filters.ChoiceFilter(choices=ReportState.choices)

    class Meta:
        model = ProgressReport
        fields: list[str] = []
