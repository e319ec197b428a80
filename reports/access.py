"""Who may see which periodic report: read from ``accounts.access`` (the one access module).

A unit's officers and leaders see (and send) their unit's report; reviewers, the body that
reviews everything and administrators see every unit's report and the national summary."""

from __future__ import annotations

from accounts.access import access_for
from accounts.choices import Role
from accounts.models import Unit, User


def sees_all_reports(user: User) -> bool:
    access = access_for(user)
    return access.is_superuser or access.reviews_all or bool(access.units(Role.REVIEWER))


def sees_unit_report(user: User, unit: Unit, *, acting_only: bool = False) -> bool:
    access = access_for(user)
    if access.has_role(unit.pk, Role.OFFICER, Role.LEADER):
        return True
    return not acting_only and sees_all_reports(user)


def reviewer_unit(user: User) -> Unit | None:
    """The body a reviewer writes the summary for (its heading), if any."""
    ids = access_for(user).units(Role.REVIEWER)
    return Unit.objects.filter(pk__in=ids).order_by("-reviews_all", "name").first()


def report_units(user: User) -> list[Unit]:
    """The units whose periodic report the user acts for (officer or leader)."""
    ids = access_for(user).units(Role.OFFICER, Role.LEADER)
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))
