"""Unit administration pages: the people of a unit and its sub-units (invite, roles,
deactivate), and a province's own units, their aliases, renames and mergers. Rules:
accounts.administration and accounts.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import access_for, in_being
from accounts.administration import (
    GRANTABLE,
    PROVINCIAL_KINDS,
    AdminError,
    administered_units,
    membership_remove,
    people_of,
    unit_alias_add,
    user_invite,
    user_set_active,
)
from accounts.audit import record_refusal
from accounts.choices import Role, UnitKind
from accounts.delegations import (
    DelegationError,
    delegation_create,
    delegation_revoke,
    deputy_candidates,
    units_delegable_by,
)
from accounts.models import Delegation, Membership, Unit, UnitSuccession, User
from accounts.services import (
    NOT_A_PROVINCES_UNIT,
    UnitNotAllowed,
    unit_add_provincial,
    units_reorganise,
)


class InviteForm(forms.Form):
    email = forms.EmailField(label="Thư điện tử")
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    unit = forms.ModelChoiceField(label="Đơn vị", queryset=Unit.objects.none())
    role = forms.ChoiceField(
        label="Vai trò", choices=[(r.value, r.label) for r in Role if r in GRANTABLE]
    )


class UnitForm(forms.Form):
    name = forms.CharField(label="Tên đơn vị (như trong văn bản)", max_length=300)
    kind = forms.ChoiceField(
        label="Loại", choices=[(k.value, k.label) for k in UnitKind if k in PROVINCIAL_KINDS]
    )
    aliases = forms.CharField(
        label="Tên gọi khác, viết tắt (mỗi dòng một tên)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReorganiseForm(forms.Form):
    """A rename (one unit, a new name) or a merger (several units, into a new or an existing
    unit) of a province's units, with the deciding document."""

    predecessors = forms.ModelMultipleChoiceField(
        label="Đơn vị cũ (đổi tên: chọn một đơn vị; hợp nhất: chọn các đơn vị)",
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    successor_name = forms.CharField(
        label="Tên đơn vị mới (như trong quyết định)", max_length=300, required=False
    )
    kind = forms.ChoiceField(
        label="Loại đơn vị mới",
        choices=[
            ("", "— như đơn vị cũ —"),
            *((k.value, k.label) for k in UnitKind if k not in NOT_A_PROVINCES_UNIT),
        ],
        required=False,
    )
    successor = forms.ModelChoiceField(
        label="hoặc hợp nhất vào đơn vị đã có",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="— không —",
    )
    effective_on = forms.DateField(
        label="Có hiệu lực từ ngày (dd/mm/yyyy)",
        error_messages={"invalid": "Ngày phải viết dd/mm/yyyy, ví dụ 01/07/2025."},
    )
    basis = forms.CharField(label="Văn bản quyết định (số, ký hiệu)", max_length=300)
    basis_date = forms.DateField(
        label="Ngày ban hành văn bản (dd/mm/yyyy)",
        error_messages={"invalid": "Ngày phải viết dd/mm/yyyy, ví dụ 20/06/2025."},
    )
    verified = forms.BooleanField(label="Đã đối chiếu văn bản", required=False)
    note = forms.CharField(
        label="Ghi chú", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    copy_roles = forms.BooleanField(
        label="Giao vai trò của người dùng đơn vị cũ tại đơn vị kế thừa",
        required=False,
        initial=True,
    )

    def __init__(self, *args: object, province: Unit, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        units = (
            Unit.objects.filter(in_being(), province=province)
            .exclude(kind=UnitKind.GROUP)
            .order_by("name_key")
        )
        self.fields["predecessors"].queryset = units  # type: ignore[attr-defined]
        self.fields["successor"].queryset = units  # type: ignore[attr-defined]


def _administered(request: HttpRequest, key: str) -> tuple[Unit, set[int]]:
    unit = get_object_or_404(Unit, key=key)
    managed = administered_units(request.user)
    if unit.pk not in managed:
        record_refusal(request, f"quản trị đơn vị {key}")
        raise PermissionDenied("Bạn không quản trị đơn vị này.")
    return unit, managed


def _below(unit: Unit, managed: set[int]) -> set[int]:
    """The unit and the units below it (children, a province's units) among ``managed``."""
    rows = Unit.objects.filter(pk__in=managed).values_list("pk", "parent_id", "province_id")
    children: dict[int, set[int]] = {}
    for pk, parent, province in rows:
        for up in {parent, province} - {None, pk}:
            children.setdefault(up, set()).add(pk)  # type: ignore[arg-type]
    seen, frontier = {unit.pk}, [unit.pk]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return seen


@login_required
@require_http_methods(["GET", "POST"])
def unit_people(request: HttpRequest, key: str) -> HttpResponse:
    """Người dùng của đơn vị: invite, remove a role, lock or unlock an account."""
    unit, managed = _administered(request, key)
    scope = _below(unit, managed)
    admin: User = request.user  # type: ignore[assignment]
    form = InviteForm(request.POST if request.POST.get("action") == "invite" else None)
    form.fields["unit"].queryset = Unit.objects.filter(pk__in=scope)  # type: ignore[attr-defined]
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite" and form.is_valid():
                data = form.cleaned_data
                invited = user_invite(
                    admin=admin,
                    email=data["email"],
                    full_name=data["full_name"],
                    unit=data["unit"],
                    role=data["role"],
                    domain=request.get_host(),
                    secure=request.is_secure(),
                )
                messages.success(request, f"Đã mời {invited.email}; thư đặt mật khẩu đã gửi.")
                return redirect("unit-people", key=unit.key)
            if action == "remove":
                membership = get_object_or_404(
                    Membership, pk=request.POST.get("membership"), unit_id__in=scope
                )
                membership_remove(admin=admin, membership=membership)
                messages.success(request, f"Đã bỏ vai trò của {membership.user}.")
                return redirect("unit-people", key=unit.key)
            if action in ("deactivate", "activate"):
                person = get_object_or_404(
                    User, pk=request.POST.get("user"), memberships__unit_id__in=scope
                )
                user_set_active(admin=admin, user=person, active=action == "activate")
                messages.success(request, f"Đã cập nhật tài khoản {person}.")
                return redirect("unit-people", key=unit.key)
        except AdminError as exc:
            messages.error(request, exc.message)
            return redirect("unit-people", key=unit.key)
    return render(
        request,
        "accounts/unit_people.html",
        {
            "unit": unit,
            "people": people_of(scope),
            "form": form,
            "can_add_units": unit.kind == UnitKind.PROVINCE,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest, key: str) -> HttpResponse:
    """A province's administrator adds its departments (sở, ban, ngành) and their aliases."""
    province, _ = _administered(request, key)
    if province.kind != UnitKind.PROVINCE:
        raise PermissionDenied("Chỉ thêm đơn vị cho một tỉnh.")
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        admin: User = request.user  # type: ignore[assignment]
        try:
            unit = unit_add_provincial(
                province=province, name=data["name"], user=admin, kind=data["kind"]
            )
            for alias in data["aliases"].splitlines():
                if alias.strip():
                    unit_alias_add(admin=admin, unit=unit, alias=alias)
        except (AdminError, UnitNotAllowed) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm đơn vị “{unit}”.")
            return redirect("unit-add", key=province.key)
    units = province.provincial_units.prefetch_related("aliases").order_by("name")
    return render(
        request,
        "accounts/unit_add.html",
        {"province": province, "form": form, "units": units},
        status=400 if form.errors else 200,
    )


@login_required
def unit_admin(request: HttpRequest) -> HttpResponse:
    """Quản trị đơn vị: the units the user administers, with their pages."""
    ids = access_for(request.user).units(Role.UNIT_ADMIN)
    if not ids:
        record_refusal(request, "quản trị đơn vị")
        raise PermissionDenied("Bạn không quản trị đơn vị nào.")
    units = Unit.objects.filter(in_being(), pk__in=ids).order_by("name_key")
    return render(request, "accounts/unit_admin.html", {"units": units})


# --------------------------------------------------------------------------- delegations


class DelegationForm(forms.Form):
    unit = forms.ModelChoiceField(label="Đơn vị", queryset=Unit.objects.none(), empty_label=None)
    deputy = forms.ModelChoiceField(
        label="Người được ủy quyền", queryset=User.objects.none(), empty_label="— chọn người —"
    )
    starts_on = forms.DateField(
        label="Từ ngày", widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    ends_on = forms.DateField(
        label="Đến ngày (tính cả ngày này)",
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    note = forms.CharField(label="Ghi chú", required=False, max_length=500)

    def __init__(self, *args, leader: User, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        units = units_delegable_by(leader)
        self.fields["unit"].queryset = units
        ids: set[int] = set()
        for unit in units:  # a leader leads one unit, or a few
            ids.update(deputy_candidates(unit, leader).values_list("pk", flat=True))
        self.fields["deputy"].queryset = User.objects.filter(pk__in=ids).order_by(
            "full_name", "username"
        )


@login_required
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    """Ủy quyền: a leader hands their approvals for a unit to a deputy for a period, and
    revokes it; the delegations of the units they lead and those they received."""
    today = timezone.localdate()
    form = DelegationForm(leader=request.user)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                delegation_revoke(
                    delegation_id=int(request.POST.get("delegation") or 0), user=request.user
                )
                messages.success(request, "Đã thu hồi ủy quyền.")
            except (DelegationError, ValueError, Delegation.DoesNotExist) as exc:
                messages.error(request, getattr(exc, "message", "Không thu hồi được ủy quyền."))
            return redirect("delegations")
        form = DelegationForm(request.POST, leader=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                delegation_create(
                    unit=data["unit"],
                    leader=request.user,
                    deputy=data["deputy"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                    today=today,
                )
                messages.success(request, "Đã ủy quyền duyệt.")
                return redirect("delegations")
            except DelegationError as exc:
                form.add_error(None, exc.message)
        messages.error(request, "Chưa ủy quyền: hãy sửa các ô được đánh dấu.")
        status = 400
    units = list(units_delegable_by(request.user))
    given = Delegation.objects.filter(unit__in=units).select_related("unit", "from_user", "to_user")
    received = Delegation.objects.filter(to_user=request.user).select_related("unit", "from_user")
    return render(
        request,
        "accounts/delegations.html",
        {
            "form": form if units else None,
            "given": given,
            "received": received,
            "today": today,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_reorganise(request: HttpRequest, key: str) -> HttpResponse:
    """A province's administrator records a rename or a merger of the province's units
    (``accounts.services.units_reorganise``) and sees the province's succession records."""
    province, _ = _administered(request, key)
    if province.kind != UnitKind.PROVINCE:
        raise PermissionDenied("Chỉ sắp xếp đơn vị của một tỉnh.")
    form = ReorganiseForm(request.POST or None, province=province)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            successor, rows = units_reorganise(
                admin=request.user,  # type: ignore[arg-type]
                province=province,
                predecessors=list(data["predecessors"]),
                successor=data["successor"],
                successor_name=data["successor_name"],
                kind=data["kind"],
                effective_on=data["effective_on"],
                basis=data["basis"],
                basis_date=data["basis_date"],
                verified=data["verified"],
                note=data["note"],
                copy_roles=data["copy_roles"],
            )
        except UnitNotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            names = ", ".join(str(row.predecessor) for row in rows)
            messages.success(
                request,
                f"Từ {data['effective_on']:%d/%m/%Y}, “{successor}” kế thừa công việc của {names}.",
            )
            return redirect("unit-reorganise", key=province.key)
    successions = (
        UnitSuccession.objects.filter(predecessor__province=province)
        .select_related("predecessor", "successor")
        .order_by("-effective_on", "predecessor__name")
    )
    return render(
        request,
        "accounts/unit_reorganise.html",
        {"province": province, "form": form, "successions": successions},
        status=400 if form.errors else 200,
    )
