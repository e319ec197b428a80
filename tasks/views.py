"""Server-rendered pages for staff and reviewers. Views parse input, call selectors and
services, and render; the rules live in the services and selectors."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    access_for,
    current_names,
    current_units,
    hand_over_candidates,
    in_being,
    units_answered_by,
    units_without_successor,
)
from accounts.models import Unit, User
from documents.models import Document
from documents.selectors import document_chain
from portal.history import history_entries
from portal.periods import quarter_of
from portal.vietnamese import fold
from portal.views import safe_next
from portal.workflow import Step
from tasks.choices import AssignmentRole, DeadlineKind, ReportState, TaskStatus
from tasks.export import CHUNK, XLSX_MEDIA_TYPE, tasks_xlsx_file
from tasks.extensions import (
    ExtensionError,
    extension_approve,
    extension_refuse,
    extension_request,
    may_decide,
    not_extended_reason,
)
from tasks.filters import TaskFilter, default_task_order
from tasks.forms import (
    CommentForm,
    DecisionForm,
    ExplanationAnswerForm,
    ExplanationRequestForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ReportForm,
    TaskEventForm,
    TaskListForm,
    TrackHandOverForm,
)
from tasks.models import Evidence, ExtensionState, ProgressReport, Task, TaskTrack
from tasks.rules import is_officer_of_track, lead_units_acted_for
from tasks.selectors import (
    report_visible_to,
    task_assigned_to_user,
    task_children_visible,
    task_downstream_visible,
    task_list_related,
    task_visible_to,
    unassigned_tasks,
    user_is_reviewer,
    user_units,
)
from tasks.services import (
    REPORTS,
    ReportError,
    StaleVersion,
    comment_add,
    explanation_answer,
    explanation_request,
    report_approve,
    report_previous,
    report_reopen,
    report_return,
    report_save,
    report_withdraw,
    task_record_event,
    track_hand_over,
    user_may_record_event,
)
from tasks.status import Status
from tasks.status_sql import (
    StatusQuery,
    age_bucket,
    overdue_by_document,
    overdue_by_lead_unit,
    overdue_by_province,
    overdue_in_lead_units,
    overdue_in_provinces,
    overdue_without_lead,
    task_status_for,
)

PAGE_SIZE = 25
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


def _xlsx_response(tasks: QuerySet[Task], today: dt.date, parts: list[str]) -> FileResponse:
    """The whole list (no cap), read in chunks and written row by row to a temporary file;
    the file name says what it holds: the list, its filters, the day."""
    name = "-".join(slugify(fold(part)) for part in parts if part and slugify(fold(part)))
    response = FileResponse(
        tasks_xlsx_file(tasks.iterator(chunk_size=CHUNK), today),
        as_attachment=True,
        filename=f"{name}-{today:%Y-%m-%d}.xlsx",
        content_type=XLSX_MEDIA_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _list_name_parts(task_filter: TaskFilter) -> list[str]:
    """The filters a list was cut by, in words for its file name."""
    data = task_filter.form.cleaned_data if task_filter.form.is_valid() else {}
    parts: list[str] = []
    for value in data.get("status") or ():
        parts.append(str(TaskStatus(value).label))
    if data.get("overdue"):
        parts.append("qua han")
    if data.get("document"):
        parts.append(f"van ban {data['document']}")
    for key, label in (("lead_unit", "chu tri"), ("province", "tinh")):
        if data.get(key):
            unit = Unit.objects.filter(pk=data[key]).only("name").first()
            parts.append(f"{label} {unit.name if unit else data[key]}")
    if data.get("due_after"):
        parts.append(f"han tu {data['due_after']:%d-%m-%Y}")
    if data.get("due_before"):
        parts.append(f"den {data['due_before']:%d-%m-%Y}")
    if data.get("q"):
        parts.append(f"tim {data['q'][:30]}")
    return parts


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
        role_name = {"lead": "chu tri", "coordinate": "phoi hop"}.get(role or "", "")
        return _xlsx_response(
            tasks, today, ["viec-cua-toi", role_name, *_list_name_parts(task_filter)]
        )
    total, counted = task_filter.status_query.counts(
        task_filter.qs, (Status.OVERDUE, Status.IN_PROGRESS, Status.NOT_DUE)
    )
    paginator = Paginator(tasks, PAGE_SIZE)
    paginator.count = total  # counted with the statuses, in the same query
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tasks/my_tasks.html",
        {
            "form": form,
            "filter": task_filter,
            "page": page,
            "groups": _grouped(shown, today),
            "now": current_names([a.unit_id for t in shown for a in t.assignment_list()], today),
            "counts": [(TaskStatus(s.value), n) for s, n in counted.items()],
            "query": query.urlencode(),
            "today": today,
            "documents": _documents_for_filter(
                base, request.GET.get("document", ""), f"{access_for(request.user).key}:{role}"
            ),
            "provinces": _provinces_for_filter(today),
        },
    )


DOCUMENTS_IN_FILTER = 100
FILTER_OPTIONS_SECONDS = 24 * 3600  # keyed by the day too: a new day reads them afresh


def _documents_for_filter(tasks: QuerySet[Task], chosen: str, access_key: str) -> list[dict]:
    """The documents to choose from: those holding the most of ``tasks`` (at most
    DOCUMENTS_IN_FILTER, one aggregate query, kept in the cache per access and role for the
    day: the list is the same for everyone with the same units), and the one already
    chosen, by number."""
    key = f"my-tasks-documents:{access_key}:{timezone.localdate().isoformat()}"
    documents: list[dict] | None = cache.get(key)
    if documents is None:
        rows = (
            tasks.order_by()
            .values("document_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "document_id")[:DOCUMENTS_IN_FILTER]
        )
        documents = list(
            Document.objects.filter(pk__in=[r["document_id"] for r in rows], is_stub=False)
            .values("slug", "number", "title")
            .order_by("number", "title")
        )
        cache.set(key, documents, FILTER_OPTIONS_SECONDS)
    if chosen and all(d["slug"] != chosen for d in documents):
        extra = Document.objects.filter(slug=chosen, is_stub=False)
        extra = extra.values("slug", "number", "title")
        documents = sorted([*documents, *extra], key=lambda d: (d["number"], d["title"]))
    return documents


def _provinces_for_filter(today: dt.date) -> list[dict]:
    """The provinces in being on ``today``, by name (the same for everyone: cached for the day)."""
    key = f"my-tasks-provinces:{today.isoformat()}"
    provinces: list[dict] | None = cache.get(key)
    if provinces is None:
        provinces = list(
            Unit.objects.filter(in_being(today), kind="province")
            .order_by("name_key")
            .values("pk", "name")
        )
        cache.set(key, provinces, FILTER_OPTIONS_SECONDS)
    return provinces


OVERDUE_GROUPINGS = {"don-vi": "Đơn vị chủ trì", "tinh": "Tỉnh", "van-ban": "Văn bản"}
GROUPS_SHOWN = 50
NO_LEAD = -1  # the group of overdue tasks that no unit leads (by unit or by province)


NO_CURRENT = -2  # the group of overdue tasks whose lead unit ended with nobody to take over


def _overdue_groups(
    overdue: QuerySet[Task], group_by: str, without_lead: int, today: dt.date
) -> list[dict]:
    """Overdue tasks counted by lead unit, by the lead unit's province or by document (one
    aggregate query), most overdue group first; tasks nobody leads as a group of their own.
    Units and provinces are counted as they are today: a merged unit's tasks under its
    successor (Bộ Kế hoạch và Đầu tư under Bộ Tài chính, Bắc Kạn under Thái Nguyên), an
    abolished unit's under "no current unit" until a person hands its tracks on."""
    if group_by == "van-ban":
        return [vars(g) for g in overdue_by_document(overdue)]
    counted = overdue_by_province(overdue) if group_by == "tinh" else overdue_by_lead_unit(overdue)
    groups = _as_of_today([vars(g) for g in counted], today)
    if without_lead:
        groups.append({"id": NO_LEAD, "name": "(Chưa giao đơn vị)", "count": without_lead})
    return groups


def _as_of_today(groups: list[dict], today: dt.date) -> list[dict]:
    now = current_units([g["id"] for g in groups if g["id"] > 0], today)
    merged: dict[int, dict] = {}
    for group in groups:
        current = now.get(group["id"])
        if current is None:
            key, name = group["id"], group["name"]
        elif current[0] is None:
            key, name = NO_CURRENT, "(Chưa có đơn vị tiếp nhận)"
        else:
            key, name = current  # type: ignore[assignment]
        row = merged.setdefault(
            key, {"id": key, "name": name, "count": 0, "formerly": [], "ids": set()}
        )
        row["count"] += group["count"]
        row["ids"].add(group["id"])
        if current is not None:
            row["formerly"].append(group["name"])
    return sorted(merged.values(), key=lambda g: (-g["count"], g["name"], g["id"]))


def _in_group(
    overdue: QuerySet[Task], group_by: str, group_id: int, today: dt.date
) -> QuerySet[Task]:
    if group_by == "van-ban":
        return overdue.filter(document_id=group_id)
    if group_id == NO_LEAD:
        return overdue_without_lead(overdue)
    if group_id == NO_CURRENT:
        ended = units_without_successor(today)
        return (
            overdue_in_provinces(overdue, ended)
            if group_by == "tinh"
            else (overdue_in_lead_units(overdue, ended))
        )
    units = units_answered_by([group_id], today)
    if group_by == "tinh":
        return overdue_in_provinces(overdue, units)
    return overdue_in_lead_units(overdue, units)


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
    status_query = StatusQuery.current(today)
    overdue = status_query.overdue(scope)
    group_by = request.GET.get("nhom", "don-vi")
    if group_by not in OVERDUE_GROUPINGS:
        group_by = "don-vi"
    ages = status_query.age_counts(overdue)
    total, without_lead = ages.pop("total"), ages.pop("without_lead")
    groups = _overdue_groups(overdue, group_by, without_lead, today)
    by_province = _as_of_today([vars(g) for g in overdue_by_province(overdue)], today)
    chart = {
        "provinces": {
            "label": "Nhiệm vụ quá hạn",
            "labels": [g["name"] for g in by_province[:GROUPS_SHOWN]],
            "data": [g["count"] for g in by_province[:GROUPS_SHOWN]],
        },
        "ages": {
            "label": "Nhiệm vụ quá hạn",
            "labels": [f"{label} ngày" for label in ages],
            "data": list(ages.values()),
        },
    }
    group_id = request.GET.get("ma", "")
    # an old unit's id (a bookmark from before a merger) selects its successor's group
    selected = next(
        (g for g in groups if group_id in {str(g["id"]), *map(str, g.get("ids", ()))}), None
    )
    listed = _in_group(overdue, group_by, selected["id"], today) if selected else overdue
    listed = task_list_related(listed).prefetch_related("prefetched_tracks__reports")
    if request.GET.get("format") == "xlsx":
        group_name = f"{OVERDUE_GROUPINGS[group_by]} {selected['name']}" if selected else ""
        return _xlsx_response(listed, today, ["nhiem-vu-qua-han", group_name])
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
            "now": current_names([u.pk for row in rows for u in row["leads"]], today),
            "unassigned": unassigned,
            "unassigned_documents": unassigned_documents,
            "unassigned_count": sum(d["count"] for d in unassigned_documents),
            "unparsed": unparsed[:LIST_SHOWN],
            "unparsed_count": unparsed.count(),
            "today": today,
            "chart": chart,
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


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _task_context(request: HttpRequest, task: Task, **extra: object) -> dict:
    today = timezone.localdate()
    task = (
        Task.objects.filter(pk=task.pk)
        .select_related("document", "parent", "implements__document")
        .prefetch_related(
            "assignments__unit",
            "tracks__unit",
            "tracks__via",
            "tracks__handed_to",
            "tracks__reports",
        )
        .get()
    )
    view = task_status_for(task, today)
    above, below = document_chain(task.document)
    up_chain = []
    higher = task.implements
    while higher is not None and len(up_chain) < 6:
        up_chain.append(higher)
        higher = Task.objects.select_related("document", "implements").get(pk=higher.pk).implements
    reports = (
        report_visible_to(request.user)
        .filter(track__task=task)
        .select_related("track__unit", "author", "decided_by", "on_behalf_of")
        .prefetch_related("evidence")
        .order_by("-period_year", "-period_quarter", "track__unit__name")
    )
    quarter = quarter_of(today)
    copy_from = _int(request.GET.get("sao-chep"))
    copyable: set[int] = set()  # tracks with an earlier report to copy into this quarter
    writable = [t for t in task.tracks.all() if is_officer_of_track(request.user, t)]
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
        previous = None
        if draft is None:
            previous = report_previous(track=track, year=today.year, quarter=quarter)
            if previous is not None:
                copyable.add(track.pk)
        if previous is not None and copy_from == track.pk:
            initial.update(
                percent=previous.percent,
                narrative=previous.narrative,
                completed_on=previous.completed_on,
            )
        forms[track.pk] = (draft, ReportForm(initial=initial, prefix=f"t{track.pk}"))
    forms.update(extra.pop("forms", {}))  # type: ignore[arg-type]
    history = history_entries(list(task.history.select_related("history_user")[:50]))
    report_history = history_entries(
        list(
            ProgressReport.history.filter(id__in=[r.pk for r in reports])
            .select_related("history_user", "track__unit", "on_behalf_of")
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
        "down": task_downstream_visible(request.user, task).select_related("document")[:100],
        "children": task_children_visible(request.user, task).order_by("position", "id"),
        "indicators": task.indicators.all(),
        "reports": reports,
        "can": {
            step.value: {r.pk for r in reports if REPORTS.allowed(request.user, step, r)}
            for step in (Step.WITHDRAW, Step.APPROVE, Step.RETURN, Step.REOPEN)
        },
        "forms": [(t, *forms[t.pk]) for t in writable if t.pk in forms],
        "acting_units": user_units(request.user),
        "handover_forms": _handover_forms(request, task, today),
        "now": current_names(
            [a.unit_id for a in task.assignments.all()] + [t.unit_id for t in task.tracks.all()],
            today,
        ),
        "copyable": copyable,
        "comments": task.comments.select_related("author"),
        "explanations": task.explanations.select_related("unit", "requested_by", "answered_by"),
        "explanation_form": extra.pop("explanation_form", None)
        or ExplanationRequestForm(
            units=[a.unit for a in task.assignments.all() if a.role == AssignmentRole.LEAD]
        )
        if user_is_reviewer(request.user)
        else None,
        "answer_form": ExplanationAnswerForm(),
        "comment_form": extra.pop("comment_form", None) or CommentForm(),
        **_extension_context(request, task, extra.pop("extension_form", None)),
        "history": history,
        "report_history": report_history,
        "today": today,
        **extra,
    }


def _extension_context(request: HttpRequest, task: Task, form: ExtensionRequestForm | None) -> dict:
    """The task's extension requests, the request form for its lead units (or why the task
    is not extended) and the decision form for the assigning body and reviewers."""
    extensions = list(
        task.extensions.select_related("unit", "requested_by", "decided_by", "on_behalf_of")
    )
    open_request = next((e for e in extensions if e.state == ExtensionState.REQUESTED), None)
    may_request = request.user.has_perm("tasks.request_extension", task)
    not_extended = not_extended_reason(task) if may_request else ""
    if may_request and form is None and not not_extended and open_request is None:
        form = ExtensionRequestForm(units=lead_units_acted_for(request.user, task), prefix="gh")
    deciding = open_request is not None and may_decide(request.user, task)
    return {
        "extensions": extensions,
        "extension_open": open_request,
        "extension_form": form if task.completed_on is None else None,
        "extension_not_extended": not_extended,
        "extension_decision_form": ExtensionDecisionForm(prefix="qd") if deciding else None,
    }


def _handover_forms(request: HttpRequest, task: Task, today: dt.date) -> dict:
    """A hand-over form for each open track of a unit that was split or abolished, for the
    people who may hand it on (administrators and the document's reviewers)."""
    if not request.user.has_perm("tasks.hand_over_track", task):
        return {}
    waiting = current_names([t.unit_id for t in task.tracks.all()], today)
    return {
        t.pk: TrackHandOverForm(
            units=hand_over_candidates(t.unit, today), prefix=f"h{t.pk}", auto_id=f"id_h{t.pk}_%s"
        )
        for t in task.tracks.all()
        if t.handed_to_id is None and t.completed_on is None and waiting.get(t.unit_id) == ""
    }


@login_required
@require_POST
def track_hand_over_view(request: HttpRequest, pk: int, track_id: int) -> HttpResponse:
    task = _task_or_404(request.user, pk)
    track = get_object_or_404(task.tracks.select_related("unit"), pk=track_id)
    today = timezone.localdate()
    form = TrackHandOverForm(
        request.POST, units=hand_over_candidates(track.unit, today), prefix=f"h{track.pk}"
    )
    if not form.is_valid():
        messages.error(request, "Chưa chuyển giao: hãy chọn đơn vị tiếp nhận.")
    else:
        try:
            track_hand_over(
                track=track, unit=form.cleaned_data["unit"], user=request.user, today=today
            )
            messages.success(
                request,
                f"Đã chuyển phần việc của {track.unit.name} cho {form.cleaned_data['unit'].name}.",
            )
        except ReportError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("task-detail", args=[task.pk]) + f"#phan-viec-{track.pk}")


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
    except ReportError as exc:  # a refused permission is audited by the service
        form.add_error(None, exc.message)
        return render(
            request,
            "tasks/task_detail.html",
            _task_context(request, task, forms={track.pk: (None, form)}),
            status=400,
        )
    return redirect(reverse("task-detail", args=[task.pk]) + f"#phan-viec-{track.pk}")


DECISIONS = {
    Step.WITHDRAW: (report_withdraw, "Đã rút lại báo cáo về bản nháp."),
    Step.APPROVE: (report_approve, "Đã duyệt báo cáo."),
    Step.RETURN: (report_return, "Đã trả lại báo cáo."),
    Step.REOPEN: (report_reopen, "Đã mở lại báo cáo; đơn vị sẽ sửa và gửi lại."),
}


def _decide(request: HttpRequest, report_id: int, step: Step) -> HttpResponse:
    """One workflow step on a report from its page (the API calls the same services)."""
    report = report_visible_to(request.user).filter(pk=report_id).select_related("track").first()
    if report is None:
        raise Http404
    form = DecisionForm(request.POST)
    task_url = reverse("task-detail", args=[report.track.task_id])
    if not form.is_valid():
        messages.error(request, "Yêu cầu không hợp lệ; hãy tải lại trang.")
        return redirect(task_url)
    action, done = DECISIONS[step]
    arguments = {"report_id": report.pk, "user": request.user}
    if step in (Step.RETURN, Step.REOPEN):
        arguments["reason"] = form.cleaned_data["reason"]
    try:
        action(version=form.cleaned_data["version"], **arguments)
        messages.success(request, done)
    except ReportError as exc:  # a refused permission is audited by the service
        messages.error(request, exc.message)
    return redirect(safe_next(request, task_url + f"#bao-cao-{report.pk}"))


@login_required
@require_POST
def report_approve_view(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, Step.APPROVE)


@login_required
@require_POST
def report_return_view(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, Step.RETURN)


@login_required
@require_POST
def report_withdraw_view(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, Step.WITHDRAW)


@login_required
@require_POST
def report_reopen_view(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, Step.REOPEN)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(task=task, user=request.user, text=form.cleaned_data["text"])
            messages.success(request, "Đã ghi ý kiến.")
            return redirect(reverse("task-detail", args=[task.pk]) + "#y-kien")
        except ReportError as exc:
            form.add_error(None, exc.message)
    messages.error(request, "Ý kiến chưa gửi: hãy sửa ô được đánh dấu.")
    # Shown again with what was typed.
    return render(
        request,
        "tasks/task_detail.html",
        _task_context(request, task, comment_form=form),
        status=400,
    )


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
            return redirect(reverse("task-detail", args=[task.pk]) + "#giai-trinh")
        except ReportError as exc:
            form.add_error(None, exc.message)
    messages.error(request, "Yêu cầu giải trình chưa gửi: hãy sửa các ô được đánh dấu.")
    # Shown again with what was typed (a bad date must not lose the question).
    return render(
        request,
        "tasks/task_detail.html",
        _task_context(request, task, explanation_form=form),
        status=400,
    )


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


@login_required
@require_POST
def extension_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead unit asks to extend the task's due date (the API calls the same service)."""
    task = _task_or_404(request.user, pk)
    form = ExtensionRequestForm(
        request.POST, units=lead_units_acted_for(request.user, task), prefix="gh"
    )
    if form.is_valid():
        try:
            extension_request(
                task=task,
                user=request.user,
                unit=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
                proposed_due_on=form.cleaned_data["proposed_due_on"],
            )
            messages.success(request, "Đã gửi đề nghị gia hạn.")
            return redirect(reverse("task-detail", args=[task.pk]) + "#gia-han")
        except ExtensionError as exc:  # a refused permission is audited by the service
            form.add_error(None, exc.message)
    messages.error(request, "Đề nghị gia hạn chưa gửi: hãy sửa các ô được đánh dấu.")
    # Shown again with what was typed.
    return render(
        request,
        "tasks/task_detail.html",
        _task_context(request, task, extension_form=form),
        status=400,
    )


@login_required
@require_POST
def extension_decide_view(request: HttpRequest, pk: int, extension_id: int) -> HttpResponse:
    """The assigning body or a reviewer agrees to or refuses an extension."""
    task = _task_or_404(request.user, pk)
    extension = get_object_or_404(task.extensions, pk=extension_id)
    form = ExtensionDecisionForm(request.POST, prefix="qd")
    target = safe_next(request, reverse("task-detail", args=[task.pk]) + "#gia-han")
    if not form.is_valid():
        messages.error(request, "Chưa chọn quyết định về đề nghị gia hạn.")
        return redirect(target)
    decide = extension_approve if form.cleaned_data["decision"] == "approve" else extension_refuse
    try:
        decided = decide(
            extension_id=extension.pk,
            user=request.user,
            note=form.cleaned_data["note"],
            today=timezone.localdate(),
        )
        if decided.state == ExtensionState.REFUSED:
            messages.success(request, "Đã ghi quyết định không đồng ý gia hạn.")
        elif decided.applies:
            messages.success(request, f"Đã đồng ý gia hạn đến {decided.proposed_due_on:%d/%m/%Y}.")
        else:
            messages.warning(
                request,
                "Đã đồng ý gia hạn sau khi đã quá hạn: không thay đổi tình trạng nhiệm vụ.",
            )
    except ExtensionError as exc:
        messages.error(request, exc.message)
    return redirect(target)
