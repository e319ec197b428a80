"""One approval workflow for the two things staff send up for approval: progress reports
(tasks) and indicator values (indicators).

An officer saves a draft and submits it; a leader of the unit approves it or returns it with
a reason; the officer may withdraw a submitted one; an approved one is reopened only by the
unit's leader, with a reason (reviewers comment and ask for explanations, they do not
return). Each subject is a ``Workflow`` (its noun, its permissions); the states, the moves
between them, the lock with its version check and the refusal audit are written here once.

Every action runs inside ``audited``: a refused permission check is recorded in the audit
log whether the page or the API called it, after the refused transaction has rolled back.
"""

from __future__ import annotations

import enum
import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.vietnamese import nfc_multiline

REASON_MAX = 2000  # a return or reopening reason, the same for every subject
HISTORY_REASON_MAX = 100  # django-simple-history's change-reason column


class ApprovalState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã gửi")
    APPROVED = "approved", _("Đã duyệt")
    RETURNED = "returned", _("Trả lại")


class Step(enum.StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    refused: str  # "{noun}" is the subject's noun


S = ApprovalState
MOVES: Mapping[Step, Move] = {
    Step.SAVE: Move(
        frozenset({S.DRAFT, S.RETURNED}),
        S.DRAFT,
        "{Noun} đã gửi, đang chờ duyệt hoặc đã duyệt, không sửa được.",
    ),
    Step.SUBMIT: Move(
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        "Chỉ gửi được bản nháp hoặc {noun} bị trả lại.",
    ),
    Step.WITHDRAW: Move(
        frozenset({S.SUBMITTED}), S.DRAFT, "Chỉ rút lại được {noun} đã gửi, chưa duyệt."
    ),
    Step.APPROVE: Move(frozenset({S.SUBMITTED}), S.APPROVED, "Chỉ duyệt được {noun} đã gửi."),
    Step.RETURN: Move(
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        "Chỉ trả lại được {noun} đã gửi, chưa duyệt; {noun} đã duyệt chỉ lãnh đạo đơn vị "
        "mở lại được.",
    ),
    Step.REOPEN: Move(frozenset({S.APPROVED}), S.RETURNED, "Chỉ mở lại được {noun} đã duyệt."),
}
DECIDING = frozenset({Step.APPROVE, Step.RETURN, Step.REOPEN})
WITH_REASON = {Step.RETURN: "trả lại", Step.REOPEN: "mở lại"}


class WorkflowError(Exception):
    """An action that is refused; ``message`` is for the user (Vietnamese). Nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.audited = False


class StaleVersion(WorkflowError):
    """Someone saved the row since this version was read: nothing was changed (409)."""


class NotAllowed(WorkflowError):
    """The user may not do this to this row (403); recorded in the audit log."""


@dataclass(frozen=True)
class Workflow:
    """One subject of the workflow: what it is called and which permission each step needs.

    ``perms`` maps a step to (permission name, refusal message); ``perm_object`` gives the
    object a permission is checked against (a report's write permission is its track's).
    ``corrects_approved``: an officer's correction of an approved row saves a new draft (the
    approved one stays in history) instead of waiting for the leader to reopen it.
    ``delegator`` gives the user id of the leader whose delegation (ủy quyền, from the access
    module) lets ``user`` decide on ``obj``, or None: every decision records it
    (``on_behalf_of``), in the row and its history. A deputy never decides on a row they
    wrote themselves (``author``: the field naming who wrote it): the delegation lets them
    decide for the leader, not approve their own work.
    """

    noun: str
    model: type[models.Model]
    perms: Mapping[Step, tuple[str, str]]
    perm_object: Callable[[Any, Step], object] = lambda obj, step: obj
    corrects_approved: bool = False
    delegator: Callable[[Any, Any], int | None] = lambda user, obj: None
    author: str = "author"
    stale: str = (
        "{Noun} đã được người khác cập nhật (phiên bản {current}, bạn đang sửa phiên bản "
        "{read}). Hãy tải lại và nhập lại phần thay đổi của bạn; nội dung bạn vừa gửi chưa "
        "được lưu."
    )

    def _text(self, template: str, **values: object) -> str:
        return template.format(noun=self.noun, Noun=self.noun[:1].upper() + self.noun[1:], **values)

    def sources(self, step: Step) -> frozenset[str]:
        sources = MOVES[step].sources
        if step == Step.SAVE and self.corrects_approved:
            sources = sources | {S.APPROVED}
        return sources

    def state_allows(self, step: Step, obj: Any) -> bool:
        return obj.state in self.sources(step)

    def allowed(self, user: Any, step: Step, obj: Any) -> bool:
        """May ``user`` take ``step`` on ``obj`` now (its state and their permission)? For
        pages' ``can_*`` flags; the action itself checks again under the lock."""
        if obj.state not in self.sources(step):
            return False
        perm = self.perms.get(step)
        if perm is not None and not user.has_perm(perm[0], self.perm_object(obj, step)):
            return False
        return not self.deputy_on_own(user, step, obj)

    def deputy_on_own(self, user: Any, step: Step, obj: Any) -> bool:
        """Would ``user`` decide, only as a deputy, on a row they wrote themselves?"""
        return (
            step in DECIDING
            and getattr(obj, f"{self.author}_id", None) == user.pk
            and self.delegator(user, obj) is not None
        )

    def check_perm(self, user: Any, step: Step, obj: Any) -> None:
        perm = self.perms.get(step)
        if perm is not None and not user.has_perm(perm[0], self.perm_object(obj, step)):
            raise NotAllowed(perm[1])
        if self.deputy_on_own(user, step, obj):
            raise NotAllowed(
                self._text(
                    "Người được ủy quyền không tự quyết định {noun} do chính mình lập; "
                    "lãnh đạo đơn vị hoặc người được ủy quyền khác quyết định."
                )
            )

    def check_state(self, step: Step, obj: Any) -> None:
        if obj.state not in self.sources(step):
            raise WorkflowError(self._text(MOVES[step].refused))

    def lock(self, pk: int, version: int | None, queryset: models.QuerySet | None = None) -> Any:
        """The row, locked (SELECT ... FOR UPDATE) and checked against the version the user
        read: a stale version is refused and nothing is written."""
        rows = queryset if queryset is not None else self.model._default_manager.all()
        obj = rows.select_for_update().filter(pk=pk).first()
        if obj is None:
            raise WorkflowError(self._text("Không tìm thấy {noun} này."))
        if version is not None and obj.version != version:
            raise StaleVersion(self._text(self.stale, current=obj.version, read=version))
        return obj

    def clean_reason(self, step: Step, reason: str) -> str:
        verb = WITH_REASON[step]
        reason = nfc_multiline(reason)
        if not reason:
            raise WorkflowError(f"Cần ghi lý do {verb}.")
        if len(reason) > REASON_MAX:
            raise WorkflowError(f"Lý do {verb} tối đa {REASON_MAX} ký tự (đang có {len(reason)}).")
        return reason

    def apply(self, obj: Any, step: Step, *, user: Any, reason: str = "") -> Any:
        """Take ``step`` on the locked ``obj``: permission, state, reason, then the new state,
        a new version and who decided; saved (its history record carries the reason), and
        the people concerned notified in the same transaction."""
        self.check_perm(user, step, obj)
        self.check_state(step, obj)
        if step in WITH_REASON:
            reason = self.clean_reason(step, reason)
            obj.return_reason = reason
            label = "Mở lại" if step == Step.REOPEN else "Trả lại"
            obj._change_reason = f"{label}: {reason}"[:HISTORY_REASON_MAX]
        now = timezone.now()
        obj._history_user = user  # the history names who acted, page, API or job alike
        obj.state = MOVES[step].target
        obj.version += 1
        if step in DECIDING:
            obj.decided_by = user
            obj.decided_at = now
            obj.on_behalf_of_id = self.delegator(user, obj)
        if step == Step.SUBMIT and hasattr(obj, "submitted_at"):
            obj.submitted_at = now
        if step == Step.WITHDRAW and hasattr(obj, "submitted_at"):
            obj.submitted_at = None
        obj.save()
        # Who hears of it (the unit's leaders of a submission, the author of a decision),
        # in this transaction; the registry (notifications.kinds) says which step sends what.
        from notifications.services import notify_step

        notify_step(obj, step, actor=user, note=obj.return_reason if step in WITH_REASON else "")
        return obj


# --------------------------------------------------------------------------- audit

_local = threading.local()
P = ParamSpec("P")
R = TypeVar("R")


def audited(action: Callable[P, R]) -> Callable[P, R]:
    """Run ``action`` in a transaction; a refused permission check (NotAllowed) is recorded
    in the audit log once the outermost audited action has rolled back, so the record
    survives and the page and the API record the same refusals."""

    @functools.wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = getattr(_local, "depth", 0)
        if depth == 0:
            _local.pending = []
        _local.depth = depth + 1
        try:
            with transaction.atomic():
                return action(*args, **kwargs)
        except NotAllowed as exc:
            if not exc.audited:
                exc.audited = True
                _local.pending.append((kwargs.get("user"), f"{action.__name__}: {exc.message}"))
            raise
        finally:
            _local.depth = depth
            if depth == 0:
                pending, _local.pending = _local.pending, []
                _record_refusals(pending)

    return run


def _record_refusals(pending: list[tuple[Any, str]]) -> None:
    if not pending:
        return
    from simple_history.models import HistoricalRecords

    from accounts.audit import record
    from accounts.models import AuditEvent

    # The request, when there is one (its address); simple-history's middleware keeps it.
    request = getattr(HistoricalRecords.context, "request", None)
    for user, detail in pending:
        record(AuditEvent.Action.REFUSED, request=request, user=user, detail=detail)
