"""Target indicators (chỉ tiêu) and the values reported against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Unit
from documents.models import Document
from indicators.choices import Comparator, TargetKind, ValueState


class Indicator(models.Model):
    """A target a document sets, as printed and parsed: kind, bounds, unit, target year.

    The parsed fields are written only from the target parser (services), never by hand.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="indicators")
    code = models.SlugField(_("mã chỉ tiêu"), max_length=40, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=300)
    group = models.CharField(_("nhóm"), max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)
    target_text = models.CharField(_("mục tiêu (như in)"), max_length=400)
    target_kind = models.CharField(_("loại mục tiêu"), max_length=20, choices=TargetKind.choices)
    comparator = models.CharField(_("so sánh"), max_length=12, choices=Comparator.choices)
    target_low = models.DecimalField(
        _("cận dưới"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
    )
    target_high = models.DecimalField(
        _("cận trên"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
    )
    shares = models.JSONField(_("cơ cấu"), default=list, blank=True)
    per_year = models.BooleanField(_("tính theo năm"), default=False)
    target_normalized = models.CharField(_("mục tiêu chuẩn hóa"), max_length=200, blank=True)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=60, blank=True)
    scope = models.ForeignKey(
        Unit,
        verbose_name=_("phạm vi"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    target_year = models.PositiveSmallIntegerField(_("năm mục tiêu"))
    baseline_value = models.DecimalField(
        _("giá trị gốc"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
    )
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)
    baseline_text = models.CharField(_("giá trị gốc (như in)"), max_length=300, blank=True)
    overtaken_note = models.CharField(
        _("không còn đánh giá vì"),
        max_length=300,
        blank=True,
        help_text=_(
            "Chỉ tiêu đếm những đơn vị không còn tồn tại sau khi sắp xếp (ví dụ đơn vị cấp "
            "huyện từ 01/07/2025): ghi lý do; chỉ tiêu được đánh dấu, không đánh giá."
        ),
    )
    tasks = models.ManyToManyField(
        "tasks.Task",
        verbose_name=_("nhiệm vụ liên quan"),
        blank=True,
        related_name="indicators",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["document_id", "position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_low__isnull=True)
                | Q(target_high__isnull=True)
                | Q(target_low__lte=models.F("target_high")),
                name="indicator_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """An actual value for one year and one scope (a province for a regional target), with its
    source. Approved like progress reports; corrections keep the earlier value in history."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    scope = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="indicator_values")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4)
    source = models.CharField(_("nguồn số liệu"), max_length=300)
    state = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ValueState.choices,
        default=ValueState.DRAFT,
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
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
    # As a report's: when it was last sent for approval (the queue is oldest first).
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        ordering = ["indicator_id", "scope_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "scope", "year"],
                name="indicator_value_unique",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100),
                name="indicator_value_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.scope} – {self.year}"
