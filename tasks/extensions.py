"""Deadline extensions (đề nghị gia hạn): a lead unit asks, the body that assigned the task
(the leaders of its document's issuing unit, or a deputy they delegated to) or a reviewer
of the document decides.

Rules (the in-time test is pure: ``tasks.status.extension_in_time``):
- Extended are tasks with one due date: DATE and PERIOD, EVENT once its event and due date
  are recorded, and tasks due at their document's horizon. Recurring duties are judged per
  occurrence and are not extended; routine, waiting and undated tasks have no date to move.
- One open request per task; a finished task needs none.
- The due date in force when asked is kept on the request (``original_due_on``); the task's
  printed, event or horizon date is never changed. An approval on or before that date, of a
  request made on or before it, sets ``Task.extended_due_on``, which status reads; a request
  or approval after it passed is recorded and changes nothing about status.
- Every decision records who took it and, under a delegation, the delegating leader.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Unit, User
from portal.vietnamese import nfc_multiline
from portal.workflow import HISTORY_REASON_MAX, REASON_MAX, NotAllowed, WorkflowError, audited
from tasks.choices import DeadlineKind
from tasks.deadlines import DeadlineKind as PureKind
from tasks.models import DeadlineExtension, ExtensionState, Task
from tasks.rules import lead_units_acted_for
from tasks.services import lock_task, open_due_refresh
from tasks.status import extension_in_time
from tasks.status_sql import stored_deadline

ExtensionError = WorkflowError

NOT_EXTENDED = {
    DeadlineKind.RECURRING: (
        "Nhiệm vụ định kỳ được đánh giá theo từng kỳ thực hiện nên không gia hạn; "
        "kỳ nào chưa đáp ứng thì báo cáo, giải trình theo kỳ đó."
    ),
    DeadlineKind.ONGOING: "Nhiệm vụ thường xuyên không có hạn hoàn thành để gia hạn.",
    DeadlineKind.EVENT: (
        "Nhiệm vụ đang chờ sự kiện: hãy ghi nhận sự kiện và hạn hoàn thành trước khi đề nghị "
        "gia hạn."
    ),
    DeadlineKind.UNKNOWN: "Nhiệm vụ chưa xác định thời hạn nên chưa gia hạn được.",
}


def due_in_force(task: Task) -> dt.date | None:
    """The due date an extension would move: the printed one, the recorded event's, the
    document horizon's, or an earlier extension's. None for a task that is not extended."""
    if task.deadline_kind == DeadlineKind.EVENT:
        return (task.extended_due_on or task.event_due_on) if task.event_due_on else None
    if task.deadline_kind == DeadlineKind.RECURRING:
        return None
    deadline = stored_deadline(task)  # a task due at its document's horizon reads as a date
    return deadline.due_on if deadline.kind in (PureKind.DATE, PureKind.PERIOD) else None


def not_extended_reason(task: Task) -> str:
    """Why the task cannot be extended ("" when it can)."""
    if due_in_force(task) is not None:
        return ""
    return NOT_EXTENDED.get(DeadlineKind(task.deadline_kind), NOT_EXTENDED[DeadlineKind.UNKNOWN])


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


def _clean_text(text: str, what: str, *, required: bool) -> str:
    text = nfc_multiline(text)
    if required and not text:
        raise ExtensionError(f"Cần ghi {what}.")
    if len(text) > REASON_MAX:
        raise ExtensionError(
            f"{what.capitalize()} tối đa {REASON_MAX} ký tự (đang có {len(text)})."
        )
    return text


@audited
def extension_request(
    *,
    task: Task,
    user: User,
    unit: Unit,
    reason: str,
    proposed_due_on: dt.date,
) -> DeadlineExtension:
    """An officer or leader acting for a lead unit of the task asks, with a reason, to move
    its due date to ``proposed_due_on``."""
    if not user.has_perm("tasks.request_extension", task):
        raise NotAllowed("Chỉ đơn vị chủ trì nhiệm vụ mới được đề nghị gia hạn.")
    if unit.pk not in lead_units_acted_for(user, task):
        raise NotAllowed("Chỉ đề nghị gia hạn nhân danh đơn vị chủ trì mà bạn thuộc về.")
    reason = _clean_text(reason, "lý do đề nghị gia hạn", required=True)
    lock_task(task.pk)
    task = Task.objects.select_related("document").get(pk=task.pk)
    if task.completed_on is not None:
        raise ExtensionError("Nhiệm vụ đã hoàn thành: không cần gia hạn.")
    due = due_in_force(task)
    if due is None:
        raise ExtensionError(not_extended_reason(task))
    if DeadlineExtension.objects.filter(task=task, state=ExtensionState.REQUESTED).exists():
        raise ExtensionError("Nhiệm vụ đã có đề nghị gia hạn đang chờ quyết định.")
    if proposed_due_on <= due:
        raise ExtensionError(f"Hạn đề nghị phải sau hạn hiện hành ({due:%d/%m/%Y}).")
    extension = DeadlineExtension(
        task=task,
        unit=unit,
        requested_by=user,
        reason=reason,
        original_due_on=due,
        proposed_due_on=proposed_due_on,
    )
    extension._history_user = user  # type: ignore[attr-defined]
    extension.full_clean()
    extension.save()
    return extension


def may_decide(user: User, task: Task) -> bool:
    return bool(user.has_perm("tasks.decide_extension", task))


def _decider_on_behalf_of(user: User, task: Task) -> int | None:
    """The delegating leader, when the user decides only as a deputy of the assigning body
    (a reviewer decides in their own right)."""
    access = access_for(user)
    if access.reviews_document(task.document_id):
        return None
    return access.delegated_by(task.document.issuer_id)


def _decide(
    *, extension_id: int, user: User, approve: bool, note: str, today: dt.date
) -> DeadlineExtension:
    task_id = (
        DeadlineExtension.objects.filter(pk=extension_id).values_list("task_id", flat=True).first()
    )
    if task_id is None:
        raise ExtensionError("Không tìm thấy đề nghị gia hạn này.")
    lock_task(task_id)
    extension = (
        DeadlineExtension.objects.select_for_update(of=("self",))
        .select_related("task__document")
        .get(pk=extension_id)
    )
    task = extension.task
    if not may_decide(user, task):
        raise NotAllowed(
            "Chỉ lãnh đạo cơ quan giao nhiệm vụ (ban hành văn bản) hoặc cơ quan theo dõi, "
            "giám sát mới được quyết định gia hạn."
        )
    if extension.state != ExtensionState.REQUESTED:
        raise ExtensionError("Đề nghị gia hạn này đã được quyết định.")
    if extension.requested_by_id == user.pk:
        raise NotAllowed("Người đề nghị gia hạn không tự quyết định đề nghị của mình.")
    in_force = due_in_force(task)
    if approve and in_force != extension.original_due_on:
        # The deadline changed since the request (an event recorded again, an edit, an
        # import): the request was judged against a date no longer in force.
        shown = f"{in_force:%d/%m/%Y}" if in_force else "không còn hạn để gia hạn"
        raise ExtensionError(
            f"Hạn của nhiệm vụ đã thay đổi từ khi đề nghị (nay: {shown}); chỉ có thể không "
            "đồng ý, đơn vị chủ trì đề nghị lại theo hạn mới."
        )
    verb = "đồng ý" if approve else "không đồng ý"
    extension.decision_note = _clean_text(
        note, f"lý do {verb}" if not approve else "ý kiến", required=not approve
    )
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.on_behalf_of_id = _decider_on_behalf_of(user, task)
    extension.applies = approve and extension_in_time(
        extension.original_due_on,
        requested_on=_local_date(extension.requested_at),
        approved_on=today,
    )
    extension._history_user = user  # type: ignore[attr-defined]
    extension.full_clean()
    extension.save()
    if extension.applies:
        task.extended_due_on = extension.proposed_due_on
        task._history_user = user  # type: ignore[attr-defined]
        task._change_reason = (
            f"Gia hạn đến {extension.proposed_due_on:%d/%m/%Y} theo đề nghị ngày "
            f"{_local_date(extension.requested_at):%d/%m/%Y}"
        )[:HISTORY_REASON_MAX]  # type: ignore[attr-defined]
        task.save(update_fields=["extended_due_on"])
        open_due_refresh(task_ids=[task.pk])  # the stored open due date lists judge by
    return extension


@audited
def extension_approve(
    *, extension_id: int, user: User, note: str = "", today: dt.date
) -> DeadlineExtension:
    """The assigning body or a reviewer agrees. In time (``extension_in_time``) the task is
    due on the proposed date from now on; otherwise the approval is recorded and the task
    is judged as before."""
    return _decide(extension_id=extension_id, user=user, approve=True, note=note, today=today)


@audited
def extension_refuse(
    *, extension_id: int, user: User, note: str, today: dt.date
) -> DeadlineExtension:
    """The assigning body or a reviewer refuses, with a reason; nothing else changes."""
    return _decide(extension_id=extension_id, user=user, approve=False, note=note, today=today)


# --------------------------------------------------------------------------- reads


def extensions_awaiting(user: User) -> QuerySet[DeadlineExtension]:
    """Open requests this user may decide: on tasks of documents their unit issued (as a
    leader or deputy) or that they review."""
    open_ = DeadlineExtension.objects.filter(state=ExtensionState.REQUESTED)
    documents = access_for(user).extension_documents("task__document__")
    return open_ if documents is None else open_.filter(documents)
