"""Which units a user acts for, in which roles: the one place that reads memberships.

MINIMAL STAND-IN (issue 13's branch): the lead's full module (issue 11: successions,
reviewers, task visibility) replaces this file at merge. Only ``access_for(user)`` with
``units(*roles)``, ``has_role(unit_id, *roles)``, ``acting``, ``leading``, ``acts_for``,
``leads`` and ``is_superuser`` are provided, from memberships alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accounts.choices import Role
from accounts.models import Membership


@dataclass(frozen=True)
class Access:
    roles: frozenset[tuple[int, str]]
    is_superuser: bool = False

    def units(self, *roles: str) -> frozenset[int]:
        return frozenset(unit for unit, role in self.roles if role in roles)

    def has_role(self, unit_id: int | None, *roles: str) -> bool:
        return unit_id is not None and any((unit_id, role) in self.roles for role in roles)

    @property
    def acting(self) -> frozenset[int]:
        return self.units(Role.OFFICER, Role.LEADER)

    @property
    def leading(self) -> frozenset[int]:
        return self.units(Role.LEADER)

    def acts_for(self, unit_id: int) -> bool:
        return unit_id in self.acting

    def leads(self, unit_id: int) -> bool:
        return unit_id in self.leading


def access_for(user: Any, today: dt.date | None = None) -> Access:
    """The user's roles in units (one query; nothing for an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Access(frozenset())
    rows = Membership.objects.filter(user=user).values_list("unit_id", "role")
    return Access(frozenset(rows), is_superuser=bool(user.is_superuser))
