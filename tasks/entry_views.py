"""Prose duties (seeds 000, 002, 003 assign work in sentences): the secretariat adds one task
by hand with its units, deadline phrase, parent task and the higher-level task it implements.
One task is one write through ``tasks.services.task_upsert`` (``full_clean``, history)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.audit import record_refusal
from accounts.selectors import UnitResolver, unit_suggestions
from documents.models import Document
from documents.selectors import document_chain
from tasks.models import Task
from tasks.services import task_upsert


class TaskEntryForm(forms.Form):
    ref = forms.CharField(
        label="Mục (như in)", max_length=40, help_text="Ví dụ: III.1, IV.2.c, STT 6"
    )
    title = forms.CharField(
        label="Nội dung nhiệm vụ", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label="Mô tả (không bắt buộc)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.CharField(
        label="Đơn vị chủ trì (nhiều đơn vị cách nhau bằng dấu phẩy)",
        max_length=1000,
        required=False,
    )
    coordinate = forms.CharField(label="Đơn vị phối hợp", max_length=2000, required=False)
    deadline = forms.CharField(label="Thời gian thực hiện (như in)", max_length=300, required=False)
    parent = forms.ModelChoiceField(
        label="Nhiệm vụ cha", queryset=Task.objects.none(), required=False
    )
    implements = forms.ModelChoiceField(
        label="Thực hiện nhiệm vụ cấp trên", queryset=Task.objects.none(), required=False
    )

    def __init__(self, *args: Any, document: Document, above: list[Document], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = document.tasks.order_by("position", "id")  # type: ignore[attr-defined]
        self.fields["implements"].queryset = (  # type: ignore[attr-defined]
            Task.objects.filter(document__in=above)
            .select_related("document")
            .order_by("document_id", "position", "id")
        )
        self.fields["implements"].label_from_instance = (  # type: ignore[attr-defined]
            lambda t: f"{t.document.number or t.document.slug} – {t.ref}: {t.title[:90]}"
        )


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, slug: str) -> HttpResponse:
    document = get_object_or_404(Document.objects.select_related("issuer", "province"), slug=slug)
    if not request.user.has_perm("documents.enter_document", document):
        record_refusal(request, f"thêm nhiệm vụ vào {document.slug}")
        raise PermissionDenied("Chỉ văn phòng của cơ quan ban hành mới thêm được nhiệm vụ.")
    above, _ = document_chain(document)
    form = TaskEntryForm(request.POST or None, document=document, above=above)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resolver = UnitResolver()
        leads = resolver.resolve_list(data["lead"], document.province)
        coordinators = resolver.resolve_list(data["coordinate"], document.province)
        for field, resolved in (("lead", leads), ("coordinate", coordinators)):
            for name in resolved.unresolved:
                form.add_error(field, f"Không nhận ra đơn vị “{name}”: chọn tên trong danh sách.")
        ref = " ".join(data["ref"].split())
        if document.tasks.filter(ref=ref).exists():
            form.add_error("ref", f"Văn bản đã có nhiệm vụ ở mục {ref}.")
        if not form.errors:
            try:
                task, _ = task_upsert(
                    document=document,
                    ref=ref,
                    title=data["title"],
                    description=data["description"],
                    position=document.tasks.count() + 1,
                    parent=data["parent"],
                    implements=data["implements"],
                    deadline_text=data["deadline"],
                    leads=leads.units,
                    coordinators=coordinators.units,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Đã thêm nhiệm vụ {task.ref}.")
                return redirect("task-detail", pk=task.pk)
    return render(
        request,
        "tasks/task_entry.html",
        {"document": document, "form": form, "unit_names": unit_suggestions(document.province)},
        status=400 if form.is_bound else 200,
    )
