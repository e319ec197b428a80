import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Unit
from portal.api import NFCCharField
from tasks.choices import AssignmentRole, DeadlineKind, Recurrence, TaskStatus
from tasks.models import DeadlineExtension, ProgressReport, Task
from tasks.status_sql import TaskStatusView, task_status_for


class DeadlineParseInput(serializers.Serializer):
    text = serializers.CharField(max_length=300, allow_blank=True, trim_whitespace=True)
    issued_on = serializers.DateField(required=False, allow_null=True)


class DeadlineParseOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_on = serializers.DateField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, allow_null=True)
    normalized = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True, help_text="Vì sao chưa đọc được (nếu có).")


# --------------------------------------------------------------------------- shared shapes


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()


# --------------------------------------------------------------------------- tasks


class StoredDeadlineSerializer(serializers.Serializer):
    """The deadline as printed and as parsed when the task was stored."""

    text = serializers.CharField(source="deadline_text")
    # A plain string in the schema: the enum is DeadlineParseOutput's (one component per
    # enum keeps the generated names stable).
    kind = serializers.CharField(
        source="deadline_kind",
        help_text="date, period, recurring, event, ongoing hoặc unknown (chưa đọc được).",
    )
    due_on = serializers.DateField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    recurrence = serializers.CharField(
        help_text="yearly, half_yearly, quarterly, monthly, hoặc rỗng."
    )
    normalized = serializers.CharField(source="deadline_normalized")
    note = serializers.CharField(source="deadline_note")
    event_on = serializers.DateField(
        allow_null=True, help_text="Nhiệm vụ theo sự kiện: ngày sự kiện được ghi nhận."
    )
    event_due_on = serializers.DateField(
        allow_null=True,
        help_text="Nhiệm vụ theo sự kiện: hạn do sự kiện đặt ra; rỗng là còn chờ sự kiện.",
    )


class TrackStatusSerializer(serializers.Serializer):
    """One unit's share of a task, with its computed status (from ``TrackStatus``)."""

    id = serializers.IntegerField(source="track.id")
    unit = UnitRefSerializer(source="track.unit")
    percent = serializers.IntegerField(source="track.percent")
    completed_on = serializers.DateField(source="track.completed_on", allow_null=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices)


class TaskEventInput(serializers.Serializer):
    """The event an event-triggered task waited for, and the due date it sets."""

    event_on = serializers.DateField(help_text="Ngày sự kiện xảy ra.")
    due_on = serializers.DateField(help_text="Hạn hoàn thành mà sự kiện đặt ra.")


class OccurrenceReportSerializer(serializers.Serializer):
    """An approved report that met an occurrence."""

    report_id = serializers.IntegerField()
    track_id = serializers.IntegerField(allow_null=True)
    period_year = serializers.IntegerField()
    period_quarter = serializers.IntegerField()
    completed_on = serializers.DateField()
    approved_on = serializers.DateField()


class OccurrenceSerializer(serializers.Serializer):
    """One occurrence of a recurring task (``tasks.occurrences``), judged over its tracks."""

    label = serializers.CharField(help_text="Kỳ: “Năm 2023”, “6 tháng đầu năm 2024”, …")
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    reports = OccurrenceReportSerializer(many=True)


def _occurrences(view: TaskStatusView) -> list[dict[str, object]]:
    return [
        {
            "label": judged.occurrence.label,
            "due_on": _iso(judged.occurrence.due_on),
            "status": judged.status.value,
            "reports": [
                {
                    "report_id": report.report_id,
                    "track_id": track.pk if track is not None else None,
                    "period_year": report.year,
                    "period_quarter": report.quarter,
                    "completed_on": _iso(report.completed_on),
                    "approved_on": _iso(report.approved_on),
                }
                for track, report in judged.reports
            ],
        }
        for judged in view.occurrences
    ]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()  # REST_FRAMEWORK DATE_FORMAT iso-8601


def _unit(unit: Unit) -> dict[str, object]:
    return {"id": unit.pk, "name": unit.name}


class TaskSerializer(serializers.Serializer):
    """A task with its computed status. ``status``, ``days_overdue`` and the tracks' statuses
    come from ``tasks.status_sql.task_status_for`` (today in Asia/Ho_Chi_Minh)."""

    id = serializers.IntegerField()
    document = DocumentRefSerializer()
    ref = serializers.CharField()
    title = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    implements_id = serializers.IntegerField(allow_null=True)
    lead_units = serializers.SerializerMethodField()
    coordinating_units = serializers.SerializerMethodField()
    deadline = StoredDeadlineSerializer(source="*")
    due_on = serializers.SerializerMethodField(
        help_text="Hạn đang áp dụng: hạn đã đọc, hạn do sự kiện đặt ra, hoặc cuối năm mục "
        "tiêu của văn bản khi nhiệm vụ không ghi thời hạn; hạn gia hạn nếu có gia hạn được "
        "đồng ý trước khi hết hạn."
    )
    original_due_on = serializers.SerializerMethodField(
        help_text="Hạn ban đầu (trước mọi gia hạn): hạn đã đọc, hạn do sự kiện đặt ra, hoặc "
        "cuối năm mục tiêu của văn bản."
    )
    extended_due_on = serializers.DateField(
        allow_null=True,
        help_text="Gia hạn đến: hạn mới theo gia hạn được đồng ý trước khi hết hạn; rỗng nếu "
        "không có (gia hạn đồng ý sau khi đã quá hạn không thay đổi hạn).",
    )
    due_basis = serializers.SerializerMethodField(
        help_text="printed (như in), event (do sự kiện đặt ra), document_horizon (theo thời "
        "hạn của văn bản), hoặc rỗng."
    )
    status = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()
    tracks = serializers.SerializerMethodField()
    occurrences = serializers.SerializerMethodField(
        help_text="Nhiệm vụ định kỳ: từng kỳ với hạn, trạng thái và báo cáo đã đáp ứng; rỗng "
        "với nhiệm vụ khác."
    )
    completed_on = serializers.DateField(
        allow_null=True,
        help_text="Ngày nhiệm vụ hoàn thành: ngày đơn vị cuối cùng hoàn thành (đã duyệt).",
    )

    def to_representation(self, instance: Task) -> dict[str, Any]:
        """The declared fields' shape (they make the schema), written out: DRF's walk over
        some forty fields per row cost more than the list's queries (``make bench``). A test
        holds it equal to the generic walk, ``Serializer.to_representation``."""
        task, view = instance, self._status(instance)
        document = task.document
        units: dict[str, list[dict[str, object]]] = {
            AssignmentRole.LEAD: [],
            AssignmentRole.COORDINATE: [],
        }
        for assignment in task.assignment_list():
            if assignment.role in units:
                units[assignment.role].append(_unit(assignment.unit))
        return {
            "id": task.pk,
            "document": {
                "id": document.pk,
                "number": document.number,
                "slug": document.slug,
                "title": document.title,
            },
            "ref": task.ref,
            "title": task.title,
            "parent_id": task.parent_id,
            "implements_id": task.implements_id,
            "lead_units": units[AssignmentRole.LEAD],
            "coordinating_units": units[AssignmentRole.COORDINATE],
            "deadline": {
                "text": task.deadline_text,
                "kind": task.deadline_kind,
                "due_on": _iso(task.due_on),
                "starts_on": _iso(task.starts_on),
                "recurrence": task.recurrence,
                "normalized": task.deadline_normalized,
                "note": task.deadline_note,
                "event_on": _iso(task.event_on),
                "event_due_on": _iso(task.event_due_on),
            },
            "due_on": _iso(view.due_on),
            "original_due_on": _iso(view.original_due_on),
            "extended_due_on": _iso(task.extended_due_on),
            "due_basis": view.due_basis,
            "status": view.status.value,
            "days_overdue": view.days_overdue,
            "tracks": [
                {
                    "id": judged.track.pk,
                    "unit": _unit(judged.track.unit),
                    "percent": judged.track.percent,
                    "completed_on": _iso(judged.track.completed_on),
                    "status": judged.status.value,
                }
                for judged in view.tracks
            ],
            "occurrences": _occurrences(view),
            "completed_on": _iso(task.completed_on),
        }

    def _status(self, task: Task) -> TaskStatusView:
        # One judgement per task, shared by the three fields below.
        cache: dict[int, TaskStatusView] = self.__dict__.setdefault("_status_cache", {})
        if task.pk not in cache:
            today = self.context.get("today") or timezone.localdate()
            cache[task.pk] = task_status_for(task, today)
        return cache[task.pk]

    # The generic walk behind the schema (and the test that holds to_representation to it).
    def _units(self, task: Task, role: str) -> list[dict[str, object]]:
        units = [a.unit for a in task.assignment_list() if a.role == role]
        return list(UnitRefSerializer(units, many=True).data)

    @extend_schema_field(UnitRefSerializer(many=True))
    def get_lead_units(self, task: Task) -> list[dict[str, object]]:
        return self._units(task, AssignmentRole.LEAD)

    @extend_schema_field(UnitRefSerializer(many=True))
    def get_coordinating_units(self, task: Task) -> list[dict[str, object]]:
        return self._units(task, AssignmentRole.COORDINATE)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_on(self, task: Task) -> str | None:
        return _iso(self._status(task).due_on)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_original_due_on(self, task: Task) -> str | None:
        return _iso(self._status(task).original_due_on)

    @extend_schema_field(OpenApiTypes.STR)
    def get_due_basis(self, task: Task) -> str:
        return self._status(task).due_basis

    @extend_schema_field(serializers.ChoiceField(choices=TaskStatus.choices))
    def get_status(self, task: Task) -> str:
        return self._status(task).status.value

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_overdue(self, task: Task) -> int:
        return self._status(task).days_overdue

    @extend_schema_field(TrackStatusSerializer(many=True))
    def get_tracks(self, task: Task) -> list[dict[str, object]]:
        return list(TrackStatusSerializer(self._status(task).tracks, many=True).data)

    @extend_schema_field(OccurrenceSerializer(many=True))
    def get_occurrences(self, task: Task) -> list[dict[str, object]]:
        return _occurrences(self._status(task))


class CountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class OverdueSummarySerializer(serializers.Serializer):
    today = serializers.DateField()
    total = serializers.IntegerField()
    by_lead_unit = CountSerializer(many=True)
    by_document = CountSerializer(many=True)
    by_age = serializers.DictField(
        child=serializers.IntegerField(), help_text='Số ngày quá hạn: "1-30", "31-90", ">90".'
    )


# --------------------------------------------------------------------------- reports


class ReportSerializer(serializers.ModelSerializer):
    # Foreign-key ids declared as plain integers, so the schema never queries the database.
    track_id = serializers.IntegerField(read_only=True)
    decided_by_id = serializers.IntegerField(read_only=True, allow_null=True)
    on_behalf_of_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Người quyết định thừa ủy quyền của lãnh đạo này (id người dùng), nếu có.",
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "track_id",
            "period_year",
            "period_quarter",
            "state",
            "percent",
            "narrative",
            "completed_on",
            "return_reason",
            "version",
            "submitted_at",
            "decided_at",
            "decided_by_id",
            "on_behalf_of_id",
        ]
        read_only_fields = fields


class ReportCreateInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=1945, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    percent = serializers.IntegerField(min_value=0, max_value=100)
    narrative = NFCCharField(multiline=True, allow_blank=True, max_length=20000)
    completed_on = serializers.DateField(required=False, allow_null=True)


class ReportUpdateInput(serializers.Serializer):
    """A draft's new content; fields left out keep their stored value."""

    percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    narrative = NFCCharField(multiline=True, allow_blank=True, max_length=20000, required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Phiên bản đã đọc (hoặc tiêu đề If-Match)."
    )


class ReportActionInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Phiên bản đã đọc (hoặc tiêu đề If-Match)."
    )


class ReportReturnInput(ReportActionInput):
    reason = NFCCharField(multiline=True, max_length=5000)


# --------------------------------------------------------------------------- extensions


class ExtensionSerializer(serializers.ModelSerializer):
    """A deadline extension request (đề nghị gia hạn) and its decision."""

    task_id = serializers.IntegerField(read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    requested_by_id = serializers.IntegerField(read_only=True)
    decided_by_id = serializers.IntegerField(read_only=True, allow_null=True)
    on_behalf_of_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Người quyết định thừa ủy quyền của lãnh đạo này (id người dùng), nếu có.",
    )
    applies = serializers.BooleanField(
        read_only=True,
        help_text="Đồng ý trước khi hết hạn: hạn mới được dùng để đánh giá tình trạng.",
    )

    class Meta:
        model = DeadlineExtension
        fields = [
            "id",
            "task_id",
            "unit_id",
            "requested_by_id",
            "reason",
            "original_due_on",
            "proposed_due_on",
            "requested_at",
            "state",
            "decided_by_id",
            "decided_at",
            "decision_note",
            "on_behalf_of_id",
            "applies",
        ]
        read_only_fields = fields


class ExtensionRequestInput(serializers.Serializer):
    unit_id = serializers.IntegerField(help_text="Đơn vị chủ trì đề nghị (id).")
    proposed_due_on = serializers.DateField()
    reason = NFCCharField(multiline=True, max_length=2000)


class ExtensionDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "Đồng ý"), ("refuse", "Không đồng ý")])
    note = NFCCharField(
        multiline=True,
        allow_blank=True,
        required=False,
        default="",
        max_length=2000,
        help_text="Ý kiến; bắt buộc khi không đồng ý.",
    )
