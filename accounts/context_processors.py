from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, object]:
    """Whether the navigation shows the overdue review (reviewers and monitoring bodies) and
    the delegations page (leaders)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from accounts.access import access_for
    from tasks.selectors import user_is_reviewer

    # Leaders (and deputies) see the delegations page (ủy quyền).
    return {"is_reviewer": user_is_reviewer(user), "leads_units": bool(access_for(user).leading)}
