"""Reminders (the log of what was owed, to whom, and what became of it) and preferences."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.kinds import KINDS

# The choices and the mutable kinds are read from the registry (notifications.kinds).
Kind = models.TextChoices(  # type: ignore[call-overload]
    "Kind", [(kind.name, (kind.code, _(kind.label))) for kind in KINDS]
)
MUTABLE_KINDS = [Kind(kind.code) for kind in KINDS if kind.mutable]


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", _("Gửi ngay")
    DIGEST = "digest", _("Gộp vào thư hằng ngày")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
    CANCELLED = "cancelled", _("Không gửi (đã hết hiệu lực)")


class Reminder(models.Model):
    """One reminder or notification owed to one user, and what became of it.

    ``key`` is the idempotency key: kind, scope (track, task, unit or recipient), due date
    and offset window, and recipient. A second scan, a second beat or a second message can
    only find the row already there. A send claims the row with a conditional update; only
    the claimant sends. The row is also the user's in-app notification.
    """

    key = models.CharField(_("khóa"), max_length=200, unique=True, editable=False)
    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    channel = models.CharField(
        _("kênh"), max_length=12, choices=Channel.choices, default=Channel.IMMEDIATE
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    task = models.ForeignKey(
        "tasks.Task",
        verbose_name=_("nhiệm vụ"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    track = models.ForeignKey(
        "tasks.TaskTrack",
        verbose_name=_("phần việc"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    # What a notification of the workflow is about (one of them), who acted and what they
    # wrote (a return or reopening reason, the question or the answer), kept as it was then.
    report = models.ForeignKey(
        "tasks.ProgressReport",
        verbose_name=_("báo cáo tiến độ"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    value = models.ForeignKey(
        "indicators.IndicatorValue",
        verbose_name=_("giá trị chỉ tiêu"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    explanation = models.ForeignKey(
        "tasks.ExplanationRequest",
        verbose_name=_("yêu cầu giải trình"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # db_default: rows written outside the ORM (the bench's COPY) get an empty note too.
    note = models.TextField(_("nội dung kèm theo"), blank=True, default="", db_default="")
    due_on = models.DateField(_("hạn"))
    offset_days = models.SmallIntegerField(_("nhắc trước (ngày)"), default=0)
    days_left = models.SmallIntegerField(_("số ngày còn lại khi quét"), default=0)
    scan_date = models.DateField(_("ngày quét"))
    digest = models.ForeignKey(
        "self",
        verbose_name=_("thư tổng hợp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )

    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    claim = models.CharField(max_length=64, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    emailed = models.BooleanField(_("đã gửi e-mail"), default=False)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("nhắc việc")
        verbose_name_plural = _("nhật ký nhắc việc")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="reminder_inbox_idx"),
            models.Index(fields=["status", "channel"], name="reminder_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent") | Q(sent_at__isnull=True),
                name="reminder_sent_at_only_when_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.recipient} – {self.due_on:%d/%m/%Y}"


class Mode(models.TextChoices):
    DAILY_DIGEST = "daily_digest", _("Nhận một thư tổng hợp mỗi ngày (mặc định)")
    IMMEDIATE = "immediate", _("Nhận từng thư ngay khi có thông báo")


class NotificationPreference(models.Model):
    """How a user wants notifications: a daily digest (the default: one mail a day with
    everything pending) or one mail each, and the kinds muted (only mutable kinds)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    mode = models.CharField(
        _("cách nhận thư"), max_length=16, choices=Mode.choices, default=Mode.DAILY_DIGEST
    )
    muted_kinds = models.JSONField(_("loại nhắc việc không nhận"), default=list, blank=True)

    class Meta:
        verbose_name = _("tùy chọn nhận thông báo")
        verbose_name_plural = _("tùy chọn nhận thông báo")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_mode_display()}"

    def clean(self) -> None:
        allowed = {str(kind) for kind in MUTABLE_KINDS}
        if not isinstance(self.muted_kinds, list) or not set(self.muted_kinds) <= allowed:
            raise ValidationError({"muted_kinds": _("Loại nhắc việc không hợp lệ.")})
