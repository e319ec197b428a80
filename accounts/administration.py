"""Unit administrators (quản trị đơn vị) manage the people of their unit and its sub-units
without Django admin: which units a user administers, invitations by e-mail, roles,
deactivation; a province's administrator adds its departments and their aliases."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.access import access_for
from accounts.choices import Role, UnitKind
from accounts.models import Membership, Unit, UnitAlias, User
from accounts.names import display_name, name_key
from portal.vietnamese import nfc

# Roles a unit administrator may give. Reviewer (a monitoring body's authority) and unit
# administrator itself stay with superusers.
GRANTABLE = (Role.OFFICER, Role.LEADER, Role.SECRETARIAT)


class AdminError(Exception):
    """Refused; ``message`` is for the user (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def administered_units(user: Any) -> set[int]:
    """Units ``user`` administers: those where they are unit administrator, with every unit
    below them (children, and for a province every unit of the province). Superusers: all."""
    access = access_for(user)
    rows = list(Unit.objects.values_list("pk", "parent_id", "province_id", "kind"))
    if access.is_superuser:
        return {pk for pk, *_ in rows}
    roots = set(access.units(Role.UNIT_ADMIN))
    below: dict[int, set[int]] = {}
    for pk, parent, province, _kind in rows:
        for up in {parent, province} - {None, pk}:
            below.setdefault(up, set()).add(pk)  # type: ignore[arg-type]
    seen, frontier = set(roots), list(roots)
    while frontier:
        for child in below.get(frontier.pop(), ()):
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return seen


def people_of(unit_ids: set[int]) -> list[Membership]:
    return list(
        Membership.objects.filter(unit_id__in=unit_ids)
        .select_related("user", "unit")
        .order_by("unit__name", "user__username", "role")
    )


def _check(admin: User, unit: Unit, role: str | None = None) -> None:
    if unit.pk not in administered_units(admin):
        raise AdminError(f"Bạn không quản trị đơn vị “{unit}”.")
    if role is not None and role not in GRANTABLE and not admin.is_superuser:
        raise AdminError("Chỉ quản trị hệ thống mới giao được vai trò này.")


def invitation_mail(user: User, *, domain: str, secure: bool) -> None:
    """The "set your password" mail: Django's reset token, so the link is the reset page's."""
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "domain": domain,
        "protocol": "https" if secure else "http",
        "invited": True,
    }
    body = render_to_string("emails/password_reset.txt", context)
    subject = render_to_string("emails/password_reset_subject.txt", context).strip()
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_invite(
    *,
    admin: User,
    email: str,
    full_name: str,
    unit: Unit,
    role: str,
    domain: str,
    secure: bool = True,
) -> User:
    """Invite a person to ``unit`` in ``role``: an account named by the e-mail address, no
    password until they set one from the mailed link. An existing account gets the role."""
    _check(admin, unit, role)
    email = nfc(email).strip().lower()
    user = (
        User.objects.filter(email__iexact=email).first()
        or User.objects.filter(username__iexact=email).first()
    )
    if user is None:
        user = User(username=email, email=email, full_name=nfc(full_name).strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
        membership = Membership(user=user, unit=unit, role=role)
        membership.full_clean()
        membership.save()
    if not user.has_usable_password():
        transaction.on_commit(lambda: invitation_mail(user, domain=domain, secure=secure))
    return user


@transaction.atomic
def membership_remove(*, admin: User, membership: Membership) -> None:
    _check(admin, membership.unit)
    if membership.role not in GRANTABLE and not admin.is_superuser:
        raise AdminError("Chỉ quản trị hệ thống mới bỏ được vai trò này.")
    membership.delete()


@transaction.atomic
def user_set_active(*, admin: User, user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account whose every role is in units ``admin``
    administers; a deactivated person cannot sign in, their history stays."""
    if user.pk == admin.pk:
        raise AdminError("Không tự khóa tài khoản của mình.")
    managed = administered_units(admin)
    units = set(user.memberships.values_list("unit_id", flat=True))
    if user.is_superuser or not units or not units <= managed:
        raise AdminError("Tài khoản này có vai trò ở đơn vị bạn không quản trị.")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])


@transaction.atomic
def unit_alias_add(*, admin: User, unit: Unit, alias: str) -> UnitAlias:
    """Another way documents write ``unit`` ("Sở TC tỉnh Lai Châu"); never re-pointed."""
    _check(admin, unit)
    key = name_key(alias)
    if not key:
        raise AdminError("Hãy nhập tên gọi khác.")
    taken = UnitAlias.objects.filter(name_key=key).select_related("unit").first()
    clash = Unit.objects.filter(name_key=key).exclude(pk=unit.pk).first()
    if (taken and taken.unit_id != unit.pk) or clash:
        raise AdminError(f"Tên “{alias}” đã là tên của “{clash or taken.unit}”.")  # type: ignore[union-attr]
    if taken:
        return taken
    created = UnitAlias(unit=unit, name=display_name(alias), name_key=key)
    created.full_clean()
    created.save()
    return created


PROVINCIAL_KINDS = (
    UnitKind.PROVINCIAL_DEPARTMENT,
    UnitKind.PROVINCIAL_PARTY_AGENCY,
    UnitKind.PROVINCIAL_GOVERNMENT,
    UnitKind.FRONT,
    UnitKind.OTHER,
)
