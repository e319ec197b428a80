"""Every read of tasks that depends on who asks, scoped in the same query."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.choices import Role
from accounts.models import Membership, Unit, User
from documents.models import Document
from tasks.choices import ReportState
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack


def _member_units(user: User, roles: tuple[str, ...]) -> QuerySet[Unit]:
    return Unit.objects.filter(
        pk__in=Membership.objects.filter(user=user, role__in=roles).values("unit_id")
    )


def user_sees_everything(user: User) -> bool:
    """Admins, and reviewers at a body that reviews every document (Ban Kinh tế TW)."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Role.REVIEWER, unit__reviews_all=True).exists()


def _roles(user: User) -> tuple[list[int], list[int], bool]:
    """(units where the user is officer or leader, units where reviewer, reviews all) in one
    query."""
    own: list[int] = []
    reviewing: list[int] = []
    everything = False
    rows = Membership.objects.filter(user=user).values_list("unit_id", "role", "unit__reviews_all")
    for unit_id, role, reviews_all in rows:
        if role == Role.REVIEWER:
            reviewing.append(unit_id)
            everything |= reviews_all
        else:
            own.append(unit_id)
    return own, reviewing, everything


def _with_groups(units: list[int]) -> list[int]:
    """``units`` and the collective assignees they belong to ("Tỉnh uỷ các địa phương trong
    vùng" assigns work to each of its members)."""
    groups = Unit.members.through.objects.filter(to_unit_id__in=units).values_list(
        "from_unit_id", flat=True
    )
    return sorted({*units, *groups})


def task_visible_to(user: User) -> QuerySet[Task]:
    """Tasks ``user`` may see.

    Officers and leaders see the tasks their units lead or coordinate (directly, or as a
    member of a collective assignee), the sub-tasks and parents of those, and the
    higher-level tasks they implement. Reviewers see every task of the documents their
    body monitors; a body that reviews all (Ban Kinh tế Trung ương) and admins see all.
    Anything else does not exist for the user (a 404, never a 403).

    The user's unit ids are read first (two small queries). Each way of seeing a task is a
    correlated EXISTS on the assignment indexes, so PostgreSQL probes them for the rows the
    other filters leave (a page of one unit's tasks) or hashes them for a whole list.
    """
    if not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    if user.is_superuser:
        return Task.objects.all()
    own, reviewing, everything = _roles(user)
    if everything:
        return Task.objects.all()
    condition = Q(pk__in=[])
    if own:
        theirs = TaskAssignment.objects.filter(unit_id__in=_with_groups(own))
        condition = (
            Q(Exists(theirs.filter(task=OuterRef("pk"))))
            | Q(Exists(theirs.filter(task=OuterRef("parent_id"))))  # a sub-task of theirs
            | Q(Exists(theirs.filter(task__parent=OuterRef("pk"))))  # the parent of theirs
            | Q(Exists(theirs.filter(task__implements=OuterRef("pk"))))  # what theirs serve
        )
    if reviewing:
        monitored = Document.monitors.through.objects.filter(unit_id__in=reviewing)
        condition |= Q(document_id__in=monitored.values("document_id"))
    return Task.objects.filter(condition)


def task_get_for_user(user: User, pk: int) -> Task | None:
    return task_visible_to(user).filter(pk=pk).select_related("document").first()


def report_visible_to(user: User) -> QuerySet[ProgressReport]:
    """Reports on visible tasks; a draft only to the officers and leaders of its unit."""
    tasks = task_visible_to(user)
    reports = ProgressReport.objects.filter(track__task__in=tasks.values("pk"))
    if user_sees_everything(user) and user.is_superuser:
        return reports
    own = _member_units(user, (Role.OFFICER, Role.LEADER))
    return reports.filter(~Q(state="draft") | Q(track__unit__in=own))


def user_units(user: User) -> QuerySet[Unit]:
    """Units where the user is an officer or leader."""
    return _member_units(user, (Role.OFFICER, Role.LEADER))


def user_is_reviewer(user: User) -> bool:
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.REVIEWER).exists()


def task_assigned_to_user(user: User, role: str | None = None) -> QuerySet[Task]:
    """ "Việc của tôi": tasks the user's units lead or coordinate, directly or as a member of
    a collective assignee. ``role`` narrows to lead or coordinate."""
    own, _, _ = _roles(user)
    if not own:
        return Task.objects.none()
    assignments = TaskAssignment.objects.filter(task=OuterRef("pk"), unit_id__in=_with_groups(own))
    if role:
        assignments = assignments.filter(role=role)
    condition = Q(Exists(assignments))
    if role in (None, "lead"):
        condition |= Q(Exists(TaskTrack.objects.filter(task=OuterRef("pk"), unit_id__in=own)))
    return Task.objects.filter(condition)


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
        # The approved reports judge a recurring task's occurrences (tasks.occurrences).
        Prefetch(
            "prefetched_tracks__reports",
            ProgressReport.objects.filter(state=ReportState.APPROVED).only(
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
        ),
    )


def unassigned_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with no lead unit whose sub-tasks have none either: someone must assign them."""
    lead = TaskAssignment.objects.filter(role="lead")
    return tasks.exclude(Exists(lead.filter(task=OuterRef("pk")))).exclude(
        Exists(lead.filter(task__parent=OuterRef("pk")))
    )
