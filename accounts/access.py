"""STUB of the lead's access module (issue 11), enough for the reports app on this branch.

The lead's ``accounts/access.py`` replaces this file at merge; its API is a superset
(successions, reviewed documents). Memberships only here, no successions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.choices import Role
from accounts.models import Membership, User


@dataclass(frozen=True)
class Access:
    _roles: frozenset[tuple[int, str]]
    _reviews_all_units: frozenset[int]
    is_superuser: bool

    def units(self, *roles: str) -> frozenset[int]:
        return frozenset(unit for unit, role in self._roles if role in roles)

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

    def has_role(self, unit_id: int, *roles: str) -> bool:
        return any((unit_id, role) in self._roles for role in roles)

    @property
    def reviews_all(self) -> bool:
        return self.is_superuser or bool(self._reviews_all_units)


def access_for(user: User, today: dt.date | None = None) -> Access:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(frozenset(), frozenset(), False)
    rows = list(
        Membership.objects.filter(user=user).values_list("unit_id", "role", "unit__reviews_all")
    )
    return Access(
        _roles=frozenset((unit, role) for unit, role, _ in rows),
        _reviews_all_units=frozenset(
            unit for unit, role, everything in rows if role == Role.REVIEWER and everything
        ),
        is_superuser=user.is_superuser,
    )
