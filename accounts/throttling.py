"""Per-API-key request rates (DRF throttling), shared by every web process through the cache."""

from __future__ import annotations

import logging
import time

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
        # A fixed-window counter (one INCR per request) rather than DRF's sliding
        # history, which reads and rewrites a list of every request time in the
        # window — thousands of entries per call at intake rates.
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.wait_seconds = (window + 1) * self.duration - now
        counter = f"{self.key}:{window}"
        try:
            self.cache.add(counter, 0, timeout=int(self.duration) + 1)
            count = self.cache.incr(counter)
        except ValueError:  # the window's key expired between add and incr
            self.cache.set(counter, 1, timeout=int(self.duration) + 1)
            count = 1
        except Exception as exc:  # noqa: BLE001 — any cache failure: fail open, loudly
            logger.warning("intake throttle skipped, cache unavailable: %s", exc)
            return True
        return count <= self.num_requests

    def wait(self) -> float | None:
        return getattr(self, "wait_seconds", None)
