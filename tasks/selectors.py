"""Every read of tasks that depends on who asks, scoped in the same query."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts import access
from accounts.models import User
from documents.models import Document
from tasks.choices import DeadlineKind, ReportState
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack


def task_visible_to(user: User, *, led_by: int | None = None) -> QuerySet[Task]:
    """Tasks ``user`` may see (the rule lives in ``accounts.access.visible_tasks``).

    ``led_by``: the caller filters the list by this lead unit (``TaskFilter.lead_unit``).
    When the user sees everything that unit leads (its own unit), the visibility condition
    is left out: the filter implies it, and the condition's OR of EXISTS costs more than
    the filter."""
    if led_by is not None and access.sees_all_led_by(user, led_by):
        return Task.objects.all()
    return access.visible_tasks(user)


def task_get_for_user(user: User, pk: int) -> Task | None:
    return task_visible_to(user).filter(pk=pk).select_related("document").first()


def report_visible_to(user: User) -> QuerySet[ProgressReport]:
    """Reports on visible tasks; a draft only to the officers and leaders of its unit."""
    return access.visible_reports(user)


def user_units(user: User) -> frozenset[int]:
    """Ids of the units the user acts for as officer or leader (successions included)."""
    return access.access_for(user).acting


def user_is_reviewer(user: User) -> bool:
    return access.access_for(user).is_reviewer


def task_assigned_to_user(user: User, role: str | None = None) -> QuerySet[Task]:
    """ "Việc của tôi" (the rule lives in ``accounts.access.assigned_tasks``)."""
    return access.assigned_tasks(user, role)


def task_children_visible(user: User, task: Task) -> QuerySet[Task]:
    """The sub-tasks of ``task`` the user may see."""
    return task_visible_to(user).filter(parent=task)


def task_downstream_visible(user: User, task: Task) -> QuerySet[Task]:
    """The tasks of other documents that implement ``task``, those the user may see."""
    return task_visible_to(user).filter(implements=task)


def task_list_related(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What a task list shows, fetched in a constant number of queries, the columns it shows
    only. The document comes in its own query too: joined, PostgreSQL cannot estimate how
    few rows the visibility and status conditions leave and may pick a join that reads every
    document per row. Tracks and assignments land in plain lists (``Task.track_list()``,
    ``Task.assignment_list()``): a related manager per row costs more than the query."""
    return tasks.defer("description").prefetch_related(
        Prefetch(
            "document",
            Document.objects.select_related(None).only(
                "slug", "number", "title", "kind", "issued_on", "issued_year", "horizon_year"
            ),
        ),
        Prefetch(
            "assignments",
            TaskAssignment.objects.select_related("unit").only(
                "task_id", "role", "position", "printed_name", "unit__name"
            ),
            to_attr="prefetched_assignments",
        ),
        Prefetch(
            "tracks",
            TaskTrack.objects.select_related("unit").only(
                "task_id", "unit_id", "via_id", "completed_on", "percent", "unit__name"
            ),
            to_attr="prefetched_tracks",
        ),
        approved_reports_prefetch(),
    )


def approved_reports_prefetch() -> Prefetch:
    """The approved reports that judge a recurring task's occurrences (tasks.occurrences),
    into ``prefetched_approved_reports`` of the prefetched tracks. Only recurring tasks'
    tracks get any (nothing else reads them): a page of dated tasks builds no report."""
    return Prefetch(
        "prefetched_tracks__reports",
        ProgressReport.objects.filter(
            state=ReportState.APPROVED, track__task__deadline_kind=DeadlineKind.RECURRING
        ).only(
            "track_id",
            "period_year",
            "period_quarter",
            "state",
            "percent",
            "completed_on",
            "decided_at",
            "updated_at",
        ),
        to_attr="prefetched_approved_reports",
    )


def unassigned_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with no lead unit whose sub-tasks have none either: someone must assign them."""
    lead = TaskAssignment.objects.filter(role="lead")
    # ``has_lead`` is kept with the stored open due date (tasks.services.open_due_refresh):
    # the few tasks without a lead come from a partial index, not from probing every task.
    return tasks.filter(has_lead=False).exclude(Exists(lead.filter(task__parent=OuterRef("pk"))))
