"""Which units a user acts for, and in which role (minimal stand-in).

The lead's full module (issue 11: successions, reviewers' documents, ``task_visible_to``)
replaces this file at merge; this branch needs only ``access_for(user).units(...)``,
``.leading`` and ``.has_role(...)``, answered from memberships alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from accounts.choices import Role
from accounts.models import Membership


@dataclass
class Access:
    user: Any
    today: dt.date | None = None

    @cached_property
    def _roles(self) -> dict[int, frozenset[str]]:
        if not getattr(self.user, "is_authenticated", False):
            return {}
        roles: dict[int, set[str]] = {}
        for unit_id, role in Membership.objects.filter(user=self.user).values_list(
            "unit_id", "role"
        ):
            roles.setdefault(unit_id, set()).add(role)
        return {unit_id: frozenset(r) for unit_id, r in roles.items()}

    def units(self, *roles: str) -> frozenset[int]:
        return frozenset(u for u, held in self._roles.items() if held & set(roles))

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
        return bool(self._roles.get(unit_id, frozenset()) & set(roles))

    @property
    def is_superuser(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False))


def access_for(user: Any, today: dt.date | None = None) -> Access:
    return Access(user, today)
