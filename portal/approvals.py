"""Chờ duyệt: what waits for a leader's decision across the units they lead – progress
reports of their units' tracks and indicator values of their scopes – oldest first; and the
deadline extension requests (đề nghị gia hạn) the user decides, as the assigning body's
leader or a reviewer (``tasks.extensions.extensions_awaiting``).

Reads only; the decision is the workflow's (portal.workflow), which checks the permission
again under the lock. The units a user leads come from accounts.access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.access import (
    access_for,
    indicator_scopes,
    scope_delegated_by,
    scope_delegations,
    track_unit,
    tracks_answered_by,
)
from accounts.choices import Role
from indicators.models import IndicatorValue
from portal.periods import quarter_label
from portal.workflow import ApprovalState
from tasks.models import ProgressReport

QUEUE_LIMIT = 500


@dataclass(frozen=True)
class Waiting:
    """One row of the queue: a report or a value, said the same way."""

    kind: str  # "report" | "value"
    obj: Any
    title: str
    unit: str
    period: str
    author: Any
    submitted_at: dt.datetime
    url: str
    on_behalf_of: int | None = None  # the delegating leader, when decided as a deputy

    @property
    def key(self) -> str:
        """What the bulk form posts: kind, id and the version the leader saw."""
        return f"{self.kind}-{self.obj.pk}-{self.obj.version}"

    @property
    def return_url(self) -> str:
        name = "report-return" if self.kind == "report" else "value-return"
        return reverse(name, args=[self.obj.pk])


def _queues(user: Any) -> tuple[QuerySet[ProgressReport], QuerySet[IndicatorValue]] | None:
    """The two waiting lists, or None for someone who leads no unit. A deputy's own
    reports and values are left out where they lead only by delegation: they may not decide
    on them (``portal.workflow.Workflow.deputy_on_own``)."""
    access = access_for(user)
    leading = access.leading
    if not leading:
        return None
    reports = ProgressReport.objects.filter(
        tracks_answered_by(leading, "track__"), state=ApprovalState.SUBMITTED
    )
    # A value belongs to its scope (indicators.rules.is_leader_for_value).
    values = IndicatorValue.objects.filter(
        scope_id__in=sorted(indicator_scopes(user, Role.LEADER)), state=ApprovalState.SUBMITTED
    )
    if access.delegations:
        reports = reports.exclude(
            Q(author_id=user.pk) & tracks_answered_by(set(access.delegations), "track__")
        )
        values = values.exclude(entered_by_id=user.pk, scope_id__in=sorted(scope_delegations(user)))
    return reports, values


def _decides_extensions(user: Any) -> bool:
    return access_for(user).decides_some_extensions


def approval_count(user: Any) -> int | None:
    """How many reports, values and extension requests wait for this user (the header's
    badge); None for someone who neither leads a unit nor reviews."""
    from tasks.extensions import extensions_awaiting

    queues = _queues(user)
    if queues is None and not _decides_extensions(user):
        return None
    waiting = extensions_awaiting(user).order_by().values("pk")
    if queues is None:
        return waiting.count()
    reports, values = queues
    # One query: the lists counted together (no ORDER BY inside a UNION: SQLite refuses it).
    return (
        reports.order_by()
        .values("pk")
        .union(values.order_by().values("pk"), waiting, all=True)
        .count()
    )


def extension_queue(user: Any) -> list[Any]:
    """Extension requests awaiting this user's decision, oldest first, with the task and
    the due date in force (a fixed number of queries)."""
    from tasks.extensions import extensions_awaiting

    if not _decides_extensions(user):
        return []
    return list(
        extensions_awaiting(user)
        .select_related("task__document", "unit", "requested_by")
        .order_by("requested_at", "id")[:QUEUE_LIMIT]
    )


def approval_queue(user: Any) -> list[Waiting]:
    """Reports and values awaiting this leader's decision, oldest submission first, in a
    fixed number of queries."""
    queues = _queues(user)
    if queues is None:
        return []
    reports, values = queues
    now = timezone.now()
    access = access_for(user)
    rows = [
        Waiting(
            kind="report",
            obj=r,
            title=f"{r.track.task.document.number or r.track.task.document.get_kind_display()} "
            f"{r.track.task.ref} – {r.track.task.title}",
            unit=r.track.unit.name,
            period=quarter_label(r.period_year, r.period_quarter),
            author=r.author,
            submitted_at=r.submitted_at or r.updated_at or now,
            url=reverse("task-detail", args=[r.track.task_id]) + f"#bao-cao-{r.pk}",
            on_behalf_of=access.delegated_by(track_unit(r.track)),
        )
        for r in reports.select_related("track__unit", "track__task__document", "author").order_by(
            "submitted_at", "id"
        )[:QUEUE_LIMIT]
    ]
    rows += [
        Waiting(
            kind="value",
            obj=v,
            title=f"Chỉ tiêu: {v.indicator.name}",
            unit=v.scope.name,
            period=f"Năm {v.year}",
            author=v.entered_by,
            submitted_at=v.submitted_at or v.created_at,
            url=reverse("indicator-detail", args=[v.indicator.code]) + f"#gia-tri-{v.pk}",
            on_behalf_of=scope_delegated_by(user, v.scope_id),
        )
        for v in values.select_related("indicator", "scope", "entered_by").order_by(
            "submitted_at", "id"
        )[:QUEUE_LIMIT]
    ]
    rows.sort(key=lambda row: (row.submitted_at, row.kind, row.obj.pk))
    return rows
