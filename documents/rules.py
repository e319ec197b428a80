"""Who may enter documents and their tasks, and add a province's units: rules predicates over
``accounts.access`` (never memberships directly), shared by the pages and any API.

- A document is entered (created, edited, its table imported) by the secretariat (văn phòng)
  of its issuing unit; for a unit of a province (a sở, the provincial committee's agencies),
  also by the secretariat of the province or of any of its units: the provincial office
  enters the plans of its departments. Superusers may do anything.
- A missing provincial unit (an unknown "Sở" in a table) is added by the unit administrator
  or the secretariat of the province or of one of its units.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from accounts.access import access_for, provinces_of
from accounts.choices import Role, UnitKind
from accounts.models import Unit


def may_enter_for(user: Any, issuer: Unit | None) -> bool:
    """May ``user`` enter documents issued by ``issuer`` (None: any unit at all)?"""
    access = access_for(user)
    if access.is_superuser:
        return True
    secretariats = access.units(Role.SECRETARIAT)
    if issuer is None:
        return bool(secretariats)
    if issuer.pk in secretariats:
        return True
    province = issuer.province_id or (issuer.pk if issuer.kind == UnitKind.PROVINCE else None)
    return province is not None and province in provinces_of(user, Role.SECRETARIAT)


def issuers_for(user: Any) -> Any:
    """The units whose documents ``user`` may enter (a queryset for a form's choices)."""
    access = access_for(user)
    if access.is_superuser:
        return Unit.objects.all()
    secretariats = access.units(Role.SECRETARIAT)
    provinces = provinces_of(user, Role.SECRETARIAT)
    return Unit.objects.filter(
        Q(pk__in=secretariats) | Q(province_id__in=provinces) | Q(pk__in=provinces)
    )


def may_add_unit_in(user: Any, province: Unit | None) -> bool:
    """May ``user`` add a unit (a department, an alias) to ``province``?"""
    access = access_for(user)
    if access.is_superuser:
        return True
    if province is None:
        return False
    return province.pk in provinces_of(user, Role.UNIT_ADMIN, Role.SECRETARIAT)


@rules.predicate
def can_enter_document(user: Any, document: Any) -> bool:
    return may_enter_for(user, document.issuer if document is not None else None)


rules.add_perm("documents.enter_document", can_enter_document)


@rules.predicate
def can_add_unit_in_province(user: Any, province: Any) -> bool:
    return may_add_unit_in(user, province)


rules.add_perm("accounts.add_unit_in_province", can_add_unit_in_province)
