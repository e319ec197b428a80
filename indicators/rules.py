"""Who may enter, approve and return indicator values, as rules predicates.

The object is an ``IndicatorValue`` (saved or not: a new value is checked before it exists).
A value belongs to its scope: the officers and leaders of a unit that IS the scope or whose
province is the scope (Lai Châu's values are entered by the units of tỉnh Lai Châu), and of
their successors (``accounts.access.indicator_scopes``).
"""

from __future__ import annotations

import rules

from accounts.access import access_for, indicator_scopes
from accounts.choices import Role
from accounts.models import User
from indicators.models import IndicatorValue


@rules.predicate
def is_officer_for_value(user: User, value: IndicatorValue) -> bool:
    """An officer or leader of a unit of the value's province (or of the scope unit itself)."""
    return value.scope_id in indicator_scopes(user, Role.OFFICER, Role.LEADER)


@rules.predicate
def is_leader_for_value(user: User, value: IndicatorValue) -> bool:
    return value.scope_id in indicator_scopes(user, Role.LEADER)


@rules.predicate
def is_reviewer_of_value(user: User, value: IndicatorValue) -> bool:
    """A reviewer at a body that reviews all documents, or monitors the indicator's document."""
    return access_for(user).reviews_document(value.indicator.document_id)


rules.add_perm("indicators.enter_value", is_officer_for_value)
rules.add_perm("indicators.approve_value", is_leader_for_value)
# As for reports (portal.workflow): only the scope's leaders return or reopen a value.
rules.add_perm("indicators.return_value", is_leader_for_value)
rules.add_perm("indicators.reopen_value", is_leader_for_value)
