"""Who may write what, as rules predicates (checked by the services, shared by page and API).

Who acts for which unit is the access module's rule (``accounts.access``); these predicates
only say which of its answers each action needs.
"""

from __future__ import annotations

import rules

from accounts.access import access_for, track_unit
from accounts.models import User
from tasks.choices import AssignmentRole
from tasks.models import ProgressReport, Task, TaskTrack


@rules.predicate
def is_officer_of_track(user: User, track: TaskTrack) -> bool:
    """Only an officer (or leader) acting for the track's unit writes for it: the unit
    assigned, its successor after a merger, or the unit the track was handed to."""
    return access_for(user).acts_for_track(track)


@rules.predicate
def is_leader_of_report_unit(user: User, report: ProgressReport) -> bool:
    return access_for(user).leads_track(report.track)


@rules.predicate
def is_reviewer_of_report(user: User, report: ProgressReport) -> bool:
    """A reviewer of the report's document (its monitoring body, a body that reviews all)."""
    return access_for(user).reviews_document(report.track.task.document_id)


@rules.predicate
def is_reviewer_of_task(user: User, task: object) -> bool:
    """A reviewer of the task's document, or an administrator."""
    return access_for(user).reviews_document(getattr(task, "document_id", None))


@rules.predicate
def acts_for_a_lead_of_task(user: User, task: Task) -> bool:
    """An officer or leader acting for one of the task's lead units or for one of its
    tracks (a successor, or the unit a track was handed to)."""
    access = access_for(user)
    leads = {a.unit_id for a in task.assignments.all() if a.role == AssignmentRole.LEAD} | {
        track_unit(t) for t in task.tracks.all()
    }
    return bool(access.acting & leads)


@rules.predicate
def decides_extension_of_task(user: User, task: Task) -> bool:
    """A leader (or a deputy under a delegation) of the body that assigned the task (the
    unit that issued its document), or a reviewer of its document."""
    return access_for(user).decides_extensions(task.document_id, task.document.issuer_id)


def lead_units_acted_for(user: User, task: Task) -> list[int]:
    """The task's lead units (and tracks' units) the user acts for, in order: those in
    whose name they may ask for an extension."""
    access = access_for(user)
    units = [a.unit_id for a in task.assignments.all() if a.role == AssignmentRole.LEAD]
    units += [track_unit(t) for t in task.tracks.all()]
    return [u for u in dict.fromkeys(units) if access.acts_for(u)]


rules.add_perm("tasks.write_report", is_officer_of_track)
rules.add_perm("tasks.approve_report", is_leader_of_report_unit)
# Reviewers comment and ask for explanations; only the unit's leaders return a submitted
# report or reopen an approved one (portal.workflow).
rules.add_perm("tasks.return_report", is_leader_of_report_unit)
rules.add_perm("tasks.reopen_report", is_leader_of_report_unit)
rules.add_perm("tasks.request_explanation", is_reviewer_of_task)
rules.add_perm("tasks.hand_over_track", is_reviewer_of_task)
rules.add_perm("tasks.record_event", acts_for_a_lead_of_task | is_reviewer_of_task)
# Extensions (đề nghị gia hạn): a lead unit asks; the assigning body or a reviewer decides.
rules.add_perm("tasks.request_extension", acts_for_a_lead_of_task)
rules.add_perm("tasks.decide_extension", decides_extension_of_task)
