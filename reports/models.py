"""Signed periodic reports a unit has sent, and the secret addresses of calendar feeds."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from reports.periods import PeriodKind, ReportPeriod


class PeriodChoices(models.TextChoices):
    Q1 = PeriodKind.Q1.value, _("Quý I")
    Q2 = PeriodKind.Q2.value, _("Quý II")
    Q3 = PeriodKind.Q3.value, _("Quý III")
    Q4 = PeriodKind.Q4.value, _("Quý IV")
    H1 = PeriodKind.H1.value, _("6 tháng đầu năm")
    YEAR = PeriodKind.YEAR.value, _("Năm")


def signed_report_path(instance: SignedReport, filename: str) -> str:
    # A random name under MEDIA_ROOT; the original name is kept on the row and given back
    # only through the permission-checked download.
    return f"signed-reports/{instance.unit_id}/{instance.year}-{instance.period}/{uuid.uuid4().hex}"


class SignedReport(models.Model):
    """The signed PDF of a unit's periodic report, stored byte for byte as uploaded (its
    digital signature must stay valid). Its existence records the report as sent; the
    reviewer's "units that did not report" reads these rows. A later upload for the same
    period is kept too; the latest one is the report of record."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="signed_reports")
    year = models.PositiveSmallIntegerField(_("năm"))
    period = models.CharField(_("kỳ báo cáo"), max_length=4, choices=PeriodChoices.choices)
    file = models.FileField(upload_to=signed_report_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("gửi lúc"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("báo cáo định kỳ đã gửi")
        verbose_name_plural = _("báo cáo định kỳ đã gửi")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["year", "period", "unit"], name="signed_report_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="signed_report_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.report_period.label}"

    @property
    def report_period(self) -> ReportPeriod:
        return ReportPeriod(self.year, PeriodKind(self.period))


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarToken(models.Model):
    """The secret in a user's calendar feed address. Only its hash is stored; a revoked
    secret answers 404 like one that never existed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("địa chỉ lịch")
        verbose_name_plural = _("địa chỉ lịch")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"
