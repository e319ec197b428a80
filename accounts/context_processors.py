from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, object]:
    """What the navigation offers the user: the overdue review (reviewers and monitoring
    bodies), document entry (secretariats, ``documents.rules``), the unit administration
    pages (unit administrators) and the delegations page (leaders and deputies). All from
    the request's one ``access_for``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from accounts.access import access_for
    from accounts.choices import Role
    from documents.rules import may_enter_for
    from tasks.selectors import user_is_reviewer

    access = access_for(user)
    return {
        "is_reviewer": user_is_reviewer(user),
        "can_enter_documents": may_enter_for(user, None),
        "is_unit_admin": bool(access.units(Role.UNIT_ADMIN)),
        "leads_units": bool(access.leading),
    }
