import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import (
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    WindowCountPagination,
    error_responses,
)
from tasks.api.serializers import (
    DeadlineParseInput,
    DeadlineParseOutput,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    ExtensionSerializer,
    OverdueSummarySerializer,
    ReportActionInput,
    ReportCreateInput,
    ReportReturnInput,
    ReportSerializer,
    ReportUpdateInput,
    TaskEventInput,
    TaskSerializer,
)
from tasks.deadlines import parse_deadline
from tasks.extensions import ExtensionError, extension_approve, extension_refuse, extension_request
from tasks.filters import ReportFilter, TaskFilter, default_task_order
from tasks.models import ProgressReport, Task, TaskTrack
from tasks.selectors import report_visible_to, task_list_related, task_visible_to
from tasks.services import (
    NotAllowed,
    ReportError,
    StaleVersion,
    report_approve,
    report_reopen,
    report_return,
    report_save_draft,
    report_submit,
    report_withdraw,
    task_record_event,
)
from tasks.status_sql import overdue_summary

ERRORS = error_responses(400, 404)
VERSIONED_ERRORS = error_responses(400, 403, 404, 409, 412, 428)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='Phiên bản đã đọc, ví dụ "3" (hoặc trường "version" trong nội dung).',
)


class DeadlineParseView(APIView):
    """Read a Vietnamese deadline phrase ("Hoàn thành trong quý II năm 2022")."""

    @extend_schema(
        request=DeadlineParseInput, responses={200: DeadlineParseOutput, **error_responses(400)}
    )
    def post(self, request: Request) -> Response:
        data = DeadlineParseInput(data=request.data)
        data.is_valid(raise_exception=True)
        deadline = parse_deadline(data.validated_data["text"], data.validated_data.get("issued_on"))
        out = DeadlineParseOutput(
            {
                "kind": deadline.kind.value,
                "due_on": deadline.due_on,
                "starts_on": deadline.starts_on,
                "recurrence": deadline.recurrence.value if deadline.recurrence else None,
                "normalized": deadline.normalized,
                "reason": deadline.reason,
            }
        )
        return Response(out.data)


# --------------------------------------------------------------------------- tasks


class _TaskViewMixin:
    """The caller's tasks, judged against one "today" (Asia/Ho_Chi_Minh) per request."""

    request: Request

    def get_queryset(self) -> QuerySet[Task]:
        return _tasks_for(self.request)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}  # type: ignore[misc]


def _tasks_for(request: Request, *, filtered: bool = False) -> QuerySet[Task]:
    """The caller's tasks with everything the task serializer reads, in a fixed number of
    queries whatever the page size. ``filtered``: the TaskFilter runs on the result, so a
    ``lead_unit`` the caller acts for stands in for the visibility condition."""
    lead = request.query_params.get("lead_unit", "") if filtered else ""
    led_by = int(lead) if re.fullmatch(r"[0-9]{1,18}", lead) else None
    return default_task_order(task_list_related(task_visible_to(request.user, led_by=led_by)))


@extend_schema_view(
    get=extend_schema(summary="Nhiệm vụ được xem", responses={200: TaskSerializer, **ERRORS}),
)
class TaskListView(_TaskViewMixin, generics.ListAPIView):
    """Tasks the caller may see, with their status computed today."""

    queryset = Task.objects.none()  # for the schema; get_queryset scopes to the caller
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = WindowCountPagination

    def get_queryset(self) -> QuerySet[Task]:
        return _tasks_for(self.request, filtered=True)


@extend_schema_view(
    get=extend_schema(
        summary="Một nhiệm vụ", responses={200: TaskSerializer, **error_responses(404)}
    ),
)
class TaskDetailView(_TaskViewMixin, generics.RetrieveAPIView):
    """A task the caller may see; any other id is a 404."""

    queryset = Task.objects.none()  # for the schema; get_queryset scopes to the caller
    serializer_class = TaskSerializer


class TaskEventView(APIView):
    """Record the event an event-triggered task waits for and the due date it sets (lead
    units and the document's reviewers); the same service as the page."""

    @extend_schema(
        summary="Ghi nhận sự kiện",
        request=TaskEventInput,
        responses={200: TaskSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = get_object_or_404(_tasks_for(request), pk=pk)
        data = TaskEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        today = timezone.localdate()
        try:
            task_record_event(
                task=task,
                event_on=data.validated_data["event_on"],
                due_on=data.validated_data["due_on"],
                user=request.user,
                today=today,
            )
        except NotAllowed as exc:
            raise exceptions.PermissionDenied(exc.message) from exc
        except ReportError as exc:
            raise exceptions.ValidationError({"non_field_errors": [exc.message]}) from exc
        task = get_object_or_404(_tasks_for(request), pk=pk)
        return Response(TaskSerializer(task, context={"today": today}).data)


def _extension_answer(action: Callable[[], Any], status_code: int) -> Response:
    """Run an extension service and map its refusals (the task is visible: 403, not 404)."""
    try:
        extension = action()
    except NotAllowed as exc:
        raise exceptions.PermissionDenied(exc.message) from exc
    except ExtensionError as exc:
        raise exceptions.ValidationError({"non_field_errors": [exc.message]}) from exc
    return Response(ExtensionSerializer(extension).data, status=status_code)


class TaskExtensionsView(APIView):
    """A task's deadline extension requests (đề nghị gia hạn); a lead unit asks for one. The
    same service as the page."""

    @extend_schema(
        summary="Các đề nghị gia hạn của nhiệm vụ",
        responses={200: ExtensionSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        task = get_object_or_404(task_visible_to(request.user), pk=pk)
        return Response(ExtensionSerializer(task.extensions.all(), many=True).data)

    @extend_schema(
        summary="Đề nghị gia hạn",
        request=ExtensionRequestInput,
        responses={201: ExtensionSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        from accounts.models import Unit

        task = get_object_or_404(task_visible_to(request.user).select_related("document"), pk=pk)
        data = ExtensionRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        unit = Unit.objects.filter(pk=data.validated_data["unit_id"]).first()
        if unit is None:
            raise exceptions.ValidationError({"unit_id": ["Không có đơn vị này."]})
        return _extension_answer(
            lambda: extension_request(
                task=task,
                user=request.user,
                unit=unit,
                reason=data.validated_data["reason"],
                proposed_due_on=data.validated_data["proposed_due_on"],
            ),
            status.HTTP_201_CREATED,
        )


class TaskExtensionDecisionView(APIView):
    """The assigning body (its leaders, or their deputy) or a reviewer agrees to or refuses
    an extension request."""

    @extend_schema(
        summary="Quyết định về đề nghị gia hạn",
        request=ExtensionDecisionInput,
        responses={200: ExtensionSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int, extension_id: int) -> Response:
        task = get_object_or_404(task_visible_to(request.user), pk=pk)
        extension = get_object_or_404(task.extensions, pk=extension_id)
        data = ExtensionDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decide = (
            extension_approve if data.validated_data["decision"] == "approve" else extension_refuse
        )
        return _extension_answer(
            lambda: decide(
                extension_id=extension.pk,
                user=request.user,
                note=data.validated_data["note"],
                today=timezone.localdate(),
            ),
            status.HTTP_200_OK,
        )


class OverdueSummaryView(APIView):
    """Overdue tasks among the caller's, by lead unit, by document and by age."""

    @extend_schema(
        summary="Tổng hợp nhiệm vụ quá hạn",
        responses={200: OverdueSummarySerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        summary = overdue_summary(task_visible_to(request.user), timezone.localdate())
        return Response(OverdueSummarySerializer(summary).data)


# --------------------------------------------------------------------------- reports

_IF_MATCH = re.compile(r'\s*(?:W/)?"?(\d{1,9})"?\s*')


def _version(request: Request, body_version: int | None) -> int:
    """The version the caller read: the If-Match header, else ``version`` in the body."""
    header = request.headers.get("If-Match")
    if header:
        match = _IF_MATCH.fullmatch(header)
        if match is None:
            raise PreconditionFailed()
        return int(match.group(1))
    if body_version is None:
        raise PreconditionRequired()
    return body_version


def _answer(report: ProgressReport, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(ReportSerializer(report).data, status=status_code)
    response["ETag"] = f'"{report.version}"'
    return response


def _run(action: Callable[[], ProgressReport], status_code: int = 200) -> Response:
    """Run a report service and map its refusals. The caller has already checked that the
    report or track is visible (otherwise 404), so NotAllowed here is a 403."""
    try:
        report = action()
    except StaleVersion as exc:
        raise Conflict(exc.message) from exc
    except NotAllowed as exc:
        raise exceptions.PermissionDenied(exc.message) from exc
    except ReportError as exc:
        raise exceptions.ValidationError({"non_field_errors": [exc.message]}) from exc
    except IntegrityError as exc:
        # Two first saves of the same quarter at once: the unique constraint lets one win.
        raise Conflict(
            "Báo cáo quý này vừa được người khác tạo. Hãy tải lại; nội dung bạn gửi chưa được lưu."
        ) from exc
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        raise exceptions.ValidationError(detail) from exc
    return _answer(report, status_code)


def _visible_report(request: Request, pk: int) -> ProgressReport:
    return get_object_or_404(report_visible_to(request.user).select_related("track"), pk=pk)


@extend_schema_view(
    get=extend_schema(
        summary="Báo cáo tiến độ được xem", responses={200: ReportSerializer, **ERRORS}
    )
)
class ReportListView(generics.ListAPIView):
    """Progress reports on the caller's tasks; drafts only to their own unit."""

    queryset = ProgressReport.objects.none()  # for the schema; get_queryset scopes to the caller
    serializer_class = ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self) -> QuerySet[ProgressReport]:
        return report_visible_to(self.request.user).order_by(
            "-period_year", "-period_quarter", "id"
        )


class TrackReportCreateView(APIView):
    """Create the draft report of a track for one quarter (officers of the track's unit)."""

    @extend_schema(
        summary="Tạo bản nháp báo cáo",
        request=ReportCreateInput,
        responses={201: ReportSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, track_id: int) -> Response:
        visible = task_visible_to(request.user).values("pk")
        track = get_object_or_404(TaskTrack.objects.filter(task__in=visible), pk=track_id)
        data = ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return _run(
            lambda: report_save_draft(
                track=track,
                user=request.user,
                year=values["year"],
                quarter=values["quarter"],
                percent=values["percent"],
                narrative=values["narrative"],
                completed_on=values.get("completed_on"),
                today=timezone.localdate(),
            ),
            status.HTTP_201_CREATED,
        )


class ReportDetailView(APIView):
    """One report; PATCH edits a draft (or a returned report) from the version read."""

    @extend_schema(summary="Một báo cáo", responses={200: ReportSerializer, **error_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        return _answer(_visible_report(request, pk))

    @extend_schema(
        summary="Sửa bản nháp",
        request=ReportUpdateInput,
        parameters=[IF_MATCH],
        responses={200: ReportSerializer, **VERSIONED_ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        report = _visible_report(request, pk)
        data = ReportUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = _version(request, values.get("version"))
        return _run(
            lambda: report_save_draft(
                track=report.track,
                user=request.user,
                year=report.period_year,
                quarter=report.period_quarter,
                percent=values.get("percent", report.percent),
                narrative=values.get("narrative", report.narrative),
                completed_on=values.get("completed_on", report.completed_on),
                version=version,
                today=timezone.localdate(),
            )
        )


class _ReportActionView(APIView):
    """One workflow step on a report: the caller's visible report, the version it saw (body
    or If-Match), a reason where the step takes one; the service decides, and the answer is
    the report or the error format (``_run``)."""

    service: Any = None  # (report_id=, user=, version=[, reason=]) -> report
    with_reason = False

    def post(self, request: Request, pk: int) -> Response:
        report = _visible_report(request, pk)
        data = (ReportReturnInput if self.with_reason else ReportActionInput)(data=request.data)
        data.is_valid(raise_exception=True)
        version = _version(request, data.validated_data.get("version"))
        extra = {"reason": data.validated_data["reason"]} if self.with_reason else {}
        service = self.service
        return _run(
            lambda: service(report_id=report.pk, user=request.user, version=version, **extra)
        )


def _report_action(summary: str, service: Any, *, with_reason: bool = False) -> Any:
    view = type(
        f"Report{service.__name__.title().replace('_', '')}View",
        (_ReportActionView,),
        {"service": staticmethod(service), "with_reason": with_reason},
    )
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            request=ReportReturnInput if with_reason else ReportActionInput,
            parameters=[IF_MATCH],
            responses={200: ReportSerializer, **VERSIONED_ERRORS},
        )
    )(view)


ReportSubmitView = _report_action("Gửi báo cáo", report_submit)
ReportApproveView = _report_action("Duyệt báo cáo", report_approve)
ReportReturnView = _report_action("Trả lại báo cáo", report_return, with_reason=True)
ReportWithdrawView = _report_action("Rút lại báo cáo đã gửi (về bản nháp)", report_withdraw)
ReportReopenView = _report_action(
    "Mở lại báo cáo đã duyệt (lãnh đạo đơn vị, có lý do)", report_reopen, with_reason=True
)
