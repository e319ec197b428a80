from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, object]:
    """Whether the navigation shows the overdue review (reviewers and monitoring bodies)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tasks.selectors import user_is_reviewer

    return {"is_reviewer": user_is_reviewer(user)}
