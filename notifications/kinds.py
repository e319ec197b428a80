"""The one registry of notification kinds: the reminders the daily scan plans and the
notifications the approval workflow and the explanation requests send.

Each kind is one entry: its code (stored on ``Reminder.kind``), its Vietnamese label, its
mail subject (a ``str.format`` template: ``{title}``, ``{days}``, ``{count}``, ``{date}``,
``{actor}``), its bodies (``templates/notifications/mail/<code>.txt`` and ``.html``), who
receives it, whether a user may mute it, and what it links to. ``notifications.models.Kind``
(the choices) and ``MUTABLE_KINDS`` are read from here; adding a kind touches this module
and its two templates.

Recipients are found through ``accounts.access`` (the ``Directory`` behind
``notifications.planning.People``): the same rule as the pages, so a notification reaches
exactly the people who may act on what it names. The person who acted is never notified of
their own action (``notifications.services.notify``).

Decisions
---------
- A withdrawn report notifies nobody: the officer takes back what the leader had not
  decided yet; the leader's "submitted" notification is not sent any more (it is re-checked
  at send time: a report no longer waiting says nothing) and the queue no longer lists it.
- Kinds that ask someone to act (a returned or reopened report or value, an explanation
  requested) cannot be muted; news of a decision or a submission can.
- The daily digest is the envelope of the other kinds, not a kind a user mutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


def _(label: str) -> str:
    """Marks a label for ``makemessages``; ``notifications.models.Kind`` translates it (this
    module imports nothing from Django, so the pure schedule module can read its codes)."""
    return label


class Audience(Protocol):
    """Who is who today (``notifications.planning.People``)."""

    def officers(self, unit_id: int, *, fallback: bool = True) -> list[Any]: ...
    def leaders(self, unit_id: int) -> list[Any]: ...
    def track_leaders(self, track: Any) -> list[Any]: ...
    def value_leaders(self, value: Any) -> list[Any]: ...


Recipients = Callable[[Audience, Any], Iterable[Any]]


class Link:
    """What a notification links to (``notifications.composing.link_for`` builds the URL)."""

    TASK = "task"  # the task's page
    REPORT = "report"  # the report on its task's page
    VALUE = "value"  # the value on its indicator's page
    EXPLANATION = "explanation"  # the explanation requests on the task's page
    MY_TASKS = "my_tasks"  # "Việc của tôi" (the quarter report: every task of the unit)
    OVERDUE_REVIEW = "overdue_review"  # the reviewers' overdue page
    INBOX = "inbox"  # the notification list (the daily digest)


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str  # Vietnamese; translated through notifications.models.Kind
    subject: str
    audience: str  # who receives it, in words (the registry's documentation)
    link: str
    mutable: bool = True
    # Found by the workflow and explanation services for the subject of the action
    # (``notify``); None for the kinds the daily scan plans (it finds their recipients).
    recipients: Recipients | None = None
    about: str = ""  # the subject of an event kind: "report", "value" or "explanation"
    actor_label: str = ""  # how its mail names who acted ("Người duyệt")
    note_label: str = ""  # and what they wrote ("Lý do trả lại"); none: nothing written

    @property
    def name(self) -> str:
        return self.code.upper()

    @property
    def templates(self) -> tuple[str, str]:
        """The text and HTML bodies."""
        base = f"notifications/mail/{self.code}"
        return f"{base}.txt", f"{base}.html"

    @property
    def event(self) -> bool:
        return self.recipients is not None


def _report_leaders(people: Audience, report: Any) -> list[Any]:
    return people.track_leaders(report.track)


def _report_author(people: Audience, report: Any) -> list[Any]:
    return [report.author]


def _value_leaders(people: Audience, value: Any) -> list[Any]:
    return people.value_leaders(value)


def _value_author(people: Audience, value: Any) -> list[Any]:
    return [value.entered_by]


def _asked_unit(people: Audience, request: Any) -> list[Any]:
    officers = people.officers(request.unit_id, fallback=False)
    return officers + [u for u in people.leaders(request.unit_id) if u not in officers]


def _requester(people: Audience, request: Any) -> list[Any]:
    return [request.requested_by]


# --------------------------------------------------------------------------- reminders

DUE_SOON = NotificationKind(
    "due_soon",
    _("Sắp đến hạn"),
    "[Nhắc việc] Còn {days} ngày đến hạn: {title}",
    "cán bộ đơn vị chủ trì (không có cán bộ trên cổng: lãnh đạo đơn vị)",
    Link.TASK,
)
COORDINATE = NotificationKind(
    "coordinate",
    _("Đề nghị phối hợp"),
    "[Đề nghị phối hợp] Còn {days} ngày đến hạn: {title}",
    "cán bộ các đơn vị phối hợp",
    Link.TASK,
)
OVERDUE = NotificationKind(
    "overdue", _("Quá hạn"), "[Quá hạn] {title}", "cán bộ đơn vị chủ trì", Link.TASK
)
OVERDUE_LEADER = NotificationKind(
    "overdue_leader",
    _("Quá hạn (báo lãnh đạo đơn vị)"),
    "[Quá hạn – báo lãnh đạo] {title}",
    "lãnh đạo đơn vị chủ trì",
    Link.TASK,
)
QUARTER_REPORT = NotificationKind(
    "quarter_report",
    _("Báo cáo tiến độ quý"),
    "[Nhắc báo cáo] {title}",
    "cán bộ đơn vị còn phần việc chưa báo cáo quý",
    Link.MY_TASKS,
)
OVERDUE_DIGEST = NotificationKind(
    "overdue_digest",
    _("Tổng hợp nhiệm vụ quá hạn hằng tuần"),
    "[Tổng hợp] {count} nhiệm vụ quá hạn tuần {date}",
    "cơ quan rà soát có văn bản theo dõi còn nhiệm vụ quá hạn",
    Link.OVERDUE_REVIEW,
)
DAILY_DIGEST = NotificationKind(
    "daily_digest",
    _("Thư tổng hợp hằng ngày"),
    "[Tổng hợp thông báo] {count} nội dung ngày {date}",
    "mỗi người nhận thư tổng hợp (mặc định): một thư mỗi ngày gồm mọi thông báo chờ gửi",
    Link.INBOX,
    mutable=False,
)

# --------------------------------------------------------------------------- the workflow

REPORT_SUBMITTED = NotificationKind(
    "report_submitted",
    _("Báo cáo chờ duyệt"),
    "[Chờ duyệt] {title}",
    "lãnh đạo đơn vị được giao phần việc của báo cáo",
    Link.REPORT,
    recipients=_report_leaders,
    about="report",
    actor_label="Người gửi",
)
REPORT_APPROVED = NotificationKind(
    "report_approved",
    _("Báo cáo đã được duyệt"),
    "[Đã duyệt] {title}",
    "người lập báo cáo",
    Link.REPORT,
    recipients=_report_author,
    about="report",
    actor_label="Người duyệt",
)
REPORT_RETURNED = NotificationKind(
    "report_returned",
    _("Báo cáo bị trả lại"),
    "[Trả lại] {title}",
    "người lập báo cáo",
    Link.REPORT,
    mutable=False,
    recipients=_report_author,
    about="report",
    actor_label="Người trả lại",
    note_label="Lý do trả lại",
)
REPORT_REOPENED = NotificationKind(
    "report_reopened",
    _("Báo cáo đã duyệt được mở lại"),
    "[Mở lại] {title}",
    "người lập báo cáo",
    Link.REPORT,
    mutable=False,
    recipients=_report_author,
    about="report",
    actor_label="Người mở lại",
    note_label="Lý do mở lại",
)
VALUE_SUBMITTED = NotificationKind(
    "value_submitted",
    _("Số liệu chỉ tiêu chờ duyệt"),
    "[Chờ duyệt] {title}",
    "lãnh đạo các đơn vị của phạm vi số liệu (tỉnh hoặc đơn vị)",
    Link.VALUE,
    recipients=_value_leaders,
    about="value",
    actor_label="Người gửi",
)
VALUE_APPROVED = NotificationKind(
    "value_approved",
    _("Số liệu chỉ tiêu đã được duyệt"),
    "[Đã duyệt] {title}",
    "người nhập số liệu",
    Link.VALUE,
    recipients=_value_author,
    about="value",
    actor_label="Người duyệt",
)
VALUE_RETURNED = NotificationKind(
    "value_returned",
    _("Số liệu chỉ tiêu bị trả lại"),
    "[Trả lại] {title}",
    "người nhập số liệu",
    Link.VALUE,
    mutable=False,
    recipients=_value_author,
    about="value",
    actor_label="Người trả lại",
    note_label="Lý do trả lại",
)
VALUE_REOPENED = NotificationKind(
    "value_reopened",
    _("Số liệu chỉ tiêu đã duyệt được mở lại"),
    "[Mở lại] {title}",
    "người nhập số liệu",
    Link.VALUE,
    mutable=False,
    recipients=_value_author,
    about="value",
    actor_label="Người mở lại",
    note_label="Lý do mở lại",
)
EXPLANATION_REQUESTED = NotificationKind(
    "explanation_requested",
    _("Yêu cầu giải trình"),
    "[Yêu cầu giải trình] {title}",
    "cán bộ và lãnh đạo đơn vị chủ trì được yêu cầu",
    Link.EXPLANATION,
    mutable=False,
    recipients=_asked_unit,
    about="explanation",
    actor_label="Người yêu cầu",
    note_label="Nội dung yêu cầu",
)
EXPLANATION_ANSWERED = NotificationKind(
    "explanation_answered",
    _("Đơn vị đã giải trình"),
    "[Đã giải trình] {title}",
    "người yêu cầu giải trình",
    Link.EXPLANATION,
    recipients=_requester,
    about="explanation",
    actor_label="Người giải trình",
    note_label="Nội dung giải trình",
)

KINDS: tuple[NotificationKind, ...] = (
    DUE_SOON,
    COORDINATE,
    OVERDUE,
    OVERDUE_LEADER,
    QUARTER_REPORT,
    OVERDUE_DIGEST,
    DAILY_DIGEST,
    REPORT_SUBMITTED,
    REPORT_APPROVED,
    REPORT_RETURNED,
    REPORT_REOPENED,
    VALUE_SUBMITTED,
    VALUE_APPROVED,
    VALUE_RETURNED,
    VALUE_REOPENED,
    EXPLANATION_REQUESTED,
    EXPLANATION_ANSWERED,
)
BY_CODE: dict[str, NotificationKind] = {kind.code: kind for kind in KINDS}

# The kind each step of the approval workflow sends, per subject (``portal.workflow.Step``
# values); a withdrawal, a draft saved, send nothing.
WORKFLOW_KINDS: dict[tuple[str, str], NotificationKind] = {
    ("report", "submit"): REPORT_SUBMITTED,
    ("report", "approve"): REPORT_APPROVED,
    ("report", "return"): REPORT_RETURNED,
    ("report", "reopen"): REPORT_REOPENED,
    ("value", "submit"): VALUE_SUBMITTED,
    ("value", "approve"): VALUE_APPROVED,
    ("value", "return"): VALUE_RETURNED,
    ("value", "reopen"): VALUE_REOPENED,
}


def get(code: str) -> NotificationKind:
    return BY_CODE[code]
