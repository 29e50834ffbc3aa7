"""Per-API-key request rates (DRF throttling), shared by every web process through the cache."""

from __future__ import annotations

import logging

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .auth import request_api_key

logger = logging.getLogger(__name__)


class IntakeThrottle(SimpleRateThrottle):
    """INTAKE_THROTTLE_RATE per API key on intake, so a runaway client cannot starve the others.

    Counted in the shared cache (Redis when REDIS_URL is set). If the cache is
    unreachable the request is let through: losing the rate limit for a while
    is better than refusing every lead while Redis is down.
    """

    scope = "intake"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        key = request_api_key(request)
        return self.cache_format % {"scope": self.scope, "ident": key.pk if key else self.get_ident(request)}

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 — any cache failure: fail open, loudly
            logger.warning("intake throttle skipped, cache unavailable: %s", exc)
            return True
