"""API throttling, in its own module: DRF imports it from settings, so it must not import
anything that reads DRF's settings (portal.api does, through the views)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (each token has its own budget); a browser session counts
    per user. Counted in CACHES["throttle"] (Redis in production), so every process shares
    one budget. Over the rate: 429 with Retry-After and the error format. While the cache
    does not answer, requests go through: the throttle is not a security control and a
    report save must never depend on Redis."""

    scope = "token"

    @property  # type: ignore[override]
    def cache(self) -> Any:
        return caches["throttle"]

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        from accounts.models import ApiToken

        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # redis-py's errors, OSError: the cache is unreachable
            logger.warning("API throttle skipped, its cache does not answer: %s", exc)
            return True
