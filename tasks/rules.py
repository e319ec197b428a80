"""Who may write what, as rules predicates (checked by the services, shared by page and API)."""

from __future__ import annotations

import rules

from accounts.choices import Role
from accounts.models import Membership, User
from tasks.models import ProgressReport, TaskTrack


def _has_role(user: User, unit_id: int, roles: tuple[str, ...]) -> bool:
    return Membership.objects.filter(user=user, unit_id=unit_id, role__in=roles).exists()


@rules.predicate
def is_officer_of_track(user: User, track: TaskTrack) -> bool:
    """Only an officer (or leader) of the assigned unit writes for that unit's track."""
    return _has_role(user, track.unit_id, (Role.OFFICER, Role.LEADER))


@rules.predicate
def is_leader_of_report_unit(user: User, report: ProgressReport) -> bool:
    return _has_role(user, report.track.unit_id, (Role.LEADER,))


@rules.predicate
def is_reviewer_of_report(user: User, report: ProgressReport) -> bool:
    """A reviewer at a body that reviews all documents, or monitors this report's document."""
    reviewing = Membership.objects.filter(user=user, role=Role.REVIEWER)
    if reviewing.filter(unit__reviews_all=True).exists():
        return True
    document_id = report.track.task.document_id
    return reviewing.filter(unit__monitored_documents=document_id).exists()


rules.add_perm("tasks.write_report", is_officer_of_track)
rules.add_perm("tasks.approve_report", is_leader_of_report_unit)
# Reviewers comment and ask for explanations; only the unit's leaders return a submitted
# report or reopen an approved one (portal.workflow).
rules.add_perm("tasks.return_report", is_leader_of_report_unit)
rules.add_perm("tasks.reopen_report", is_leader_of_report_unit)
