"""Document pages: the list, and a document with its chain, task tree and indicators."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.audit import record_refusal
from documents.choices import RelationKind
from documents.forms import DocumentForm
from documents.models import Document
from documents.numbers import KIND_NAMES, DocumentNumberError, parse_document_number
from documents.rules import issuers_for, may_enter_for
from documents.selectors import document_chain, document_search
from documents.services import DocumentEntryError, document_enter
from reports.selectors import chart_series, progress_over_quarters
from tasks.choices import TaskStatus
from tasks.selectors import task_list_related, task_visible_to
from tasks.status_sql import task_status_for


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    visible = task_visible_to(request.user)
    documents = (
        Document.objects.select_related("issuer")
        .annotate(
            task_count=Count("tasks", filter=Q(tasks__in=visible.values("pk")), distinct=True),
            indicator_count=Count("indicators", distinct=True),
        )
        .order_by("-issued_year", "-issued_on", "slug")
    )
    return render(
        request,
        "documents/list.html",
        {"documents": documents, "can_enter": may_enter_for(request.user, None)},
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The tasks shown are those the user may see; the document itself is public to staff."""
    today = timezone.localdate()
    document = get_object_or_404(
        Document.objects.select_related("issuer", "scope", "province"), slug=slug
    )
    above, below = document_chain(document)
    tasks = list(
        task_list_related(
            task_visible_to(request.user).filter(document=document).order_by("position", "id")
        )
    )
    statuses = {t.pk: TaskStatus(task_status_for(t, today).status.value) for t in tasks}
    children: dict[int | None, list] = {}
    visible_ids = {t.pk for t in tasks}
    for task in tasks:
        parent = task.parent_id if task.parent_id in visible_ids else None
        children.setdefault(parent, []).append(task)

    def tree(parent: int | None, depth: int) -> list:
        rows = []
        for task in children.get(parent, []):
            rows.append((task, depth, statuses[task.pk]))
            rows.extend(tree(task.pk, depth + 1))
        return rows

    indicators = document.indicators.select_related("scope").order_by("position")
    first_day = document.issued_on or (
        dt.date(document.issued_year, 1, 1) if document.issued_year else None
    )
    progress = progress_over_quarters([t.pk for t in tasks], first_day, today)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "above": above,
            "below": below,
            "relations": document.relations_out.select_related("target"),
            "rows": tree(None, 0),
            "indicators": indicators,
            "monitors": document.monitors.all(),
            "can_enter": request.user.has_perm("documents.enter_document", document),
            "progress": chart_series(progress) if progress and tasks else None,
            "progress_rows": progress,
        },
    )


def _entry(request: HttpRequest, document: Document | None) -> HttpResponse:
    user = request.user
    if not may_enter_for(user, document.issuer if document else None):
        record_refusal(request, f"nhập văn bản {document.slug if document else ''}")
        raise PermissionDenied("Chỉ văn phòng của cơ quan ban hành mới nhập được văn bản.")
    initial = {}
    if document is not None:
        relations = document.relations_out.all()
        initial = {
            "number": document.number,
            "kind": document.kind,
            "issuer": document.issuer_id,
            "title": document.title,
            "issued_on": document.issued_on,
            "signer": document.signer,
            "signer_title": document.signer_title,
            "horizon": document.horizon,
            "horizon_year": document.horizon_year,
            "full_text": document.full_text,
            "implements": [r.target_id for r in relations if r.kind == RelationKind.IMPLEMENTS],
            "continues": [r.target_id for r in relations if r.kind == RelationKind.CONTINUES],
        }
    form = DocumentForm(
        request.POST or None, request.FILES or None, initial=initial, issuers=issuers_for(user)
    )
    context = {"form": form, "document": document}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["attachment"]
        try:
            saved = document_enter(
                user=user,
                document=document,
                number=data["number"],
                kind=data["kind"],
                title=data["title"],
                issuer=data["issuer"],
                issued_on=data["issued_on"],
                signer=data["signer"],
                signer_title=data["signer_title"],
                horizon=data["horizon"],
                horizon_year=data["horizon_year"],
                implements=list(data["implements"]),
                continues=list(data["continues"]),
                full_text=data["full_text"],
                attachment=(upload.name, upload.read()) if upload else None,
            )
        except DocumentEntryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Đã lưu {saved}.")
            return redirect("document-detail", slug=saved.slug)
    context["chosen"] = {
        name: list(Document.objects.filter(pk__in=_ids(form[name].value())))
        for name in ("implements", "continues")
    }
    status = 400 if form.is_bound else 200  # a bound form here did not save
    return render(request, "documents/entry.html", context, status=status)


def _ids(values: object) -> list[int]:
    if not isinstance(values, list | tuple):
        return []
    return [int(v) for v in values if str(v).isdigit()]


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    """Nhập văn bản mới: number parsed live, relations searched, signed file attached."""
    return _entry(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Sửa văn bản: every edit is kept in the document's history."""
    document = get_object_or_404(Document.objects.select_related("issuer"), slug=slug)
    return _entry(request, document)


@login_required
@require_GET
def document_number_preview(request: HttpRequest) -> HttpResponse:
    """The live parse of a number as typed (an htmx fragment): kind, issuer, year, or why not."""
    text = (request.GET.get("number") or "")[:60]
    context: dict = {"text": text.strip()}
    if text.strip():
        try:
            parsed = parse_document_number(text)
        except DocumentNumberError as exc:
            context["error"] = str(exc)
        else:
            context.update(parsed=parsed, kind_name=KIND_NAMES.get(parsed.kind, parsed.kind))
    return render(request, "documents/_number_preview.html", context)


@login_required
@require_GET
def document_search_view(request: HttpRequest) -> HttpResponse:
    """Documents matching a search (number or words, accents optional) to pick as relations."""
    field = request.GET.get("field", "implements")
    if field not in ("implements", "continues"):
        raise Http404
    found = document_search(request.GET.get("q", ""))
    return render(request, "documents/_search_results.html", {"found": found, "field": field})


@login_required
@require_GET
def document_attachment(request: HttpRequest, slug: str) -> FileResponse:
    """The signed file, downloaded as an attachment under its original name."""
    document = get_object_or_404(Document, slug=slug)
    if not document.attachment:
        raise Http404
    response = FileResponse(
        document.attachment.open("rb"),
        as_attachment=True,
        filename=document.attachment_name or document.attachment.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
