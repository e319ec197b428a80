"""Documents (văn bản) and the typed edges that chain them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Unit
from documents.choices import DocumentKind, RelationKind
from portal.vietnamese import shorten

TITLE_LENGTH = 120  # characters of a summary shown in lists


class DocumentManager(models.Manager["Document"]):
    """Documents with their issuer: a document without a number is named by it
    (``display_name``), so every list of documents (admin filters and choices too) needs it."""

    def get_queryset(self) -> models.QuerySet[Document]:
        return super().get_queryset().select_related("issuer")


class Document(models.Model):
    """A resolution, conclusion, decision, plan or programme.

    A document cited before its text is in the portal is a stub; the chain still shows it.
    Its number is parsed and normalised (``number_key``); Party committees number their own
    documents, so a number is unique per issuer, not globally.
    """

    slug = models.SlugField(_("mã"), max_length=120, unique=True)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    number_key = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    kind = models.CharField(_("loại văn bản"), max_length=8, choices=DocumentKind.choices)
    title = models.TextField(_("trích yếu"))
    issuer = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_year = models.PositiveSmallIntegerField(_("năm ban hành"), null=True, blank=True)
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("thẩm quyền ký"), max_length=120, blank=True)
    horizon = models.CharField(_("thời kỳ, tầm nhìn"), max_length=200, blank=True)
    horizon_year = models.PositiveSmallIntegerField(_("năm mục tiêu"), null=True, blank=True)
    scope = models.ForeignKey(
        Unit,
        verbose_name=_("phạm vi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoped_documents",
    )
    province = models.ForeignKey(
        Unit,
        verbose_name=_("tỉnh ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provincial_documents",
        help_text=_("Tên đơn vị trong văn bản của tỉnh được hiểu theo tỉnh này."),
    )
    monitors = models.ManyToManyField(
        Unit,
        verbose_name=_("cơ quan theo dõi, giám sát"),
        blank=True,
        related_name="monitored_documents",
    )
    is_stub = models.BooleanField(
        _("chỉ được dẫn chiếu"),
        default=False,
        help_text=_("Văn bản được dẫn chiếu, chưa có nội dung trên cổng."),
    )
    source_file = models.CharField(_("tệp nguồn"), max_length=200, blank=True)
    # Database defaults too: rows written outside Django (the bench's COPY) leave these out.
    full_text = models.TextField(_("toàn văn"), blank=True, default="", db_default="")
    # The signed file, stored outside the web root under a random name; its original name is
    # given back only by the download view (as an attachment).
    attachment = models.FileField(
        _("tệp văn bản"),
        upload_to="documents/%Y/",
        max_length=300,
        blank=True,
        default="",
        db_default="",
    )
    attachment_name = models.CharField(
        _("tên tệp"), max_length=255, blank=True, default="", db_default=""
    )
    history = HistoricalRecords()

    objects = DocumentManager()

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["issued_year", "issued_on", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_key", "issuer"],
                condition=~Q(number_key=""),
                name="document_number_unique_per_issuer",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def needs_horizon(self) -> bool:
        """A document in the portal with no printed horizon year: a person must set one
        (status then dates its undated tasks); it never inherits another document's."""
        return not self.is_stub and self.horizon_year is None

    @property
    def display_name(self) -> str:
        """ "Nghị quyết số 11-NQ/TW"; without a number its kind, issuer and year: "Kế hoạch
        của Bộ Chính trị, 2022" (select ``issuer`` with lists of documents)."""
        label = self.get_kind_display()
        if self.number:
            return f"{label} số {self.number}"
        year = self.issued_on.year if self.issued_on else self.issued_year
        name = f"{label} của {self.issuer.name}"
        return f"{name}, {year}" if year else name

    @property
    def short_title(self) -> str:
        """The summary (trích yếu) cut on a word, with "…"."""
        return shorten(self.title, TITLE_LENGTH)

    def clean(self) -> None:
        if self.issued_on and self.issued_year and self.issued_on.year != self.issued_year:
            raise ValidationError({"issued_year": _("Năm ban hành không khớp ngày ban hành.")})


class DocumentRelation(models.Model):
    """A typed edge: ``source`` continues / implements / is attached to / supersedes ``target``."""

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(_("quan hệ"), max_length=16, choices=RelationKind.choices)

    class Meta:
        verbose_name = _("quan hệ văn bản")
        verbose_name_plural = _("quan hệ văn bản")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="relation_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"


class TableImport(models.Model):
    """A table read for import into a document, kept on the server between the check and
    the publish (never in the session): the parsed rows, who read it, and, for a large table
    published by a background job, how far the job has come (``done`` of ``total`` rows,
    committed per batch so a restarted job resumes there)."""

    class Kind(models.TextChoices):
        TASKS = "tasks", _("Biểu phân công nhiệm vụ")
        INDICATOR_VALUES = "indicator_values", _("Số liệu chỉ tiêu")

    class State(models.TextChoices):
        CHECKED = "checked", _("Đã kiểm tra, chờ nhập")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập")
        FAILED = "failed", _("Lỗi")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="table_imports"
    )
    created_at = models.DateTimeField(_("lúc đọc"), auto_now_add=True)
    file_name = models.CharField(_("tệp"), max_length=255, blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=300, blank=True)
    rows = models.JSONField(_("các dòng đã đọc"), default=list)
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=State.choices, default=State.CHECKED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lượt nhập bảng")
        verbose_name_plural = _("lượt nhập bảng")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.file_name}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)
