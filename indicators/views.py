"""Server-rendered pages for target indicators (chỉ tiêu): the list, a document's dashboard,
one indicator with its chart, value entry and approval, and the XLSX import. Views parse
input, call selectors and services, and render; the rules live in services and rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import indicator_scopes
from accounts.choices import Role, UnitKind
from accounts.models import Unit, User
from documents.models import Document, TableImport
from documents.services import table_import_keep, table_import_pending
from indicators.choices import ValueState
from indicators.evaluation import NO_DATA, Verdict
from indicators.forms import DecisionForm, ImportForm, LinkTaskForm, ValueForm
from indicators.importer import rows_from_json, rows_to_json
from indicators.models import Indicator, IndicatorValue
from indicators.rules import is_reviewer_of_value
from indicators.selectors import indicator_dashboard, indicator_evaluate, province_comparison
from indicators.services import (
    VALUES,
    IndicatorValueError,
    NotAllowed,
    StaleVersion,
    indicator_link_task,
    indicator_values_import,
    value_approve,
    value_reopen,
    value_return,
    value_save_draft,
    value_submit,
    value_withdraw,
)
from portal.history import Entry, history_entries
from portal.numbers import format_vn_number
from portal.views import safe_next
from portal.workflow import Step
from tasks.selectors import task_visible_to

VERDICT_CLASS = {
    "on_track": "verdict-on_track",
    "at_risk": "verdict-at_risk",
    "off_track": "verdict-off_track",
    "no_data": "verdict-no_data",
    "achieved": "verdict-achieved",
    "missed": "verdict-missed",
    "overtaken": "verdict-no_data",
}
HISTORY_LIMIT = 100


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """Chỉ tiêu: the documents that set targets, each linking to its dashboard."""
    documents = (
        Document.objects.filter(indicators__isnull=False)
        .annotate(indicator_count=Count("indicators", distinct=True))
        .order_by("-issued_year", "slug")
    )
    return render(request, "indicators/list.html", {"documents": documents})


@login_required
@require_GET
def indicator_dashboard_view(request: HttpRequest, slug: str) -> HttpResponse:
    """All targets of a document with their traffic light; constant queries."""
    document = get_object_or_404(Document, slug=slug)
    rows = indicator_dashboard(document, timezone.localdate())
    if not rows:
        raise Http404
    counts: dict[Verdict, int] = defaultdict(int)
    for row in rows:
        counts[row.evaluation.verdict] += 1
    summary = [(verdict, counts[verdict]) for verdict in Verdict if counts[verdict]]
    scopes = {row.indicator.scope for row in rows}  # one scope for all: said once on top
    return render(
        request,
        "indicators/dashboard.html",
        {
            "document": document,
            "rows": rows,
            "summary": summary,
            "regional": UnitKind.REGION,
            "common_scope": scopes.pop() if len(scopes) == 1 else None,
            "no_data_text": NO_DATA,
            "can_import": bool(_entry_scope_ids(request.user)),  # type: ignore[arg-type]
        },
    )


# --------------------------------------------------------------------------- helpers


def _indicator_or_404(code: str) -> Indicator:
    indicator = Indicator.objects.select_related("document", "scope").filter(code=code).first()
    if indicator is None:
        raise Http404
    return indicator


def _scopes(indicator: Indicator) -> list[Unit]:
    """The indicator's own scope, then (for a region) its member provinces by name."""
    if indicator.scope.kind == UnitKind.REGION:
        # name_key orders Đ with D (the "C" collation puts it after Z)
        return [indicator.scope, *indicator.scope.members.order_by("name_key")]
    return [indicator.scope]


def _entry_scope_ids(user: User) -> frozenset[int]:
    """Scopes whose values the user may enter; the rules predicates decide for real in the
    services, this only shapes the page."""
    return indicator_scopes(user, Role.OFFICER, Role.LEADER)


@dataclass
class Access:
    entry: list[Unit]  # scopes the user may enter values for
    leader: set[int]  # scope ids the user may approve (and return)
    reviewer: bool  # may return any value of the indicator
    link: bool  # may link tasks


def _access(user: User, indicator: Indicator, scopes: list[Unit]) -> Access:
    entry_ids = _entry_scope_ids(user)
    entry = [
        s
        for s in scopes
        if s.pk in entry_ids
        and user.has_perm("indicators.enter_value", IndicatorValue(indicator=indicator, scope=s))
    ]
    reviewer = bool(is_reviewer_of_value(user, IndicatorValue(indicator=indicator)))
    return Access(
        entry=entry,
        leader=indicator_scopes(user, Role.LEADER) & {s.pk for s in scopes},
        reviewer=reviewer,
        link=reviewer or user.is_superuser,
    )


def _value_form(
    scopes: list[Unit], access: Access, data: object = None, initial: dict | None = None
) -> ValueForm:
    return ValueForm(data, initial=initial, scopes=scopes, allowed=access.entry)


def _history(indicator: Indicator, visible_ids: set[int] | None) -> list[Entry]:
    """Corrections of the values (newest first), with the change against the previous record
    of the same value; published values for everyone, the rest for those who handle them."""
    records = list(
        IndicatorValue.history.filter(indicator_id=indicator.pk)  # type: ignore[attr-defined]
        .select_related("history_user", "scope", "on_behalf_of")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    entries = history_entries(records, fields=("value", "source", "state"))
    return [e for e in entries if visible_ids is None or e.record.id in visible_ids]


def _detail_context(
    request: HttpRequest, indicator: Indicator, form: ValueForm | None = None, **extra: object
) -> dict:
    today = timezone.localdate()
    user: User = request.user  # type: ignore[assignment]
    scopes = _scopes(indicator)
    access = _access(user, indicator, scopes)
    values = list(
        IndicatorValue.objects.filter(indicator=indicator)
        .select_related("scope", "entered_by", "decided_by", "on_behalf_of")
        .order_by("year", "scope__name")
    )
    approved = [v for v in values if v.state == ValueState.APPROVED]
    own = [v for v in approved if v.scope_id == indicator.scope_id]
    evaluation = indicator_evaluate(indicator, own, today, with_baseline=True)
    entry_ids = {s.pk for s in access.entry}
    handled = entry_ids | access.leader
    pending = [
        v
        for v in values
        if v.state != ValueState.APPROVED
        and (v.scope_id in handled or (access.reviewer and v.state == ValueState.SUBMITTED))
    ]
    years = sorted({v.year for v in approved})
    regional = indicator.scope.kind == UnitKind.REGION
    table = []
    if regional:
        by_cell = {(v.scope_id, v.year): v for v in approved}
        table = [(s, [by_cell.get((s.pk, y)) for y in years]) for s in scopes]
    comparison = sorted(
        province_comparison(indicator, today) if regional else [],
        key=lambda row: row.province.name_key,
    )
    chart = _chart(indicator, evaluation.expected_path, approved, scopes)
    visible_ids = {v.pk for v in approved} | {v.pk for v in pending}
    if user.is_superuser:
        visible_ids = {v.pk for v in values}
    linked = list(
        task_visible_to(user)
        .filter(indicators=indicator)
        .select_related("document")
        .order_by("position", "id")
    )
    link_form = None
    if access.link:
        candidates = indicator.document.tasks.exclude(indicators=indicator).order_by(
            "position", "id"
        )
        link_form = LinkTaskForm(tasks=candidates)
    if form is None and access.entry:
        form = _value_form(scopes, access, initial=_initial(request, values, access))
    return {
        "indicator": indicator,
        "evaluation": evaluation,
        "verdict_class": VERDICT_CLASS[evaluation.verdict.value],
        "latest": own[-1] if own else None,
        "own_values": own,
        "regional": regional,
        "years": years,
        "table": table,
        "comparison": comparison,
        "no_data_text": NO_DATA,
        "chart": chart,
        "has_chart": bool(chart["labels"]),
        "pending": pending,
        # What the page offers (the services decide again): the officer withdraws in the
        # scopes they enter for, the leader decides in the scopes they lead.
        "can": {
            step.value: {
                v.pk
                for v in values
                if VALUES.state_allows(step, v)
                and v.scope_id in (entry_ids if step == Step.WITHDRAW else access.leader)
            }
            for step in (Step.WITHDRAW, Step.APPROVE, Step.RETURN, Step.REOPEN)
        },
        "can_edit": {
            v.pk
            for v in values
            if v.scope_id in {s.pk for s in access.entry} and v.state in VALUES.sources(Step.SAVE)
        },
        "form": form,
        "history": _history(indicator, visible_ids),
        "tasks": linked,
        "link_form": link_form,
        "today": today,
        **extra,
    }


def _chart(
    indicator: Indicator,
    path: list[tuple[int, Decimal]],
    approved: list[IndicatorValue],
    scopes: list[Unit],
) -> dict:
    """Chart data for json_script: the approved actuals of the indicator's own scope against
    the expected path; for a region, also a line per member province that has values."""
    by_scope: dict[int, dict[int, float]] = defaultdict(dict)
    for value in approved:
        by_scope[value.scope_id][value.year] = float(value.value)
    years = sorted({y for y, _ in path} | {y for series in by_scope.values() for y in series})
    any_values = bool(by_scope)
    series = [
        {
            "label": f"Thực hiện (đã duyệt) – {scope.name}",
            "data": [by_scope[scope.pk].get(y) for y in years],
            "own": scope.pk == indicator.scope_id,
        }
        for scope in scopes
        # the own scope always has its line, unless it is an empty region beside provinces
        if by_scope.get(scope.pk) or (scope.pk == indicator.scope_id and not any_values)
    ]
    expected = dict(path)
    return {
        "labels": [str(y) for y in years],
        "series": series,
        "expected": [float(expected[y]) if y in expected else None for y in years],
        "expectedLabel": "Lộ trình cần đạt",
        "unit": indicator.unit_of_measure,
    }


def _initial(request: HttpRequest, values: list[IndicatorValue], access: Access) -> dict:
    """A blank form, or the value chosen with ?sua=<id> to correct it (with its version)."""
    initial: dict = {"year": timezone.localdate().year - 1}
    if len(access.entry) == 1:
        initial["scope"] = access.entry[0].pk
    chosen = request.GET.get("sua", "")
    value = next((v for v in values if str(v.pk) == chosen), None)
    if value is not None and value.scope_id in {s.pk for s in access.entry}:
        initial.update(
            scope=value.scope_id,
            year=value.year,
            value_text=format_vn_number(value.value.normalize()),
            source=value.source,
            version=value.version,
        )
    return initial


# --------------------------------------------------------------------------- pages


@login_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: target, values, chart, explanation, tasks; value entry on POST."""
    indicator = _indicator_or_404(code)
    if request.method == "GET":
        return render(request, "indicators/detail.html", _detail_context(request, indicator))
    user: User = request.user  # type: ignore[assignment]
    scopes = _scopes(indicator)
    access = _access(user, indicator, scopes)
    form = _value_form(scopes, access, data=request.POST)
    if not form.is_valid():
        messages.error(request, "Số liệu chưa lưu: hãy sửa các ô được đánh dấu.")
        return _render_form(request, indicator, form, status=400)
    data = form.cleaned_data
    submit = request.POST.get("action") == "submit"
    try:
        value = value_save_draft(
            indicator=indicator,
            scope=data["scope"],
            year=data["year"],
            value_text=data["value_text"],
            source=data["source"],
            note=data["note"],
            version=data["version"],
            user=user,
        )
        if submit:
            value_submit(value_id=value.pk, user=user, version=value.version)
    except StaleVersion as exc:
        form.add_error(None, exc.message)
        stored = IndicatorValue.objects.filter(
            indicator=indicator, scope=data["scope"], year=data["year"]
        ).first()
        return _render_form(request, indicator, form, status=409, conflict=stored)
    except IndicatorValueError as exc:  # a refused permission is audited by the service
        form.add_error(None, exc.message)
        return _render_form(
            request, indicator, form, status=403 if isinstance(exc, NotAllowed) else 400
        )
    if submit:
        messages.success(request, "Đã gửi số liệu để lãnh đạo đơn vị duyệt.")
    else:
        messages.success(request, "Đã lưu bản nháp số liệu.")
    return redirect(reverse("indicator-detail", args=[indicator.code]) + "#cho-duyet")


def _render_form(
    request: HttpRequest, indicator: Indicator, form: ValueForm, status: int, **extra: object
) -> HttpResponse:
    context = _detail_context(request, indicator, form=form, **extra)
    context["form_open"] = True
    return render(request, "indicators/detail.html", context, status=status)


DECISIONS = {
    Step.WITHDRAW: (value_withdraw, "Đã rút lại số liệu về bản nháp."),
    Step.APPROVE: (value_approve, "Đã duyệt số liệu."),
    Step.RETURN: (value_return, "Đã trả lại số liệu."),
    Step.REOPEN: (value_reopen, "Đã mở lại số liệu; đơn vị sẽ sửa và gửi lại."),
}


def _decide(request: HttpRequest, value_id: int, step: Step) -> HttpResponse:
    """One workflow step on a value from its indicator's page (the same services as reports'
    steps; a refused permission is audited by the service)."""
    value = IndicatorValue.objects.select_related("indicator").filter(pk=value_id).first()
    if value is None:
        raise Http404
    url = reverse("indicator-detail", args=[value.indicator.code])
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Yêu cầu không hợp lệ; hãy tải lại trang.")
        return redirect(url)
    action, done = DECISIONS[step]
    arguments = {"value_id": value.pk, "user": request.user}
    if step in (Step.RETURN, Step.REOPEN):
        arguments["reason"] = form.cleaned_data["reason"]
    try:
        action(version=form.cleaned_data["version"], **arguments)
        messages.success(request, done)
    except IndicatorValueError as exc:
        messages.error(request, exc.message)
    return redirect(safe_next(request, url + "#danh-gia"))


@login_required
@require_POST
def value_approve_view(request: HttpRequest, value_id: int) -> HttpResponse:
    return _decide(request, value_id, Step.APPROVE)


@login_required
@require_POST
def value_return_view(request: HttpRequest, value_id: int) -> HttpResponse:
    return _decide(request, value_id, Step.RETURN)


@login_required
@require_POST
def value_withdraw_view(request: HttpRequest, value_id: int) -> HttpResponse:
    return _decide(request, value_id, Step.WITHDRAW)


@login_required
@require_POST
def value_reopen_view(request: HttpRequest, value_id: int) -> HttpResponse:
    return _decide(request, value_id, Step.REOPEN)


@login_required
@require_POST
def indicator_link_task_view(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _indicator_or_404(code)
    form = LinkTaskForm(request.POST, tasks=indicator.document.tasks.all())
    url = reverse("indicator-detail", args=[indicator.code]) + "#nhiem-vu"
    if not form.is_valid():
        messages.error(request, "Hãy chọn một nhiệm vụ của văn bản này.")
        return redirect(url)
    try:
        added = indicator_link_task(
            indicator=indicator,
            task=form.cleaned_data["task"],
            user=request.user,  # type: ignore[arg-type]
        )
    except IndicatorValueError as exc:  # a refused permission is audited by the service
        messages.error(request, exc.message)
        return redirect(url)
    messages.success(
        request, "Đã liên kết nhiệm vụ với chỉ tiêu." if added else "Nhiệm vụ đã được liên kết."
    )
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Nhập số liệu từ Excel: check the file first (nothing written), then import all rows or
    none. The checked rows wait on the server (``documents.TableImport``), named by id in the
    confirm form, so the user does not pick the file twice and no file sits in the session."""
    document = get_object_or_404(Document, slug=slug)
    if not document.indicators.exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict = {"document": document, "form": form}
    if request.method == "GET":
        return render(request, "indicators/import.html", context)
    confirm = request.POST.get("action") == "import"
    if not form.is_valid():
        return render(request, "indicators/import.html", context, status=400)
    user: User = request.user  # type: ignore[assignment]
    kind = TableImport.Kind.INDICATOR_VALUES
    upload = form.cleaned_data["file"]
    source = form.cleaned_data["source"]
    pending = None
    if confirm and upload is None:
        pending = table_import_pending(
            pk=request.POST.get("batch"), document=document, kind=kind, user=user
        )
        if pending is None:
            form.add_error("file", "Hãy chọn tệp Excel (.xlsx) để kiểm tra.")
            return render(request, "indicators/import.html", context, status=400)
    elif upload is None:
        form.add_error("file", "Hãy chọn tệp Excel (.xlsx) để kiểm tra.")
        return render(request, "indicators/import.html", context, status=400)
    if pending is not None:
        name, source = pending.file_name, pending.source
        report = indicator_values_import(
            document=document,
            rows=rows_from_json(pending.rows),
            file_name=name,
            user=user,
            source=source,
        )
        pending.delete()
    else:
        name = upload.name
        report = indicator_values_import(
            document=document, file=upload, user=user, dry_run=not confirm, source=source
        )
    context.update(report=report, file_name=name)
    if not report.ok:
        return render(request, "indicators/import.html", context, status=400)
    if confirm:
        messages.success(
            request,
            f"Đã nhập {report.values} giá trị (thêm mới {report.created}, cập nhật "
            f"{report.updated}) dưới dạng bản nháp; hãy gửi duyệt trên trang từng chỉ tiêu.",
        )
        return redirect("indicator-dashboard", slug=document.slug)
    context["batch"] = table_import_keep(
        document=document,
        kind=kind,
        user=user,
        rows=rows_to_json(report.sheet_rows),
        file_name=name,
        source=source,
    )
    return render(request, "indicators/import.html", context)
