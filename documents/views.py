"""Document pages: the list, and a document with its chain, task tree and indicators."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from documents.models import Document
from documents.selectors import document_chain
from reports.selectors import chart_series, progress_over_quarters
from tasks.choices import TaskStatus
from tasks.selectors import task_list_related, task_visible_to
from tasks.status_view import task_status_for


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
    return render(request, "documents/list.html", {"documents": documents})


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
            "progress": chart_series(progress) if progress and tasks else None,
            "progress_rows": progress,
        },
    )
