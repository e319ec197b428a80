"""Every write to tasks, their assignments and tracks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, DateField, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import access_for, track_unit
from accounts.models import Unit, User, expand_units
from documents.models import Document
from notifications.services import notify
from portal import workflow
from portal.services import update_fields_if_changed
from portal.vietnamese import nfc, nfc_multiline
from portal.workflow import ApprovalState, Step, Workflow, WorkflowError, audited
from tasks.choices import AssignmentRole, DeadlineKind, ReportState
from tasks.deadlines import Deadline, parse_deadline
from tasks.models import (
    Comment,
    Evidence,
    ExplanationRequest,
    ProgressReport,
    Task,
    TaskAssignment,
    TaskTrack,
)

KEEP = object()  # "leave this field as it is" for upserts
logger = logging.getLogger(__name__)


def document_reference_date(document: Document) -> dt.date | None:
    """The date a deadline without a year is read against ("trong quý IV" means the year
    the document was issued)."""
    if document.issued_on:
        return document.issued_on
    if document.issued_year:
        return dt.date(document.issued_year, 1, 1)
    return None


def deadline_fields(deadline: Deadline) -> dict[str, Any]:
    """The Task columns that store a parsed deadline."""
    note = deadline.reason or deadline.event or deadline.extra
    return {
        "deadline_text": deadline.text,
        "deadline_kind": deadline.kind.value,
        "due_on": deadline.due_on,
        "starts_on": deadline.starts_on,
        "recurrence": deadline.recurrence.value if deadline.recurrence else "",
        "deadline_normalized": deadline.normalized[:300],
        "deadline_note": note[:300],
    }


@transaction.atomic
def task_upsert(
    *,
    document: Document,
    ref: str,
    title: str,
    description: str = "",
    position: int = 0,
    parent: Task | None = None,
    implements: Task | object | None = KEEP,
    deadline_text: str | None = "",
    leads: Sequence[tuple[Unit, str]] = (),
    coordinators: Sequence[tuple[Unit, str]] = (),
    members: dict[int, list[Unit]] | None = None,
) -> tuple[Task, bool]:
    """Create or update the task at ``ref`` in ``document`` with its assignments and one
    track per lead unit (a collective lead expands to its members, given in ``members``).

    The deadline phrase is kept as printed and parsed against the document's date; an
    unreadable phrase is stored as "unknown" with the reason. ``implements`` is left as it
    is unless given (links are set once every task exists). Nothing changes (and no
    history is written) when the task is already as given.
    """
    deadline = parse_deadline(deadline_text or "", document_reference_date(document))
    task = Task.objects.filter(document=document, ref=ref).first() or Task(
        document=document, ref=ref
    )
    fields: dict[str, Any] = {
        "title": nfc(title),
        "description": nfc_multiline(description),
        "position": position,
        "parent": parent,
        **deadline_fields(deadline),
    }
    if implements is not KEEP:
        fields["implements"] = implements
    changed = update_fields_if_changed(task, fields)
    changed |= _sync_assignments(task, AssignmentRole.LEAD, leads)
    changed |= _sync_assignments(task, AssignmentRole.COORDINATE, coordinators)
    if members is None:
        from accounts.selectors import group_members

        members = group_members()
    synced = task_sync_tracks(task=task, members=members)  # refreshes when tracks change
    if changed and not synced:
        open_due_refresh(task_ids=[task.pk])  # a new deadline or lead, the same tracks
    return task, changed or synced


def _sync_assignments(task: Task, role: str, units: Sequence[tuple[Unit, str]]) -> bool:
    existing = {a.unit_id: a for a in task.assignments.filter(role=role)}
    wanted: dict[int, tuple[int, Unit, str]] = {}
    for position, (unit, printed) in enumerate(units):
        wanted.setdefault(unit.pk, (position, unit, nfc(printed)))
    changed = False
    for unit_id, assignment in existing.items():
        if unit_id not in wanted:
            assignment.delete()
            changed = True
    for unit_id, (position, unit, printed) in wanted.items():
        assignment = existing.get(unit_id) or TaskAssignment(task=task, unit=unit, role=role)
        changed |= update_fields_if_changed(
            assignment, {"printed_name": printed, "position": position}
        )
    return changed


def tracks_wanted(leads: Iterable[Unit], members: dict[int, list[Unit]]) -> dict[int, Unit | None]:
    """The tracks a task's lead units call for: member unit id -> the collective lead it
    reports under (None when the unit leads in its own name)."""
    wanted: dict[int, Unit | None] = {}
    for lead in leads:
        for unit in expand_units([lead], members):
            wanted.setdefault(unit.pk, lead if lead.pk != unit.pk else None)
    return wanted


@transaction.atomic
def task_sync_tracks(*, task: Task, members: dict[int, list[Unit]]) -> bool:
    """One track per member unit of the lead units. Tracks that already hold reports are
    never deleted (their history must survive a re-assignment)."""
    leads = [
        a.unit for a in task.assignments.filter(role=AssignmentRole.LEAD).select_related("unit")
    ]
    wanted = tracks_wanted(leads, members)

    def plan() -> tuple[dict[int, TaskTrack], list[TaskTrack], list[int]]:
        existing = {t.unit_id: t for t in TaskTrack.objects.filter(task=task)}
        gone = [t for u, t in existing.items() if u not in wanted and not t.reports.exists()]
        stale = [
            u
            for u, via in wanted.items()
            if u not in existing or existing[u].via_id != (via.pk if via else None)
        ]
        return existing, gone, stale

    existing, gone, stale = plan()
    if not gone and not stale:
        return False  # nothing to write: no lock (a re-import leaves unchanged tasks free)
    lock_task(task.pk)
    existing, gone, stale = plan()  # again under the lock
    for track in gone:
        track.delete()
    for unit_id in stale:
        track = existing.get(unit_id) or TaskTrack(task=task, unit_id=unit_id)
        update_fields_if_changed(track, {"via": wanted[unit_id]})
    _refresh_completion(task)
    return True


def lock_task(*task_ids: int) -> None:
    """Take the tasks' row locks (in id order). Every write that changes a task's tracks or
    reports takes it first, so writers of one task queue in the same order (no deadlock)
    and each completion refresh runs after the other's commit and sees its tracks."""
    list(Task.objects.select_for_update().filter(pk__in=task_ids).order_by("pk").values("pk"))


class _TrackCompletion(Func):
    """The task's completion date from its tracks, in SQL: the latest (``MAX``) or earliest
    (``MIN``) track completion once every track is complete; NULL while one is open, and
    with no tracks (COUNT(*) = 0 = COUNT(date), and MAX over no rows is NULL). Plain SQL
    that PostgreSQL and SQLite read alike; the outer task's id is compiled by Django."""

    output_field = DateField()

    def __init__(self, aggregate: str) -> None:
        if aggregate not in ("MAX", "MIN"):
            raise ValueError(aggregate)
        track = TaskTrack._meta
        task_id = track.get_field("task").column
        completed = track.get_field("completed_on").column
        # Names from the model's metadata only: no input reaches the text.
        template = (
            f"(SELECT CASE WHEN COUNT(*) = COUNT(tr.{completed}) THEN {aggregate}(tr.{completed})"  # noqa: S608
            f" END FROM {track.db_table} tr WHERE tr.{task_id} = %(expressions)s)"
        )
        super().__init__(F("pk"), template=template)


_COMPLETION = {"completed_on": "MAX", "first_completed_on": "MIN"}


def _from_tracks() -> dict[str, _TrackCompletion]:
    """The completion columns as their tracks give them, for an UPDATE or an alias."""
    return {name: _TrackCompletion(aggregate) for name, aggregate in _COMPLETION.items()}


def _refresh_completion(task: Task) -> None:
    """Recompute ``task``'s completion and reload it into this copy, which the caller may
    save again (a stale copy would otherwise be the one written back)."""
    task_completion_refresh(task_ids=[task.pk])
    task.refresh_from_db(fields=list(_COMPLETION))


def task_completion_refresh(*, task_ids: Iterable[int]) -> int:
    """Recompute the tasks' completion dates from their tracks (one UPDATE). Called by every
    service that adds, removes or completes a track; the status lists read these columns.

    A task is completed on the day its last track was (a collective task is done when every
    track is done, and late when its last track was); ``first_completed_on`` is the earliest
    track's day, which judges a recurring task (its worst track is its earliest)."""
    ids = sorted(set(task_ids))
    if not ids:
        return 0
    # Locked first: a concurrent writer of the same task commits before this UPDATE reads
    # the tracks, so neither misses the other's track.
    lock_task(*ids)
    updated = Task.objects.filter(pk__in=ids).update(**_from_tracks())
    open_due_refresh(task_ids=ids)
    return updated


OPEN_DUE_FIELDS = ("open_due_on", "met_due_on", "met_late", "closed_status", "has_lead")
OPEN_DUE_CHUNK = 2000


def _open_due_rows(task_ids: Sequence[int]) -> list[Task]:
    """The tasks with what the status rule reads (document, tracks, approved reports):
    three queries for any number of tasks."""
    from django.db.models import Prefetch

    from tasks.selectors import approved_reports_prefetch

    return list(
        Task.objects.filter(pk__in=task_ids)
        .order_by("pk")
        .select_related("document")
        .defer("title", "description", "document__title", "document__full_text")
        .annotate(lead_count=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD)))
        .prefetch_related(
            Prefetch(
                "tracks",
                TaskTrack.objects.only("task_id", "completed_on"),
                to_attr="prefetched_tracks",
            ),
            approved_reports_prefetch(),
        )
    )


def _open_due_judge(tasks: Sequence[Task], today: dt.date) -> list[Task]:
    """Judge each task by the ONE rule; return those whose stored columns change."""
    from tasks.status_sql import stored_status_parts

    changed = []
    for task in tasks:
        parts = stored_status_parts(task, today)
        wanted = {
            "open_due_on": parts.open_due_on,
            "met_due_on": parts.met_due_on,
            "met_late": parts.met_late,
            "closed_status": parts.closed_status,
            "has_lead": task.lead_count > 0,  # type: ignore[attr-defined]
        }
        if any(getattr(task, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(task, name, value)
            changed.append(task)
    return changed


def _lead_copies_put_right(task_ids: Sequence[int] | None = None) -> int:
    """One UPDATE of the lead assignments whose copy of ``open_due_on`` differs from their
    task's (of ``task_ids``, or all): a lead added to a task whose own date did not change
    gets its copy too. Returns how many were put right."""
    leads = TaskAssignment.objects.filter(role=AssignmentRole.LEAD)
    if task_ids is not None:
        leads = leads.filter(task_id__in=task_ids)
    stale = leads.exclude(open_due_on__isnull=True, task__open_due_on__isnull=True).exclude(
        open_due_on=F("task__open_due_on")
    )
    return stale.update(
        open_due_on=Subquery(Task.objects.filter(pk=OuterRef("task_id")).values("open_due_on"))
    )


def _open_due_write(tasks: Sequence[Task], chunk: Sequence[int]) -> int:
    """One UPDATE of the tasks that changed and one of the chunk's stale lead copies;
    returns how many lead copies were put right."""
    if tasks:
        Task.objects.bulk_update(tasks, OPEN_DUE_FIELDS, batch_size=OPEN_DUE_CHUNK)
    return _lead_copies_put_right(chunk)


def open_due_refresh(*, task_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Recompute the tasks' stored status columns (``tasks.status_sql.StoredParts``) and
    their lead assignments' copy of ``open_due_on``, from the ONE status rule. A constant
    number of queries for any number of tasks (per OPEN_DUE_CHUNK): read in bulk, judge in
    Python, write with one bulk UPDATE. Called in the transaction of every write that can
    change them (report approval and reopening, task and deadline edits, events, tracks,
    documents' dates, lead assignments); returns how many rows changed (tasks, and lead
    assignments whose copy of the date differed, e.g. a lead just added)."""
    ids = sorted(set(task_ids))
    today = today or timezone.localdate()
    changed = 0
    for start in range(0, len(ids), OPEN_DUE_CHUNK):
        chunk = ids[start : start + OPEN_DUE_CHUNK]
        with transaction.atomic():
            # Locked first, as every writer of a task's tracks and reports does: a report
            # approved meanwhile commits before this reads, or waits for this to write.
            lock_task(*chunk)
            rows = _open_due_judge(_open_due_rows(chunk), today)
            copies = _open_due_write(rows, chunk)
        changed += len(rows) + copies
    return changed


def open_due_repair(*, today: dt.date | None = None) -> int:
    """Recompute every task's stored status columns and put right those that drifted (a
    write that went around the services, or a yearly duty with no start that starts afresh
    on 1 January). Returns how many were wrong; run daily by ``tasks.open_due_repair``
    (``manage.py open_due_repair``)."""
    today = today or timezone.localdate()
    ids = list(Task.objects.order_by("pk").values_list("pk", flat=True))
    fixed = open_due_refresh(task_ids=ids, today=today)
    if fixed:
        logger.warning(
            "Hạn còn mở của %d nhiệm vụ hoặc phân công chủ trì lệch với quy tắc; đã tính lại.",
            fixed,
        )
    return fixed


def task_completion_repair() -> int:
    """Put right every task whose stored completion dates differ from its tracks' (a write
    that went around the services). Returns how many were wrong; 0 is the normal answer.
    Run daily by the ``tasks.completion_repair`` job."""
    # NULL ("not completed") compares as a date no task is completed on.
    never = Value(dt.date.min)
    tasks = Task.objects.alias(
        **{f"stored_{name}": Coalesce(name, never) for name in _COMPLETION},
        **{f"tracks_{name}": Coalesce(expr, never) for name, expr in _from_tracks().items()},
    )
    stale = Q(pk__in=[])
    for name in _COMPLETION:
        stale |= ~Q(**{f"stored_{name}": F(f"tracks_{name}")})
    wrong = tasks.filter(stale)
    sample = list(wrong.values_list("pk", flat=True)[:20])
    if not sample:
        return 0
    fixed = Task.objects.filter(pk__in=wrong.values("pk")).update(**_from_tracks())
    logger.warning(
        "Ngày hoàn thành của %d nhiệm vụ lệch với phần việc; đã tính lại (ví dụ: %s).",
        fixed,
        sample,
    )
    return fixed


def user_may_record_event(user: User, task: Task) -> bool:
    """An officer or leader acting for a lead unit of the task, or a reviewer of its
    document (``tasks.rules``)."""
    return user.has_perm("tasks.record_event", task)


@transaction.atomic
def task_record_event(
    *,
    task: Task,
    event_on: dt.date,
    due_on: dt.date,
    user: User | None = None,
    today: dt.date | None = None,
) -> Task:
    """Record that the event an event-triggered task waits for has happened, and the due
    date it sets. Until then the task waits (chờ sự kiện): no delay after an event is
    invented. ``user`` None is the system (seed, tests); a person must be allowed
    (``user_may_record_event``)."""
    if user is not None and not user_may_record_event(user, task):
        raise NotAllowed(
            "Chỉ đơn vị chủ trì hoặc cơ quan theo dõi, giám sát mới được ghi nhận sự kiện."
        )
    if task.deadline_kind != DeadlineKind.EVENT:
        raise ReportError("Nhiệm vụ này không chờ sự kiện.")
    if today is not None and event_on > today:
        raise ReportError("Ngày sự kiện không được sau ngày hôm nay.")
    if due_on < event_on:
        raise ReportError("Hạn hoàn thành không được trước ngày sự kiện.")
    lock_task(task.pk)
    if update_fields_if_changed(task, {"event_on": event_on, "event_due_on": due_on}):
        open_due_refresh(task_ids=[task.pk])
    return task


# The workflow's refusals under the names pages, the API and the indicators app use.
ReportError = WorkflowError
StaleVersion = workflow.StaleVersion
NotAllowed = workflow.NotAllowed

REPORTS = Workflow(
    noun="báo cáo",
    model=ProgressReport,
    perms={
        Step.SAVE: (
            "tasks.write_report",
            "Chỉ cán bộ của đơn vị được giao mới được báo cáo phần việc này.",
        ),
        Step.SUBMIT: (
            "tasks.write_report",
            "Chỉ cán bộ của đơn vị được giao mới được gửi báo cáo này.",
        ),
        Step.WITHDRAW: (
            "tasks.write_report",
            "Chỉ cán bộ của đơn vị được giao mới được rút lại báo cáo này.",
        ),
        Step.APPROVE: ("tasks.approve_report", "Chỉ lãnh đạo đơn vị được duyệt báo cáo này."),
        Step.RETURN: ("tasks.return_report", "Chỉ lãnh đạo đơn vị được trả lại báo cáo này."),
        Step.REOPEN: (
            "tasks.reopen_report",
            "Chỉ lãnh đạo đơn vị được mở lại báo cáo đã duyệt.",
        ),
    },
    # An officer writes for a track; a leader decides on the report.
    perm_object=lambda report, step: (
        report.track if step in (Step.SAVE, Step.SUBMIT, Step.WITHDRAW) else report
    ),
    delegator=lambda user, report: access_for(user).delegated_by(track_unit(report.track)),
)


def _locked_report(report_id: int, version: int | None) -> ProgressReport:
    """The report locked for a change, its task's row lock taken first (as every writer of
    a task's tracks and reports does), checked against the version read."""
    task_id = ProgressReport.objects.filter(pk=report_id).values_list("track__task_id").first()
    if task_id is not None:
        lock_task(task_id[0])
    report: ProgressReport = REPORTS.lock(
        report_id, version, ProgressReport.objects.select_related("track")
    )
    return report


def check_progress(percent: int, completed_on: dt.date | None, today: dt.date | None) -> None:
    """The progress a report states: 0-100%, a completion date only at 100% and never in
    the future, and 100% only with its completion date (otherwise the task never counts as
    done)."""
    if not 0 <= percent <= 100:
        raise ReportError("Tỷ lệ hoàn thành phải từ 0 đến 100%.")
    if completed_on is None:
        if percent == 100:
            raise ReportError(
                "Báo cáo hoàn thành 100% cần ghi ngày hoàn thành (dd/mm/yyyy); "
                "không có ngày thì nhiệm vụ không được tính là đã hoàn thành."
            )
        return
    if today is not None and completed_on > today:
        raise ReportError("Ngày hoàn thành không được sau ngày hôm nay.")
    if percent != 100:
        raise ReportError("Đã có ngày hoàn thành thì tỷ lệ phải là 100%.")


@audited
def report_save_draft(
    *,
    track: TaskTrack,
    user: User,
    year: int,
    quarter: int,
    percent: int,
    narrative: str,
    completed_on: dt.date | None = None,
    version: int | None = None,
    today: dt.date,
) -> ProgressReport:
    """Create or update the draft report of ``track`` for one quarter.

    Updating needs the version the user read; a stale version is refused (StaleVersion) and
    both texts survive: the stored one, and the user's, which the caller shows back.
    """
    probe = ProgressReport(track=track, state=ApprovalState.DRAFT)
    REPORTS.check_perm(user, Step.SAVE, probe)
    # Two people creating the same quarter's first draft: the lock makes the second wait and
    # then find the first's report (a 409 for it, never a 500). The task first, as always.
    lock_task(track.task_id)
    TaskTrack.objects.select_for_update().filter(pk=track.pk).first()
    existing = ProgressReport.objects.filter(
        track=track, period_year=year, period_quarter=quarter
    ).first()
    if existing is not None:
        if version is None:
            raise StaleVersion("Báo cáo quý này đã có; hãy mở bản đang có để sửa.")
        report = _locked_report(existing.pk, version)
        REPORTS.check_state(Step.SAVE, report)
        report.version += 1
    else:
        report = ProgressReport(track=track, period_year=year, period_quarter=quarter, author=user)
    check_progress(percent, completed_on, today)
    report.percent = percent
    report.narrative = nfc_multiline(narrative)
    report.completed_on = completed_on
    report.state = ApprovalState.DRAFT
    report.updated_at = timezone.now()
    report._history_user = user  # type: ignore[attr-defined]
    report.full_clean()
    report.save()
    return report


@audited
def report_submit(*, report_id: int, user: User, version: int) -> ProgressReport:
    """The officer sends the draft (or the returned report) to the unit's leaders."""
    report = _locked_report(report_id, version)
    REPORTS.check_perm(user, Step.SUBMIT, report)
    REPORTS.check_state(Step.SUBMIT, report)
    if not report.narrative.strip():
        raise ReportError("Cần nhập kết quả thực hiện trước khi gửi.")
    check_progress(report.percent, report.completed_on, None)
    return REPORTS.apply(report, Step.SUBMIT, user=user)


@audited
def report_withdraw(*, report_id: int, user: User, version: int) -> ProgressReport:
    """The officer takes a submitted report back to draft before the leader decides."""
    return REPORTS.apply(_locked_report(report_id, version), Step.WITHDRAW, user=user)


@audited
def report_approve(*, report_id: int, user: User, version: int) -> ProgressReport:
    """A leader of the unit approves: only approved progress counts toward status."""
    report = _locked_report(report_id, version)
    REPORTS.check_perm(user, Step.APPROVE, report)
    REPORTS.check_state(Step.APPROVE, report)
    check_progress(report.percent, report.completed_on, None)
    report = REPORTS.apply(report, Step.APPROVE, user=user)
    _refresh_track(report.track)
    return report


@audited
def report_return(*, report_id: int, user: User, version: int, reason: str) -> ProgressReport:
    """A leader of the unit returns a submitted report with a reason. Reviewers comment and
    ask for explanations; they do not return reports."""
    return REPORTS.apply(_locked_report(report_id, version), Step.RETURN, user=user, reason=reason)


@audited
def report_reopen(*, report_id: int, user: User, version: int, reason: str) -> ProgressReport:
    """Only a leader of the unit reopens an approved report, with a reason: it goes back to
    the officer as returned and stops counting (the track falls back to the latest approved
    report). The reopening, its author and reason stay in the report's history."""
    report = REPORTS.apply(
        _locked_report(report_id, version), Step.REOPEN, user=user, reason=reason
    )
    _refresh_track(report.track)
    return report


def report_previous(*, track: TaskTrack, year: int, quarter: int) -> ProgressReport | None:
    """The report to copy into a new quarter's draft: the track's latest report before that
    quarter ("copy last quarter's report")."""
    before = Q(period_year__lt=year) | Q(period_year=year, period_quarter__lt=quarter)
    return (
        ProgressReport.objects.filter(before, track=track)
        .order_by("-period_year", "-period_quarter")
        .first()
    )


def _refresh_track(track: TaskTrack) -> None:
    """The track mirrors its latest approved report (percent and completion date)."""
    latest = (
        track.reports.filter(state=ReportState.APPROVED)
        .order_by("-period_year", "-period_quarter")
        .first()
    )
    update_fields_if_changed(
        track,
        {
            "percent": latest.percent if latest else 0,
            "completed_on": latest.completed_on if latest else None,
        },
    )
    task_completion_refresh(task_ids=[track.task_id])


@transaction.atomic
def task_save(*, task: Task) -> Task:
    """Save a task edited by hand (admin): the deadline is re-read from the printed phrase."""
    deadline = parse_deadline(task.deadline_text, document_reference_date(task.document))
    for name, value in deadline_fields(deadline).items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    # The form's copy of the task may predate an approval: its completion comes from the
    # tracks, never from the form.
    _refresh_completion(task)
    return task


MAX_EVIDENCE_FILES = 10


@audited
def evidence_add(*, report_id: int, user: User, name: str, data: bytes) -> Evidence:
    """Attach a file to a draft or returned report of the user's unit. The real type is
    checked (tasks.evidence.sniff); a refused file changes nothing."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    from tasks.evidence import EvidenceRejected, sniff

    report = _locked_report(report_id, None)
    if not user.has_perm("tasks.write_report", report.track):
        raise NotAllowed("Chỉ cán bộ của đơn vị được giao mới được nộp minh chứng.")
    if report.state not in REPORTS.sources(Step.SAVE):
        raise ReportError("Chỉ thêm minh chứng vào bản nháp hoặc báo cáo bị trả lại.")
    if report.evidence.count() >= MAX_EVIDENCE_FILES:
        raise ReportError(f"Mỗi báo cáo tối đa {MAX_EVIDENCE_FILES} tệp minh chứng.")
    try:
        kind = sniff(name, data, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except EvidenceRejected as exc:
        raise ReportError(str(exc)) from exc
    evidence = Evidence(
        report=report,
        original_name=nfc(name)[:255],
        content_type=kind.content_type,
        size=len(data),
        uploaded_by=user,
    )
    evidence.file.save("evidence", ContentFile(data), save=False)
    evidence.full_clean()
    evidence.save()
    return evidence


@audited
def comment_add(*, task: Task, user: User, text: str) -> Comment:
    """A remark on a task the user can see (the caller scopes ``task``)."""
    text = nfc_multiline(text)
    if not text:
        raise ReportError("Ý kiến không được để trống.")
    comment = Comment(task=task, author=user, text=text[:5000])
    comment.full_clean()
    comment.save()
    return comment


@audited
def report_save(
    *,
    track: TaskTrack,
    user: User,
    year: int,
    quarter: int,
    percent: int,
    narrative: str,
    completed_on: dt.date | None,
    version: int | None,
    today: dt.date,
    files: Sequence[tuple[str, bytes]] = (),
    submit: bool = False,
) -> ProgressReport:
    """The page's one action: save the draft, attach the files, optionally submit, all or
    nothing (a refused file leaves the earlier report as it was)."""
    report = report_save_draft(
        track=track,
        user=user,
        year=year,
        quarter=quarter,
        percent=percent,
        narrative=narrative,
        completed_on=completed_on,
        version=version,
        today=today,
    )
    for name, data in files:
        evidence_add(report_id=report.pk, user=user, name=name, data=data)
    if submit:
        report = report_submit(report_id=report.pk, user=user, version=report.version)
    return report


@audited
def explanation_request(
    *, task: Task, unit: Unit, user: User, question: str, answer_by: dt.date, today: dt.date
) -> ExplanationRequest:
    """A reviewer of the task's document asks its lead unit to explain, by a date."""
    if not user.has_perm("tasks.request_explanation", task):
        raise NotAllowed("Chỉ cơ quan theo dõi, giám sát mới được yêu cầu giải trình.")
    if not task.assignments.filter(role=AssignmentRole.LEAD, unit=unit).exists():
        raise ReportError("Chỉ yêu cầu đơn vị chủ trì của nhiệm vụ giải trình.")
    question = nfc_multiline(question)
    if not question:
        raise ReportError("Cần ghi nội dung yêu cầu giải trình.")
    if answer_by <= today:
        raise ReportError("Hạn giải trình phải sau ngày hôm nay.")
    request = ExplanationRequest(
        task=task, unit=unit, question=question, answer_by=answer_by, requested_by=user
    )
    request.full_clean()
    request.save()
    notify("explanation_requested", request, actor=user, note=question, today=today)
    return request


@audited
def explanation_answer(*, request_id: int, user: User, answer: str) -> ExplanationRequest:
    """An officer or leader of the asked unit answers (once; a later answer replaces it)."""
    request = ExplanationRequest.objects.select_for_update().get(pk=request_id)
    if not access_for(user).acts_for(request.unit_id):
        raise NotAllowed("Chỉ đơn vị được yêu cầu mới giải trình.")
    answer = nfc_multiline(answer)
    if not answer:
        raise ReportError("Nội dung giải trình không được để trống.")
    request.answer = answer
    request.answered_by = user
    request.answered_at = timezone.now()
    request.full_clean()
    request.save()
    notify("explanation_answered", request, actor=user, note=answer)
    return request


@transaction.atomic
def track_hand_over(*, track: TaskTrack, unit: Unit, user: User, today: dt.date) -> TaskTrack:
    """Hand an open track of a unit that was split or abolished to the unit that answers for
    it from now on (a person picks it; nothing guesses). The unit assigned stays on record;
    the unit picked then sees, reports on and is reminded of the track.

    Administrators and the reviewers of the task's document may do it.
    """
    from accounts.access import load_successions

    if not user.has_perm("tasks.hand_over_track", track.task):
        raise NotAllowed(
            "Chỉ quản trị hoặc cơ quan theo dõi văn bản mới được chuyển giao phần việc."
        )
    lock_task(track.task_id)
    track = TaskTrack.objects.select_for_update().get(pk=track.pk)
    successions = load_successions()
    if not successions.has_ended(track.unit_id, today):
        raise ReportError("Đơn vị được giao vẫn đang hoạt động: không cần chuyển giao.")
    if successions.has_ended(unit.pk, today):
        raise ReportError(f"{unit.name} đã được sắp xếp lại: hãy chọn đơn vị hiện nay.")
    heirs = successions.successors(track.unit_id, today)
    if len(heirs) > 1 and unit.pk not in heirs:
        raise ReportError("Đơn vị được chia tách: chọn một trong các đơn vị kế thừa.")
    if track.completed_on is not None:
        raise ReportError("Phần việc đã hoàn thành: giữ nguyên đơn vị đã thực hiện.")
    track.handed_to = unit
    track.handed_on = today
    track._history_user = user  # type: ignore[attr-defined]
    track.full_clean()
    track.save(update_fields=["handed_to", "handed_on"])
    return track
