"""Writes of units, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.access import access_for
from accounts.administration import GRANTABLE
from accounts.choices import Role, UnitKind
from accounts.models import (
    ApiToken,
    Membership,
    Unit,
    UnitAlias,
    UnitSuccession,
    User,
    hash_token,
)
from accounts.names import display_name, name_key
from portal.services import update_fields_if_changed
from portal.vietnamese import nfc


@transaction.atomic
def unit_upsert(
    *,
    key: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Unit | None = None,
    province: Unit | None = None,
    reviews_all: bool = False,
    aliases: Sequence[str] = (),
) -> tuple[Unit, bool]:
    """Create or update a unit by its key; aliases are added, never silently re-pointed."""
    unit = Unit.objects.filter(key=key).first() or Unit(key=key)
    changed = update_fields_if_changed(
        unit,
        {
            "name": display_name(name),
            "name_key": name_key(name),
            "short_name": short_name,
            "kind": kind,
            "parent": parent,
            "province": province,
            "reviews_all": reviews_all,
        },
    )
    for alias in aliases:
        key_ = name_key(alias)
        if not key_ or key_ == unit.name_key:
            continue
        existing = UnitAlias.objects.filter(name_key=key_).first()
        if existing is None:
            UnitAlias.objects.create(unit=unit, name=display_name(alias), name_key=key_)
            changed = True
        elif existing.unit_id != unit.pk:
            raise ValueError(f"Tên gọi “{alias}” đã thuộc đơn vị khác: {existing.unit}")
    return unit, changed


@transaction.atomic
def unit_set_members(*, unit: Unit, members: Sequence[Unit]) -> bool:
    current = set(unit.members.values_list("pk", flat=True))
    wanted = {m.pk for m in members}
    if current == wanted:
        return False
    unit.members.set(members)
    return True


@transaction.atomic
def succession_upsert(
    *,
    predecessor: Unit,
    successor: Unit | None,
    effective_on: dt.date,
    basis: str = "",
    basis_date: dt.date | None = None,
    verified: bool = False,
    note: str = "",
) -> bool:
    """Record that ``successor`` answers for ``predecessor``'s open work from a date (None:
    the predecessor ends with no heir). Idempotent; returns whether anything changed."""
    succession = UnitSuccession.objects.filter(
        predecessor=predecessor, successor=successor
    ).first() or UnitSuccession(predecessor=predecessor, successor=successor)
    before = (
        succession.effective_on if succession.pk else None,
        succession.basis,
        succession.basis_date,
        succession.verified,
        succession.note,
    )
    succession.effective_on = effective_on
    succession.basis = nfc(basis).strip()
    succession.basis_date = basis_date
    succession.verified = verified
    succession.note = nfc(note).strip()
    after = (effective_on, succession.basis, basis_date, verified, succession.note)
    if succession.pk and before == after:
        return False
    succession_save(succession=succession)
    return True


@transaction.atomic
def succession_save(*, succession: UnitSuccession) -> UnitSuccession:
    """Save a succession (admin or loader): NFC text, the model's checks, history."""
    succession.basis = nfc(succession.basis).strip()
    succession.note = nfc(succession.note).strip()
    succession.full_clean()
    succession.save()
    return succession


@transaction.atomic
def membership_ensure(*, user: User, unit: Unit, role: str) -> bool:
    _, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return created


@transaction.atomic
def memberships_set(*, user: User, roles: Sequence[tuple[Unit, str]]) -> int:
    """Make ``user``'s memberships exactly ``roles``; returns how many rows changed."""
    wanted = {(unit.pk, role) for unit, role in roles}
    changed = 0
    for membership in Membership.objects.filter(user=user):
        if (membership.unit_id, membership.role) not in wanted:
            membership.delete()
            changed += 1
    for unit, role in roles:
        changed += membership_ensure(user=user, unit=unit, role=role)
    return changed


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token; the raw key is returned once and only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:8],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days or settings.API_TOKEN_TTL_DAYS),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Save a unit edited by hand (admin): its matching key follows its name."""
    unit.name = display_name(unit.name)
    unit.name_key = name_key(unit.name)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def alias_save(*, alias: UnitAlias) -> UnitAlias:
    alias.name = display_name(alias.name)
    alias.name_key = name_key(alias.name)
    alias.full_clean()
    alias.save()
    return alias


class UnitNotAllowed(Exception):
    """The user may not add units to this province; ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def unit_add_provincial(
    *, province: Unit, name: str, user: User, kind: str = "provincial_department"
) -> Unit:
    """Add a unit of ``province`` that its documents name (an unknown "Sở Tài chính" in a
    table), named with the province ("Sở Tài chính tỉnh Lai Châu") so the province's
    documents resolve the short name to it. An existing unit of that name is returned.
    Allowed to the province's unit administrators and secretariats (``documents.rules``)."""
    from django.utils.text import slugify

    from portal.vietnamese import fold

    if not user.has_perm("accounts.add_unit_in_province", province):
        raise UnitNotAllowed("Chỉ quản trị đơn vị hoặc văn phòng của tỉnh mới được thêm đơn vị.")
    short = display_name(name)
    place = display_name(province.name)
    if not short:
        raise UnitNotAllowed("Hãy nhập tên đơn vị.")
    place_key = name_key(place).removeprefix("tinh ").removeprefix("thanh pho ")
    full = short if place_key in name_key(short) else f"{short} {place[0].lower()}{place[1:]}"
    existing = Unit.objects.filter(name_key=name_key(full)).first()
    if existing is not None:
        return existing
    base = slugify(fold(full))[:100] or "don-vi"
    key, n = base, 1
    while Unit.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    unit, _ = unit_upsert(key=key, name=full, kind=kind, parent=None, province=province)
    return unit


# Kinds a unit of a province is never (a collective assignee is reorganised through its
# members; a province's own merger is the State's, recorded in fixtures/successions.yaml).
NOT_A_PROVINCES_UNIT = (UnitKind.PROVINCE, UnitKind.REGION, UnitKind.GROUP)


@transaction.atomic
def units_reorganise(
    *,
    admin: User,
    province: Unit,
    predecessors: Sequence[Unit],
    successor: Unit | None = None,
    successor_name: str = "",
    kind: str = "",
    effective_on: dt.date,
    basis: str,
    basis_date: dt.date | None,
    verified: bool = False,
    note: str = "",
    copy_roles: bool = True,
) -> tuple[Unit, list[UnitSuccession]]:
    """A province's units renamed or merged by a decision (``basis``): from ``effective_on``
    the successor answers for the predecessors' open work (``accounts.access``), while the
    predecessors keep their names for history. A unit is never renamed in place: a rename is
    one predecessor succeeded by a new unit of the new name; a merger is several
    predecessors succeeded by a new unit or by one of the province's units in being.
    ``copy_roles`` gives the predecessors' people their roles in the successor too.

    Only the province's unit administrators (and superusers), only for the province's units;
    refusals are ``UnitNotAllowed`` with a message for the user."""
    access = access_for(admin)
    if province.kind != UnitKind.PROVINCE or not (
        access.is_superuser or access.has_role(province.pk, Role.UNIT_ADMIN)
    ):
        raise UnitNotAllowed("Chỉ quản trị đơn vị của tỉnh mới sắp xếp được đơn vị của tỉnh.")
    olds = list({unit.pk: unit for unit in predecessors}.values())
    if not olds:
        raise UnitNotAllowed("Hãy chọn đơn vị cũ.")
    for unit in olds:
        if unit.province_id != province.pk or unit.kind in NOT_A_PROVINCES_UNIT:
            raise UnitNotAllowed(f"“{unit}” không phải đơn vị của {province}.")
    ended = UnitSuccession.objects.filter(predecessor__in=[u.pk for u in olds]).first()
    if ended is not None:
        raise UnitNotAllowed(f"“{ended.predecessor}” đã có quyết định sắp xếp.")
    if not nfc(basis).strip():
        raise UnitNotAllowed("Hãy ghi số, ký hiệu văn bản quyết định.")
    if (successor is None) == (not display_name(successor_name)):
        raise UnitNotAllowed("Chọn đơn vị kế thừa đã có hoặc ghi tên đơn vị mới (một trong hai).")
    if kind in NOT_A_PROVINCES_UNIT:
        raise UnitNotAllowed("Đơn vị kế thừa phải là một đơn vị của tỉnh.")
    if successor is None:
        successor = unit_add_provincial(
            province=province, name=successor_name, user=admin, kind=kind or olds[0].kind
        )
    if successor.pk in {u.pk for u in olds}:
        raise UnitNotAllowed("Đơn vị kế thừa phải khác đơn vị cũ.")
    if successor.province_id != province.pk or successor.kind in NOT_A_PROVINCES_UNIT:
        raise UnitNotAllowed(f"“{successor}” không phải đơn vị của {province}.")
    if UnitSuccession.objects.filter(predecessor=successor).exists():
        raise UnitNotAllowed(f"“{successor}” đã có quyết định sắp xếp, không nhận thêm đơn vị.")
    rows = []
    for unit in olds:
        succession_upsert(
            predecessor=unit,
            successor=successor,
            effective_on=effective_on,
            basis=basis,
            basis_date=basis_date,
            verified=verified,
            note=note,
        )
        rows.append(UnitSuccession.objects.get(predecessor=unit, successor=successor))
    if copy_roles:
        for membership in Membership.objects.filter(
            unit__in=[u.pk for u in olds], role__in=GRANTABLE
        ).select_related("user"):
            membership_ensure(user=membership.user, unit=successor, role=membership.role)
    return successor, rows
