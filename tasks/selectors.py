"""Every read of tasks that depends on who asks, scoped in the same query."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.choices import Role
from accounts.models import Membership, Unit, User
from documents.models import Document
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


def task_visible_to(user: User) -> QuerySet[Task]:
    """Tasks ``user`` may see.

    Officers and leaders see the tasks their units lead or coordinate (directly, or as a
    member of a collective assignee), the sub-tasks and parents of those, and the
    higher-level tasks they implement. Reviewers see every task of the documents their
    body monitors; a body that reviews all (Ban Kinh tế Trung ương) and admins see all.
    Anything else does not exist for the user (a 404, never a 403).

    The user's unit ids are read first (two small queries) so the list query filters by
    plain id lists the indexes serve, whatever the number of tasks.
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
        groups = list(
            Unit.members.through.objects.filter(to_unit_id__in=own).values_list(
                "from_unit_id", flat=True
            )
        )
        assigned = TaskAssignment.objects.filter(unit_id__in=own + groups).values("task_id")
        base = Task.objects.filter(pk__in=assigned)
        condition = (
            Q(pk__in=assigned)
            | Q(parent_id__in=assigned)
            | Q(pk__in=base.values("parent_id"))
            | Q(pk__in=base.values("implements_id"))
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
    own = user_units(user)
    groups = Unit.objects.filter(members__in=own)
    assignments = TaskAssignment.objects.filter(task=OuterRef("pk")).filter(
        Q(unit__in=own) | Q(unit__in=groups)
    )
    if role:
        assignments = assignments.filter(role=role)
    condition = Q(Exists(assignments))
    if role in (None, "lead"):
        condition |= Q(Exists(TaskTrack.objects.filter(task=OuterRef("pk"), unit__in=own)))
    return Task.objects.filter(condition)


def task_list_related(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What a task list shows, fetched in a constant number of queries."""
    return tasks.select_related("document").prefetch_related("assignments__unit", "tracks__unit")


def unassigned_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with no lead unit whose sub-tasks have none either: someone must assign them."""
    lead = TaskAssignment.objects.filter(role="lead")
    return tasks.exclude(Exists(lead.filter(task=OuterRef("pk")))).exclude(
        Exists(lead.filter(task__parent=OuterRef("pk")))
    )
