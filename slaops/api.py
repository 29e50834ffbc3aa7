"""API-wide pieces: the exception handler that keeps every error JSON."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a JSON 503 for a database that is away.

    A client never gets Django's HTML error page from the API: a lost database
    connection answers 503 with a body it can parse, and the request's
    transaction has rolled back, so nothing was half stored.
    """
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, DatabaseError):
        logger.exception("database error while serving %s", context.get("request"))
        return Response(
            {"detail": "The database is unavailable; nothing was stored. Retry shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return None
