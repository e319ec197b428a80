"""API throttling, in its own module: DRF imports it from settings, so it must not import
anything that reads DRF's settings (portal.api does, through the views)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (each token has its own budget); a browser session counts
    per user. Over the rate: 429 with Retry-After and the error format."""

    scope = "token"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        from accounts.models import ApiToken

        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
