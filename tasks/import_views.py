"""Table import in the browser (nhập biểu phân công): paste or upload, check every row, fix a
row inline, publish all rows or none. The pages parse input and call the importer's
services; who may import for a document is ``documents.rules``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import record_refusal
from accounts.models import User
from accounts.selectors import unit_suggestions
from accounts.services import UnitNotAllowed, unit_add_provincial
from documents.models import Document, TableImport
from documents.rules import may_add_unit_in
from documents.services import table_import_keep
from portal.tables import MAX_BYTES, MAX_ROWS, TableError
from tasks.importer import (
    read_pasted,
    read_table,
    rows_from_json,
    rows_to_json,
    table_import_publish,
    table_import_row_update,
    table_preview,
)

KIND = TableImport.Kind.TASKS


class TableImportForm(forms.Form):
    text = forms.CharField(
        label="Dán bảng (sao chép từ Word hoặc Excel, gồm cả dòng tiêu đề)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label="Hoặc tải tệp lên (.xlsx, .docx, .csv)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.docx,.csv,.tsv,.txt"}),
    )


class RowForm(forms.Form):
    title = forms.CharField(label="Nhiệm vụ", max_length=4000)
    lead = forms.CharField(label="Đơn vị chủ trì", max_length=1000, required=False)
    coordinate = forms.CharField(label="Đơn vị phối hợp", max_length=2000, required=False)
    deadline = forms.CharField(label="Thời gian thực hiện", max_length=300, required=False)


def _document_for(request: HttpRequest, slug: str) -> Document:
    document = get_object_or_404(Document.objects.select_related("issuer", "province"), slug=slug)
    if not request.user.has_perm("documents.enter_document", document):
        record_refusal(request, f"nhập bảng vào {document.slug}")
        raise PermissionDenied("Chỉ văn phòng của cơ quan ban hành mới nhập được bảng.")
    return document


def _batch_for(request: HttpRequest, document: Document, batch_id: int) -> TableImport:
    return get_object_or_404(
        TableImport, pk=batch_id, document=document, kind=KIND, created_by=request.user
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_import(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document_for(request, slug)
    form = TableImportForm(request.POST or None, request.FILES or None)
    context = {
        "document": document,
        "form": form,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    if request.method == "GET" or not form.is_valid():
        return render(
            request, "tasks/table_import.html", context, status=400 if form.errors else 200
        )
    upload, text = form.cleaned_data["file"], form.cleaned_data["text"]
    try:
        if upload is not None:
            rows, name = read_table(upload, name=upload.name), upload.name
        elif text.strip():
            rows, name = read_pasted(text), "Bảng dán"
        else:
            raise TableError("Hãy dán bảng hoặc chọn một tệp.")
    except TableError as exc:
        form.add_error(None, exc.message)
        return render(request, "tasks/table_import.html", context, status=400)
    user: User = request.user  # type: ignore[assignment]
    batch = table_import_keep(
        document=document, kind=KIND, user=user, rows=rows_to_json(rows), file_name=name
    )
    return redirect("document-table-import-review", slug=document.slug, batch_id=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def table_import_review(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    """Every row with its resolved units, parsed deadline and problems; publish all or none."""
    document = _document_for(request, slug)
    batch = _batch_for(request, document, batch_id)
    status = 200
    if request.method == "POST":
        batch = table_import_publish(batch=batch, user=request.user)  # type: ignore[arg-type]
        if batch.state == TableImport.State.DONE:
            result = batch.result
            messages.success(
                request,
                f"Đã nhập {batch.total} dòng: {result.get('created', 0)} mới, "
                f"{result.get('updated', 0)} cập nhật, {result.get('unchanged', 0)} không đổi.",
            )
            if result.get("missing"):
                messages.warning(
                    request,
                    "Các nhiệm vụ đã có nhưng không còn trong bảng (giữ nguyên, cần xem lại): "
                    + ", ".join(result["missing"]),
                )
            return redirect("document-detail", slug=document.slug)
        if batch.state == TableImport.State.CHECKED:
            status = 400  # a row is still wrong: nothing was written
    views, report = table_preview(document, rows_from_json(batch.rows))
    problem_rows = sum(1 for v in views if v.errors)
    unresolved = sorted({name for v in views for name in v.unresolved})
    return render(
        request,
        "tasks/table_import_review.html",
        {
            "document": document,
            "batch": batch,
            "views": views,
            "report": report,
            "problem_rows": problem_rows,
            "unresolved": unresolved,
            "unit_names": unit_suggestions(document.province),
            "can_add_unit": may_add_unit_in(request.user, document.province),
            "edit": request.GET.get("sua"),
            "review_url": reverse("document-table-import-review", args=[document.slug, batch.pk]),
        },
        status=status,
    )


@login_required
@require_POST
def table_import_row(request: HttpRequest, slug: str, batch_id: int, index: int) -> HttpResponse:
    """Save the clerk's fix of one row, then show the table again."""
    document = _document_for(request, slug)
    batch = _batch_for(request, document, batch_id)
    form = RowForm(request.POST)
    url = reverse("document-table-import-review", args=[document.slug, batch.pk])
    if not form.is_valid():
        messages.error(request, "Dòng sửa không hợp lệ: " + form.errors.as_text())
        return redirect(url)
    try:
        table_import_row_update(batch=batch, index=index, values=form.cleaned_data)
    except TableError as exc:
        messages.error(request, exc.message)
    return redirect(f"{url}#dong-{index + 1}")


@login_required
@require_POST
def table_import_unit(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    """Add a unit of the document's province that the table names and the portal lacks."""
    document = _document_for(request, slug)
    batch = _batch_for(request, document, batch_id)
    url = reverse("document-table-import-review", args=[document.slug, batch.pk])
    if document.province is None:
        messages.error(request, "Chỉ thêm được đơn vị cho văn bản của một tỉnh.")
        return redirect(url)
    try:
        unit = unit_add_provincial(
            province=document.province,
            name=request.POST.get("name", ""),
            user=request.user,  # type: ignore[arg-type]
        )
    except UnitNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect(url)
    messages.success(request, f"Đã thêm đơn vị “{unit.name}”.")
    return redirect(url)


@login_required
def deadline_preview(request: HttpRequest) -> HttpResponse:
    """The live parse of a deadline phrase as the clerk types it (an htmx fragment)."""
    from tasks.deadlines import parse_deadline
    from tasks.services import document_reference_date

    phrase = (request.GET.get("deadline") or request.GET.get("phrase") or "")[:300]
    document = Document.objects.filter(slug=request.GET.get("document", "")).first()
    reference = document_reference_date(document) if document else None
    return render(
        request,
        "tasks/_deadline_preview.html",
        {"phrase": phrase.strip(), "deadline": parse_deadline(phrase, reference)},
    )
