"""Server-rendered pages for staff and reviewers. Views parse input, call selectors and
services, and render; the rules live in the services and selectors."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import record_refusal
from accounts.models import Unit, User
from documents.models import Document
from documents.selectors import document_chain
from tasks.choices import AssignmentRole, DeadlineKind, ReportState, TaskStatus
from tasks.export import tasks_xlsx
from tasks.filters import TaskFilter, default_task_order
from tasks.forms import (
    CommentForm,
    DecisionForm,
    ExplanationAnswerForm,
    ExplanationRequestForm,
    ReportForm,
    TaskEventForm,
    TaskListForm,
)
from tasks.models import Evidence, ProgressReport, Task, TaskTrack
from tasks.rules import is_officer_of_track
from tasks.selectors import (
    report_visible_to,
    task_assigned_to_user,
    task_list_related,
    task_visible_to,
    unassigned_tasks,
    user_is_reviewer,
    user_units,
)
from tasks.services import (
    NotAllowed,
    ReportError,
    StaleVersion,
    comment_add,
    explanation_answer,
    explanation_request,
    report_approve,
    report_return,
    report_save,
    task_record_event,
    user_may_record_event,
)
from tasks.status import Status
from tasks.status_sql import (
    StatusQuery,
    age_bucket,
    overdue_by_document,
    overdue_by_lead_unit,
    overdue_by_province,
    overdue_in_lead_unit,
    overdue_in_province,
    overdue_without_lead,
    task_status_for,
)

PAGE_SIZE = 25
EXPORT_LIMIT = 5000
STATUS_ORDER = [
    Status.OVERDUE,
    Status.IN_PROGRESS,
    Status.NOT_DUE,
    Status.AWAITING_EVENT,
    Status.UNDETERMINED,
    Status.ONGOING,
    Status.DONE_LATE,
    Status.DONE_ON_TIME,
]


def _filter_params(request: HttpRequest, form: TaskListForm) -> QueryDict:
    """The page's controls as the shared TaskFilter's parameters."""
    params = request.GET.copy()
    if form.is_valid():
        year, quarter = form.cleaned_data.get("year"), form.cleaned_data.get("quarter")
        if year and quarter:
            first = dt.date(year, 3 * quarter - 2, 1)
            last = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(1)
            params["due_after"], params["due_before"] = first.isoformat(), last.isoformat()
        elif year:
            params["due_after"], params["due_before"] = f"{year}-01-01", f"{year}-12-31"
    return params


def _xlsx_response(tasks: list[Task], today: dt.date, name: str) -> HttpResponse:
    response = HttpResponse(
        tasks_xlsx(tasks, today),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{today:%Y%m%d}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _grouped(tasks: list[Task], today: dt.date) -> list[tuple[TaskStatus, list]]:
    groups: dict[Status, list] = OrderedDict((s, []) for s in STATUS_ORDER)
    for task in tasks:
        view = task_status_for(task, today)
        groups[view.status].append((task, view))
    return [(TaskStatus(s.value), rows) for s, rows in groups.items() if rows]


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Việc của tôi: what my units lead or coordinate, by status, filtered, searched."""
    today = timezone.localdate()
    form = TaskListForm(request.GET or None)
    role = form.cleaned_data.get("role") if form.is_valid() else None
    base = task_assigned_to_user(request.user, role or None)
    task_filter = TaskFilter(_filter_params(request, form), queryset=base, today=today)
    tasks = task_list_related(default_task_order(task_filter.qs))
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(list(tasks[:EXPORT_LIMIT]), today, "viec-cua-toi")
    total, counted = task_filter.status_query.counts(
        task_filter.qs, (Status.OVERDUE, Status.IN_PROGRESS, Status.NOT_DUE)
    )
    paginator = Paginator(tasks, PAGE_SIZE)
    paginator.count = total  # counted with the statuses, in the same query
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tasks/my_tasks.html",
        {
            "form": form,
            "filter": task_filter,
            "page": page,
            "groups": _grouped(list(page.object_list), today),
            "counts": [(TaskStatus(s.value), n) for s, n in counted.items()],
            "query": query.urlencode(),
            "today": today,
            "documents": _documents_for_filter(base, request.GET.get("document", "")),
            "provinces": Unit.objects.filter(kind="province").order_by("name_key"),
        },
    )


DOCUMENTS_IN_FILTER = 100


def _documents_for_filter(tasks: QuerySet[Task], chosen: str) -> list[dict]:
    """The documents to choose from: those holding the most of ``tasks`` (at most
    DOCUMENTS_IN_FILTER, one aggregate query), and the one already chosen, by number."""
    rows = (
        tasks.order_by()
        .values("document_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "document_id")[:DOCUMENTS_IN_FILTER]
    )
    ids = [r["document_id"] for r in rows]
    wanted = Q(pk__in=ids) | (Q(slug=chosen) if chosen else Q(pk__in=[]))
    return list(
        Document.objects.filter(wanted, is_stub=False)
        .values("slug", "number", "title")
        .order_by("number", "title")
    )


OVERDUE_GROUPINGS = {"don-vi": "Đơn vị chủ trì", "tinh": "Tỉnh", "van-ban": "Văn bản"}
GROUPS_SHOWN = 50
NO_LEAD = -1  # the group of overdue tasks that no unit leads (by unit or by province)


def _overdue_groups(overdue: QuerySet[Task], group_by: str, without_lead: int) -> list[dict]:
    """Overdue tasks counted by lead unit, by the lead unit's province or by document (one
    aggregate query), most overdue group first; tasks nobody leads as a group of their own."""
    if group_by == "van-ban":
        return [vars(g) for g in overdue_by_document(overdue)]
    counted = overdue_by_province(overdue) if group_by == "tinh" else overdue_by_lead_unit(overdue)
    groups = [vars(g) for g in counted]
    if without_lead:
        groups.append({"id": NO_LEAD, "name": "(Chưa giao đơn vị)", "count": without_lead})
    return groups


def _in_group(overdue: QuerySet[Task], group_by: str, group_id: int) -> QuerySet[Task]:
    if group_by == "van-ban":
        return overdue.filter(document_id=group_id)
    if group_id == NO_LEAD:
        return overdue_without_lead(overdue)
    if group_by == "tinh":
        return overdue_in_province(overdue, group_id)
    return overdue_in_lead_unit(overdue, group_id)


LIST_SHOWN = 50  # unassigned tasks and unreadable deadlines listed on the review page


def _unassigned(scope: QuerySet[Task]) -> tuple[list[Task], list[dict]]:
    """Tasks nobody was assigned, counted by document (one aggregate), and the first of
    them, read from those documents only: such tasks come a document at a time (seed 002
    names no units), and a list over the whole scope would walk it in due-date order."""
    documents = [
        {
            "id": r["document_id"],
            "slug": r["document__slug"],
            "name": r["document__number"] or r["document__title"][:120],
            "count": r["n"],
        }
        for r in unassigned_tasks(scope)
        .order_by()
        .values("document_id", "document__slug", "document__number", "document__title")
        .annotate(n=Count("pk"))
    ]
    documents.sort(key=lambda d: (-d["count"], d["name"], d["id"]))
    shown, ids = 0, []
    for document in documents:
        if shown >= LIST_SHOWN:
            break
        ids.append(document["id"])
        shown += document["count"]
    tasks = (
        unassigned_tasks(scope.filter(document_id__in=ids))
        .order_by("document_id", "position")
        .only("ref", "title", "deadline_text", "document")
        .prefetch_related(
            Prefetch("document", Document.objects.select_related(None).only("number", "kind"))
        )
    )
    return list(tasks[:LIST_SHOWN]) if ids else [], documents


@login_required
@require_GET
def overdue_review(request: HttpRequest) -> HttpResponse:
    """Rà soát quá hạn: every task overdue today in the reviewer's scope, counted by age and
    by unit, province or document, listed most overdue first (a page at a time, or one
    group); plus unassigned tasks and deadlines nobody could read. A constant number of
    queries whatever the number of overdue tasks."""
    if not user_is_reviewer(request.user):
        raise Http404
    today = timezone.localdate()
    scope = task_visible_to(request.user)
    status_query = StatusQuery.on(today)
    overdue = status_query.overdue(scope)
    group_by = request.GET.get("nhom", "don-vi")
    if group_by not in OVERDUE_GROUPINGS:
        group_by = "don-vi"
    ages = status_query.age_counts(overdue)
    total, without_lead = ages.pop("total"), ages.pop("without_lead")
    groups = _overdue_groups(overdue, group_by, without_lead)
    group_id = request.GET.get("ma", "")
    selected = next((g for g in groups if str(g["id"]) == group_id), None)
    listed = _in_group(overdue, group_by, selected["id"]) if selected else overdue
    listed = task_list_related(listed).prefetch_related("prefetched_tracks__reports")
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(list(listed[:EXPORT_LIMIT]), today, "nhiem-vu-qua-han")
    paginator = Paginator(listed, PAGE_SIZE)
    # The count is known already (ages, or the selected group's row): no second count.
    paginator.count = selected["count"] if selected else total
    page = paginator.get_page(request.GET.get("page"))
    rows = []
    for task in page.object_list:
        view = task_status_for(task, today)
        leads = [a.unit for a in task.assignment_list() if a.role == AssignmentRole.LEAD]
        reports = [r for t in task.track_list() for r in t.reports.all() if r.state != "draft"]
        last = max(reports, key=lambda r: (r.period_year, r.period_quarter), default=None)
        # The due date it missed: for a recurring task the last occurrence, for an event
        # task the event plus its delay (the list is ordered by it).
        missed = today - dt.timedelta(days=view.days_overdue)
        rows.append(
            {
                "task": task,
                "view": view,
                "leads": leads,
                "last": last,
                "bucket": age_bucket(view.days_overdue),
                "missed": missed,
            }
        )
    unassigned, unassigned_documents = _unassigned(scope)
    unparsed = default_task_order(
        scope.filter(deadline_kind=DeadlineKind.UNKNOWN).exclude(deadline_text="")
    ).only("ref", "title", "deadline_text", "deadline_note")
    show_all = request.GET.get("tat-ca") == "1"
    query = QueryDict(mutable=True)
    query["nhom"] = group_by
    if show_all:
        query["tat-ca"] = "1"
    base_query = query.urlencode()  # the grouping (and "show all") without the chosen group
    if selected:
        query["ma"] = str(selected["id"])
    return render(
        request,
        "tasks/overdue_review.html",
        {
            "total": total,
            "buckets": ages,
            "group_by": group_by,
            "groupings": OVERDUE_GROUPINGS,
            "groups": groups if show_all else groups[:GROUPS_SHOWN],
            "groups_hidden": 0 if show_all else max(0, len(groups) - GROUPS_SHOWN),
            "selected": selected,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "base_query": base_query,
            "unassigned": unassigned,
            "unassigned_documents": unassigned_documents,
            "unassigned_count": sum(d["count"] for d in unassigned_documents),
            "unparsed": unparsed[:LIST_SHOWN],
            "unparsed_count": unparsed.count(),
            "today": today,
        },
    )


def _task_or_404(user: User, pk: int) -> Task:
    task = (
        task_visible_to(user)
        .filter(pk=pk)
        .select_related("document__issuer", "parent", "implements__document")
        .first()
    )
    if task is None:
        raise Http404
    return task


@login_required
@require_POST
def task_event_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the event an event-triggered task waits for (the API calls the same service)."""
    task = _task_or_404(request.user, pk)
    form = TaskEventForm(request.POST)
    if form.is_valid():
        try:
            task_record_event(
                task=task,
                event_on=form.cleaned_data["event_on"],
                due_on=form.cleaned_data["due_on"],
                user=request.user,
                today=timezone.localdate(),
            )
            messages.success(request, "Đã ghi nhận sự kiện và hạn hoàn thành.")
        except ReportError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(
            request,
            "Chưa ghi nhận sự kiện: "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect(reverse("task-detail", args=[task.pk]) + "#su-kien")


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request.user, pk)
    return render(request, "tasks/task_detail.html", _task_context(request, task))


def _task_context(request: HttpRequest, task: Task, **extra: object) -> dict:
    today = timezone.localdate()
    task = (
        Task.objects.filter(pk=task.pk)
        .select_related("document", "parent", "implements__document")
        .prefetch_related("assignments__unit", "tracks__unit", "tracks__via", "tracks__reports")
        .get()
    )
    view = task_status_for(task, today)
    above, below = document_chain(task.document)
    up_chain = []
    higher = task.implements
    while higher is not None and len(up_chain) < 6:
        up_chain.append(higher)
        higher = Task.objects.select_related("document", "implements").get(pk=higher.pk).implements
    my_units = set(user_units(request.user).values_list("pk", flat=True))
    reports = (
        report_visible_to(request.user)
        .filter(track__task=task)
        .select_related("track__unit", "author", "decided_by")
        .prefetch_related("evidence")
        .order_by("-period_year", "-period_quarter", "track__unit__name")
    )
    quarter = (today.month - 1) // 3 + 1
    writable = [
        t
        for t in task.tracks.all()
        if t.unit_id in my_units and is_officer_of_track(request.user, t)
    ]
    forms = {}
    for track in writable:
        draft = next(
            (
                r
                for r in reports
                if r.track_id == track.pk
                and r.period_year == today.year
                and r.period_quarter == quarter
            ),
            None,
        )
        initial = {"year": today.year, "quarter": quarter, "percent": track.percent}
        if draft is not None:
            initial.update(
                percent=draft.percent,
                narrative=draft.narrative,
                completed_on=draft.completed_on,
                version=draft.version,
            )
        if draft is not None and draft.state not in (ReportState.DRAFT, ReportState.RETURNED):
            continue  # submitted or approved: nothing to edit this quarter
        forms[track.pk] = (draft, ReportForm(initial=initial, prefix=f"t{track.pk}"))
    forms.update(extra.pop("forms", {}))  # type: ignore[arg-type]
    history = _changes(list(task.history.select_related("history_user")[:50]))
    report_history = _changes(
        list(
            ProgressReport.history.filter(id__in=[r.pk for r in reports])
            .select_related("history_user", "track__unit")
            .order_by("-history_date")[:100]
        )
    )
    return {
        "task": task,
        "view": view,
        "track_status": {ts.track.pk: TaskStatus(ts.status.value) for ts in view.tracks},
        "status_label": TaskStatus(view.status.value),
        "event_form": (
            TaskEventForm(initial={"event_on": task.event_on, "due_on": task.event_due_on})
            if task.deadline_kind == "event" and user_may_record_event(request.user, task)
            else None
        ),
        "occurrences": [
            (judged, TaskStatus(judged.status.value), judged.reports) for judged in view.occurrences
        ],
        "above": above,
        "below": below,
        "up_chain": up_chain,
        "down": task.implemented_by.select_related("document").all()[:100],
        "children": task.children.all(),
        "indicators": task.indicators.all(),
        "reports": reports,
        "can_approve": {r.pk for r in reports if request.user.has_perm("tasks.approve_report", r)},
        "can_return": {r.pk for r in reports if request.user.has_perm("tasks.return_report", r)},
        "forms": [(t, *forms[t.pk]) for t in writable if t.pk in forms],
        "is_leader_of": my_units,
        "comments": task.comments.select_related("author"),
        "explanations": task.explanations.select_related("unit", "requested_by", "answered_by"),
        "explanation_form": ExplanationRequestForm(
            units=[a.unit for a in task.assignments.all() if a.role == AssignmentRole.LEAD]
        )
        if user_is_reviewer(request.user)
        else None,
        "answer_form": ExplanationAnswerForm(),
        "comment_form": CommentForm(),
        "history": history,
        "report_history": report_history,
        "today": today,
        **extra,
    }


HIDDEN_HISTORY_FIELDS = {
    "version",
    "updated_at",
    "position",
    "submitted_at",
    "decided_at",
    "decided_by",
    "author",
    "created_at",
}
HISTORY_TYPES = {"+": "tạo mới", "~": "sửa", "-": "xóa"}


def _changes(records: list) -> list[tuple[object, str, list]]:
    """Each history record with what changed against the previous record of the same row
    (the list is newest first; no extra queries)."""
    out = []
    for i, record in enumerate(records):
        older = next((r for r in records[i + 1 :] if r.id == record.id), None)
        changes = []
        if older is not None:
            changes = [
                (record._meta.get_field(c.field).verbose_name, c.old, c.new)
                for c in record.diff_against(older).changes
                if c.field not in HIDDEN_HISTORY_FIELDS
            ]
        out.append((record, HISTORY_TYPES.get(record.history_type, ""), changes))
    return out


@login_required
@require_POST
def report_save_view(request: HttpRequest, pk: int, track_id: int) -> HttpResponse:
    """Save a draft (and optionally submit it) for one track and quarter, with evidence."""
    task = _task_or_404(request.user, pk)
    track = get_object_or_404(TaskTrack, pk=track_id, task=task)
    form = ReportForm(request.POST, request.FILES, prefix=f"t{track.pk}")
    if not form.is_valid():
        messages.error(request, "Báo cáo chưa lưu: hãy sửa các ô được đánh dấu.")
        return render(
            request,
            "tasks/task_detail.html",
            _task_context(request, task, forms={track.pk: (None, form)}),
            status=400,
        )
    data = form.cleaned_data
    try:
        submit = request.POST.get("action") == "submit"
        report_save(
            track=track,
            user=request.user,
            year=data["year"],
            quarter=data["quarter"],
            percent=data["percent"],
            narrative=data["narrative"],
            completed_on=data["completed_on"],
            version=data["version"],
            today=timezone.localdate(),
            submit=submit,
            files=[(f.name, f.read()) for f in data["files"] if f.size > 0],
        )
        if submit:
            messages.success(request, "Đã gửi báo cáo để lãnh đạo đơn vị duyệt.")
        else:
            messages.success(request, "Đã lưu bản nháp.")
    except StaleVersion as exc:
        form.add_error(None, exc.message)
        stored = ProgressReport.objects.filter(
            track=track, period_year=data["year"], period_quarter=data["quarter"]
        ).first()
        return render(
            request,
            "tasks/task_detail.html",
            _task_context(request, task, forms={track.pk: (stored, form)}, conflict=stored),
            status=409,
        )
    except ReportError as exc:
        if isinstance(exc, NotAllowed):
            record_refusal(request, f"báo cáo phần việc {track.pk}: {exc.message}")
        form.add_error(None, exc.message)
        return render(
            request,
            "tasks/task_detail.html",
            _task_context(request, task, forms={track.pk: (None, form)}),
            status=400,
        )
    return redirect(reverse("task-detail", args=[task.pk]) + f"#phan-viec-{track.pk}")


def _decide(request: HttpRequest, report_id: int, approve: bool) -> HttpResponse:
    report = report_visible_to(request.user).filter(pk=report_id).select_related("track").first()
    if report is None:
        raise Http404
    form = DecisionForm(request.POST)
    task_url = reverse("task-detail", args=[report.track.task_id])
    if not form.is_valid():
        messages.error(request, "Yêu cầu không hợp lệ; hãy tải lại trang.")
        return redirect(task_url)
    try:
        if approve:
            report_approve(
                report_id=report.pk, user=request.user, version=form.cleaned_data["version"]
            )
            messages.success(request, "Đã duyệt báo cáo.")
        else:
            report_return(
                report_id=report.pk,
                user=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Đã trả lại báo cáo.")
    except ReportError as exc:
        if isinstance(exc, NotAllowed):
            record_refusal(request, f"xử lý báo cáo {report.pk}: {exc.message}")
        messages.error(request, exc.message)
    return redirect(task_url + f"#bao-cao-{report.pk}")


@login_required
@require_POST
def report_approve_view(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, approve=True)


@login_required
@require_POST
def report_return_view(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, approve=False)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(task=task, user=request.user, text=form.cleaned_data["text"])
            messages.success(request, "Đã ghi ý kiến.")
        except ReportError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Ý kiến không được để trống.")
    return redirect(reverse("task-detail", args=[task.pk]) + "#y-kien")


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Served only to those who may see the report; always as an attachment."""
    evidence = Evidence.objects.filter(pk=pk, report__in=report_visible_to(request.user)).first()
    if evidence is None:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def explanation_create(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request.user, pk)
    leads = [a.unit for a in task.assignments.select_related("unit").filter(role="lead")]
    form = ExplanationRequestForm(request.POST, units=leads)
    if form.is_valid():
        try:
            explanation_request(
                task=task,
                unit=form.cleaned_data["unit"],
                user=request.user,
                question=form.cleaned_data["question"],
                answer_by=form.cleaned_data["answer_by"],
                today=timezone.localdate(),
            )
            messages.success(request, "Đã gửi yêu cầu giải trình.")
        except ReportError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(
            request,
            "Yêu cầu giải trình chưa gửi: "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect(reverse("task-detail", args=[task.pk]) + "#giai-trinh")


@login_required
@require_POST
def explanation_answer_view(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    task = _task_or_404(request.user, pk)
    explanation = get_object_or_404(task.explanations, pk=request_id)
    form = ExplanationAnswerForm(request.POST)
    if form.is_valid():
        try:
            explanation_answer(
                request_id=explanation.pk, user=request.user, answer=form.cleaned_data["answer"]
            )
            messages.success(request, "Đã gửi giải trình.")
        except ReportError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Nội dung giải trình không được để trống.")
    return redirect(reverse("task-detail", args=[task.pk]) + "#giai-trinh")
