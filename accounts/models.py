"""Units (đơn vị), users and their roles in units, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import Role, UnitKind


class Unit(models.Model):
    """A body that issues documents, leads or coordinates tasks, or reports progress.

    A collective assignee ("Tỉnh ủy các địa phương trong vùng") is a unit of kind GROUP whose
    members each report their own share. A unit merged or renamed has a successor from a
    date: its open work passes on, its history stays.
    """

    key = models.SlugField(_("mã"), max_length=120, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=400)
    name_key = models.CharField(max_length=400, unique=True, editable=False)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provincial_units",
        limit_choices_to={"kind": UnitKind.PROVINCE},
    )
    members = models.ManyToManyField(
        "self",
        verbose_name=_("đơn vị thành viên"),
        symmetrical=False,
        blank=True,
        related_name="member_of",
    )
    reviews_all = models.BooleanField(
        _("rà soát toàn bộ"),
        default=False,
        help_text=_("Cơ quan rà soát mọi văn bản (Ban Kinh tế Trung ương)."),
    )

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.kind == UnitKind.GROUP


class UnitSuccession(models.Model):
    """From ``effective_on`` the successor answers for the predecessor's open work.

    Several rows with one successor are a merger; several with one predecessor a split (a
    person then picks the successor of each open track); a row without a successor ends the
    predecessor with nobody taking its work wholesale (the district level in 2025). History
    keeps the unit that was assigned; the access module (``accounts.access``) reads these
    rows to decide who acts for what today.
    """

    predecessor = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị cũ"),
        on_delete=models.PROTECT,
        related_name="successions",
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successions_in",
    )
    effective_on = models.DateField(_("có hiệu lực từ ngày"))
    basis = models.CharField(
        _("văn bản quyết định"),
        max_length=300,
        blank=True,
        help_text=_("Số, ký hiệu văn bản như công bố, ví dụ “Nghị quyết số 202/2025/QH15”."),
    )
    basis_date = models.DateField(_("ngày ban hành văn bản"), null=True, blank=True)
    verified = models.BooleanField(
        _("đã đối chiếu văn bản"),
        default=False,
        help_text=_("Bỏ chọn khi số, ngày văn bản lấy theo tin công bố, chưa đối chiếu văn bản."),
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sắp xếp đơn vị")
        verbose_name_plural = _("sắp xếp đơn vị")
        ordering = ["effective_on", "predecessor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.UniqueConstraint(
                fields=["predecessor"],
                condition=Q(successor__isnull=True),
                name="succession_one_ending",
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        target = self.successor.name if self.successor is not None else _("giải thể")
        return f"{self.predecessor.name} → {target} ({self.effective_on:%d/%m/%Y})"

    @property
    def verification_label(self) -> str:
        return "" if self.verified else str(_("chưa đối chiếu văn bản"))


class UnitAlias(models.Model):
    """Another way a unit is written in the documents ("Văn phòng TW Đảng")."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("tên gọi khác"), max_length=400)
    name_key = models.CharField(max_length=400, unique=True, editable=False)

    class Meta:
        verbose_name = _("tên gọi khác")
        verbose_name_plural = _("tên gọi khác")

    def __str__(self) -> str:
        return self.name


def expand_units(units: Iterable[Unit], members: dict[int, list[Unit]]) -> list[Unit]:
    """Member units of the given units, groups expanded recursively; a group with no known
    members stands for itself. ``members`` maps a group id to its direct members."""
    seen: set[int] = set()
    out: list[Unit] = []

    def visit(unit: Unit, depth: int) -> None:
        direct = members.get(unit.pk, []) if unit.is_group else []
        if direct and depth < 5:
            for member in direct:
                visit(member, depth + 1)
        elif unit.pk not in seen:
            seen.add(unit.pk)
            out.append(unit)

    for unit in units:
        visit(unit, 0)
    return out


class User(AbstractUser):
    """A person who signs in. Roles come from memberships in units."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    units = models.ManyToManyField(Unit, through="Membership", related_name="users", blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user's role in a unit: officer, leader, or reviewer (monitoring body)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vai trò tại đơn vị")
        verbose_name_plural = _("vai trò tại đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; it expires and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("hết hạn"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class AuditEvent(models.Model):
    """Sign-ins, failed sign-ins and refused permission checks: who, when, what.

    Changes to tasks, reports and indicator values are in their own history tables
    (django-simple-history), written in the same transaction as the change.
    """

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Đăng nhập")
        SIGN_IN_FAILED = "sign_in_failed", _("Đăng nhập sai")
        SIGN_OUT = "sign_out", _("Đăng xuất")
        REFUSED = "refused", _("Bị từ chối quyền")

    action = models.CharField(_("sự kiện"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    detail = models.CharField(_("chi tiết"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.username}"


class Delegation(models.Model):
    """A unit's leader hands their approvals to a deputy (ủy quyền) for a period, both days
    included (Asia/Ho_Chi_Minh). During it the access module (``accounts.access``) lets the
    deputy lead the unit, and every decision they take records the delegating leader
    (``on_behalf_of``). Revoking ends it at once; the row and its history stay."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="delegations"
    )
    from_user = models.ForeignKey(
        User,
        verbose_name=_("lãnh đạo ủy quyền"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    to_user = models.ForeignKey(
        User,
        verbose_name=_("người được ủy quyền"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("người tạo")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ủy quyền")
        verbose_name_plural = _("ủy quyền")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="delegation_period_valid"
            ),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="delegation_not_self"
            ),
        ]
        indexes = [models.Index(fields=["to_user", "ends_on"], name="delegation_to_idx")]

    def __str__(self) -> str:
        return (
            f"{self.from_user} → {self.to_user} ({self.unit}, "
            f"{self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y})"
        )

    def in_force(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on
