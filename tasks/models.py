"""Tasks (nhiệm vụ), who carries them out, and the progress they report."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Unit
from documents.models import Document
from tasks.choices import AssignmentRole, DeadlineKind, Recurrence, ReportState

# Task columns derived from tracks and reports by the services, never typed in nor audited.
STORED_STATUS_FIELDS = (
    "completed_on",
    "first_completed_on",
    "open_due_on",
    "met_due_on",
    "met_late",
    "closed_status",
    "has_lead",
)


class Task(models.Model):
    """A task a document assigns: its place in the document, its deadline as printed and
    parsed, its parent task and the higher-level task it implements.

    The parsed deadline fields are written only by the deadline parser (services); an
    unreadable phrase is kept with kind "unknown" and a reason, never given a made-up date.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="tasks")
    ref = models.CharField(
        _("mục"), max_length=40, help_text=_("Số mục như in: III.1, IV.1.a, STT 6")
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.TextField(_("nội dung nhiệm vụ"))
    description = models.TextField(_("mô tả"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("nhiệm vụ cha"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    implements = models.ForeignKey(
        "self",
        verbose_name=_("thực hiện nhiệm vụ cấp trên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implemented_by",
    )
    units = models.ManyToManyField(Unit, through="TaskAssignment", related_name="tasks")

    deadline_text = models.CharField(_("thời gian thực hiện (như in)"), max_length=300, blank=True)
    deadline_kind = models.CharField(
        _("loại thời hạn"),
        max_length=12,
        choices=DeadlineKind.choices,
        default=DeadlineKind.UNKNOWN,
    )
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True, db_index=True)
    starts_on = models.DateField(_("bắt đầu"), null=True, blank=True)
    recurrence = models.CharField(
        _("chu kỳ"),
        max_length=12,
        choices=Recurrence.choices,
        blank=True,
    )
    deadline_normalized = models.CharField(_("thời hạn chuẩn hóa"), max_length=300, blank=True)
    deadline_note = models.CharField(
        _("ghi chú thời hạn"),
        max_length=300,
        blank=True,
        help_text=_("Sự kiện chờ, điều kiện kèm theo, hoặc lý do chưa đọc được thời hạn."),
    )
    event_on = models.DateField(
        _("ngày sự kiện xảy ra"),
        null=True,
        blank=True,
        help_text=_("Với nhiệm vụ theo sự kiện: ngày sự kiện được ghi nhận."),
    )
    # The due date the recorded event sets (a person enters it with the event; no delay
    # after an event is invented). Until it is set the task waits (chờ sự kiện).
    event_due_on = models.DateField(
        _("hạn do sự kiện đặt ra"),
        null=True,
        blank=True,
        help_text=_("Với nhiệm vụ theo sự kiện: hạn hoàn thành mà sự kiện đặt ra."),
    )
    # The due date an extension approved before the due date in force passed moves it to
    # (tasks.extensions.extension_approve; never typed in). The printed (or event, or
    # horizon) due date stays as it is; status reads this one where set (tasks.status_sql).
    extended_due_on = models.DateField(_("gia hạn đến"), null=True, blank=True, editable=False)
    # Derived from the tracks by tasks.services.task_completion_refresh (never typed in):
    # the date the last track was completed once every track is (NULL while one is open),
    # and the earliest track's date then. Status is the deadline judged with these dates,
    # so lists filter and count by status on columns (tasks.status_sql).
    completed_on = models.DateField(
        _("ngày hoàn thành nhiệm vụ"), null=True, blank=True, editable=False
    )
    first_completed_on = models.DateField(null=True, blank=True, editable=False)
    # Derived by tasks.services.open_due_refresh from the ONE status rule (never typed in;
    # see tasks.status_sql.stored_status_parts): what today's lists judge by, as indexable
    # comparisons with the day (tasks.status_sql.StoredStatusQuery).
    # The earliest due date some track has not met (NULL: nothing left that can be missed).
    open_due_on = models.DateField(null=True, blank=True, editable=False)
    # Recurring: the occurrence met by every track just before ``open_due_on`` (shown done
    # during its own quarter), and whether some track met it late.
    met_due_on = models.DateField(null=True, blank=True, editable=False)
    met_late = models.BooleanField(default=False, db_default=False, editable=False)
    # The status while ``open_due_on`` is NULL (done, ongoing, awaiting event, undetermined).
    closed_status = models.CharField(max_length=16, blank=True, db_default="", editable=False)
    has_lead = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=[*STORED_STATUS_FIELDS])

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["document_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ref"], name="task_ref_unique"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="task_not_own_parent"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(starts_on__lte=F("due_on")),
                name="task_starts_before_due",
            ),
            models.CheckConstraint(
                condition=Q(event_due_on__isnull=True)
                | (Q(event_on__isnull=False) & Q(event_on__lte=F("event_due_on"))),
                name="task_event_due_after_event",
            ),
        ]
        indexes = [
            models.Index(fields=["deadline_kind", "due_on"], name="task_deadline_idx"),
            # Open tasks by due date: the overdue, in-progress and not-due lists and counts.
            models.Index(
                fields=["deadline_kind", "due_on"],
                condition=Q(completed_on__isnull=True),
                name="task_open_due_idx",
            ),
            # The distinct recurring deadlines that list filters judge (tasks.status_sql).
            models.Index(
                fields=["deadline_text", "starts_on", "recurrence"],
                condition=Q(deadline_kind=DeadlineKind.RECURRING),
                name="task_recurring_idx",
            ),
            # Today's overdue / in-progress / not-due sets: a range of the stored date.
            models.Index(
                fields=["open_due_on", "id"],
                condition=Q(open_due_on__isnull=False),
                name="task_open_due_on_idx",
            ),
            # Tasks nobody leads (the overdue review lists them by document).
            models.Index(
                fields=["document", "position"],
                condition=Q(has_lead=False),
                name="task_without_lead_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} – {self.title[:80]}"

    # A list page prefetches the tracks and assignments into plain lists
    # (tasks.selectors.task_list_related: no queryset per row); one task reads them here.
    def track_list(self) -> list[TaskTrack]:
        prefetched = self.__dict__.get("prefetched_tracks")
        return prefetched if prefetched is not None else list(self.tracks.all())

    def assignment_list(self) -> list[TaskAssignment]:
        prefetched = self.__dict__.get("prefetched_assignments")
        return prefetched if prefetched is not None else list(self.assignments.all())

    @property
    def deadline_needs_review(self) -> bool:
        return self.deadline_kind == DeadlineKind.UNKNOWN

    def clean(self) -> None:
        if self.parent_id and self.parent and self.parent.document_id != self.document_id:
            raise ValidationError({"parent": _("Nhiệm vụ cha phải thuộc cùng văn bản.")})
        if (
            self.implements_id
            and self.implements
            and self.implements.document_id == self.document_id
        ):
            raise ValidationError(
                {"implements": _("Nhiệm vụ cấp trên phải thuộc một văn bản khác.")}
            )


class TaskAssignment(models.Model):
    """A unit named as lead (chủ trì) or coordinating (phối hợp), with the name as printed.

    Kept as assigned at the time: when a unit is merged its row stays, so history still
    shows who was assigned.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    # Indexed by assignment_unit_role_idx, which also serves the "tasks of a unit" filters.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=AssignmentRole.choices)
    printed_name = models.CharField(_("tên như in"), max_length=400, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A lead row's copy of ``Task.open_due_on`` (tasks.services.open_due_refresh): a unit's
    # overdue tasks are one range of assignment_lead_open_due_idx.
    open_due_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["open_due_on"])

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "role"], name="assignment_unique"),
        ]
        indexes = [
            # A unit's tasks by role, read from the index alone (lists filtered by lead unit,
            # the visibility scope of the unit's officers).
            models.Index(fields=["unit", "role", "task"], name="assignment_unit_role_idx"),
            models.Index(
                fields=["unit", "open_due_on", "task"],
                condition=Q(role=AssignmentRole.LEAD, open_due_on__isnull=False),
                name="assignment_lead_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit}"


class TaskTrack(models.Model):
    """One lead unit's share of a task. A collective lead ("Tỉnh ủy các địa phương trong
    vùng") expands to one track per member; the task is done when every track is done.

    ``completed_on`` mirrors the completion date of the track's latest approved report; only
    the report approval service writes it, so status stays computed from approved progress.
    """

    # Indexed by track_completion_idx (and track_unique), both led by the task.
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="tracks", db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="tracks")
    via = models.ForeignKey(
        Unit,
        verbose_name=_("giao qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Đơn vị giao chung mà đơn vị này là thành viên."),
    )
    handed_to = models.ForeignKey(
        Unit,
        verbose_name=_("nay giao cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handed_tracks",
        help_text=_(
            "Đơn vị nhận phần việc khi đơn vị được giao bị chia tách hoặc giải thể "
            "(do người có thẩm quyền chọn)."
        ),
    )
    handed_on = models.DateField(_("ngày chuyển giao"), null=True, blank=True)
    completed_on = models.DateField(_("ngày hoàn thành (đã duyệt)"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("% hoàn thành (đã duyệt)"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phần việc của đơn vị")
        verbose_name_plural = _("phần việc của đơn vị")
        ordering = ["task_id", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="track_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="track_percent_range"),
        ]
        indexes = [
            # The task's completion date (tasks.status_sql) from the index alone.
            models.Index(fields=["task", "completed_on"], name="track_completion_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task.ref} – {self.unit}"


class ProgressReport(models.Model):
    """A unit's progress on its track for one quarter. Drafts are private to the unit;
    only approved reports count toward status. ``version`` guards against lost updates."""

    track = models.ForeignKey(TaskTrack, on_delete=models.CASCADE, related_name="reports")
    period_year = models.PositiveSmallIntegerField(_("năm"))
    period_quarter = models.PositiveSmallIntegerField(
        _("quý"),
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
    )
    percent = models.PositiveSmallIntegerField(
        _("% hoàn thành"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    narrative = models.TextField(_("kết quả thực hiện"), blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The leader whose delegation (accounts.Delegation) the decider acted under, if any.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thừa ủy quyền của"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-period_year", "-period_quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "period_year", "period_quarter"],
                name="report_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_quarter__gte=1, period_quarter__lte=4),
                name="report_quarter_range",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_range"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(percent=100),
                name="report_completed_means_100",
            ),
        ]

    def __str__(self) -> str:
        from portal.periods import quarter_label

        return f"{quarter_label(self.period_year, self.period_quarter)} – {self.track}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Stored under MEDIA_ROOT (outside the web root) with a random name; the original name is
    # kept on the row and given back only through the permission-checked download view.
    import uuid

    return f"evidence/{instance.report_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file attached to a progress report as evidence. Its real type is checked on upload."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    """A remark on a task by a reviewer or a unit (the task page's discussion)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ý kiến")
        verbose_name_plural = _("ý kiến")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ExplanationRequest(models.Model):
    """A reviewer asks the lead unit to explain an overdue task (yêu cầu giải trình) by a
    date; an officer or leader of that unit answers."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="explanations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="explanations")
    question = models.TextField(_("nội dung yêu cầu"))
    answer_by = models.DateField(_("hạn giải trình"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    answer = models.TextField(_("nội dung giải trình"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yêu cầu giải trình")
        verbose_name_plural = _("yêu cầu giải trình")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.task.ref} – {self.unit}"


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", _("Đang chờ quyết định")
    APPROVED = "approved", _("Đã đồng ý gia hạn")
    REFUSED = "refused", _("Không đồng ý gia hạn")


class DeadlineExtension(models.Model):
    """A lead unit asks the body that assigned the task (or its reviewer) to extend its due
    date (đề nghị gia hạn). ``original_due_on`` is the due date in force when it was asked.
    An extension approved on or before that date moves the due date status uses
    (``Task.extended_due_on``, ``applies``); one asked or approved after it passed is
    recorded and changes nothing. One open request per task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề nghị"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("lý do đề nghị gia hạn"))
    original_due_on = models.DateField(_("hạn khi đề nghị"))
    proposed_due_on = models.DateField(_("đề nghị gia hạn đến"))
    requested_at = models.DateTimeField(_("ngày đề nghị"), default=timezone.now, editable=False)
    state = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ExtensionState.choices,
        default=ExtensionState.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)
    decision_note = models.TextField(_("ý kiến quyết định"), blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thừa ủy quyền của"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # True when the approval moved the task's due date (approved in time).
    applies = models.BooleanField(_("làm thay đổi hạn"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state=ExtensionState.REQUESTED),
                name="extension_one_open_per_task",
            ),
            models.CheckConstraint(
                condition=Q(proposed_due_on__gt=F("original_due_on")),
                name="extension_later_than_original",
            ),
            models.CheckConstraint(
                condition=Q(applies=False) | Q(state=ExtensionState.APPROVED),
                name="extension_applies_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.ref} – gia hạn đến {self.proposed_due_on:%d/%m/%Y}"
