"""Who may enter, approve and return indicator values, as rules predicates.

The object is an ``IndicatorValue`` (saved or not: a new value is checked before it exists).
A value belongs to its scope: the officers and leaders of a unit that IS the scope or whose
province is the scope (Lai Châu's values are entered by the units of tỉnh Lai Châu).
"""

from __future__ import annotations

import rules
from django.db.models import Q

from accounts.choices import Role
from accounts.models import Membership, User
from indicators.models import IndicatorValue


def _in_scope(user: User, value: IndicatorValue, roles: tuple[str, ...]) -> bool:
    scope_id = value.scope_id
    return (
        Membership.objects.filter(user=user, role__in=roles)
        .filter(Q(unit_id=scope_id) | Q(unit__province_id=scope_id))
        .exists()
    )


@rules.predicate
def is_officer_for_value(user: User, value: IndicatorValue) -> bool:
    """An officer or leader of a unit of the value's province (or of the scope unit itself)."""
    return _in_scope(user, value, (Role.OFFICER, Role.LEADER))


@rules.predicate
def is_leader_for_value(user: User, value: IndicatorValue) -> bool:
    return _in_scope(user, value, (Role.LEADER,))


@rules.predicate
def is_reviewer_of_value(user: User, value: IndicatorValue) -> bool:
    """A reviewer at a body that reviews all documents, or monitors the indicator's document."""
    reviewing = Membership.objects.filter(user=user, role=Role.REVIEWER)
    if reviewing.filter(unit__reviews_all=True).exists():
        return True
    return reviewing.filter(unit__monitored_documents=value.indicator.document_id).exists()


rules.add_perm("indicators.enter_value", is_officer_for_value)
rules.add_perm("indicators.approve_value", is_leader_for_value)
# As for reports (portal.workflow): only the scope's leaders return or reopen a value.
rules.add_perm("indicators.return_value", is_leader_for_value)
rules.add_perm("indicators.reopen_value", is_leader_for_value)
