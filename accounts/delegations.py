"""Delegations (ủy quyền): a unit's leader hands their approvals to a deputy for a period.

The access rule that carries a delegation is in ``accounts.access`` (``load_grants``,
``Access.delegated_by``); this module writes and lists the rows. Rules of a delegation:
- the delegating leader leads the unit in their own name (a deputy does not delegate on);
- the deputy is an active member of the unit who does not lead it already;
- the period runs from ``starts_on`` to ``ends_on``, both included, not before today
  (Asia/Ho_Chi_Minh);
- the same leader has no other delegation of the same unit, not revoked, overlapping it;
- revoking (by the delegating leader or another leader of the unit) ends it at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import access_for, forget_access
from accounts.choices import Role
from accounts.models import Delegation, Membership, Unit, User
from portal.vietnamese import nfc

NOTE_MAX = 500


class DelegationError(Exception):
    """Refused; ``message`` is for the user (Vietnamese). Nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def leads_in_own_name(user: Any, unit: Unit) -> bool:
    """A leader of ``unit`` by membership (not a deputy under a delegation)."""
    return Membership.objects.filter(user=user, unit=unit, role=Role.LEADER).exists()


def units_delegable_by(user: Any) -> QuerySet[Unit]:
    """Units whose approvals ``user`` may delegate: those they lead in their own name."""
    return Unit.objects.filter(memberships__user=user, memberships__role=Role.LEADER).distinct()


def deputy_candidates(unit: Unit, leader: Any) -> QuerySet[User]:
    """Active members of ``unit`` who do not lead it: whom a leader may delegate to."""
    leaders = Membership.objects.filter(unit=unit, role=Role.LEADER).values("user_id")
    return (
        User.objects.filter(memberships__unit=unit, is_active=True)
        .exclude(pk__in=leaders)
        .exclude(pk=leader.pk)
        .distinct()
        .order_by("full_name", "username")
    )


@transaction.atomic
def delegation_create(
    *,
    unit: Unit,
    leader: User,
    deputy: User,
    starts_on: dt.date,
    ends_on: dt.date,
    note: str = "",
    today: dt.date,
) -> Delegation:
    """``leader`` hands their approvals for ``unit`` to ``deputy`` from ``starts_on`` to
    ``ends_on`` (both included)."""
    if not leads_in_own_name(leader, unit):
        raise DelegationError("Chỉ lãnh đạo đơn vị mới được ủy quyền duyệt của đơn vị này.")
    # Serialise the leader's delegations: two at once must not both pass the overlap test.
    User.objects.select_for_update().filter(pk=leader.pk).first()
    if deputy.pk == leader.pk:
        raise DelegationError("Không ủy quyền cho chính mình.")
    if not deputy_candidates(unit, leader).filter(pk=deputy.pk).exists():
        raise DelegationError(
            "Người được ủy quyền phải là thành viên đang hoạt động của đơn vị và không phải "
            "lãnh đạo đơn vị."
        )
    if ends_on < starts_on:
        raise DelegationError("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    if starts_on < today:
        raise DelegationError("Ngày bắt đầu không được trước ngày hôm nay.")
    overlapping = Delegation.objects.filter(
        unit=unit,
        from_user=leader,
        revoked_at__isnull=True,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    ).first()
    if overlapping is not None:
        raise DelegationError(
            f"Đã có ủy quyền cho {overlapping.to_user} từ {overlapping.starts_on:%d/%m/%Y} "
            f"đến {overlapping.ends_on:%d/%m/%Y} trùng thời gian; hãy thu hồi trước."
        )
    note = nfc(note)
    if len(note) > NOTE_MAX:
        raise DelegationError(f"Ghi chú tối đa {NOTE_MAX} ký tự.")
    delegation = Delegation(
        unit=unit,
        from_user=leader,
        to_user=deputy,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=leader,
    )
    delegation._history_user = leader  # type: ignore[attr-defined]
    delegation.full_clean()
    delegation.save()
    forget_access(deputy)
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation_id: int, user: User) -> Delegation:
    """End a delegation now: by its leader or another leader of the unit in their own name."""
    delegation = Delegation.objects.select_for_update().select_related("unit").get(pk=delegation_id)
    if delegation.from_user_id != user.pk and not leads_in_own_name(user, delegation.unit):
        raise DelegationError("Chỉ lãnh đạo đơn vị mới được thu hồi ủy quyền.")
    if delegation.revoked_at is not None:
        raise DelegationError("Ủy quyền này đã được thu hồi.")
    delegation.revoked_at = timezone.now()
    delegation._history_user = user  # type: ignore[attr-defined]
    delegation.save(update_fields=["revoked_at"])
    return delegation


def delegations_of(unit: Unit) -> QuerySet[Delegation]:
    """A unit's delegations, newest first, with the people named."""
    return Delegation.objects.filter(unit=unit).select_related("from_user", "to_user")


def delegators(user: Any) -> dict[int, User]:
    """The leaders whose delegations ``user`` acts under today, by id (one query, none
    without delegations): for "(thừa ủy quyền của ...)" beside what they decide."""
    ids = set(access_for(user).delegations.values())
    return User.objects.in_bulk(ids) if ids else {}
