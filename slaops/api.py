"""API-wide pieces that keep every failure a JSON answer a client can act on.

- `exception_handler`: DRF's handler, plus JSON for database failures.
- `BodySizeLimitMiddleware`: refuses an oversized API body before anything reads it.
- `DatabaseUnavailableMiddleware`: a database that went away while a non-DRF
  view ran answers 503 (JSON under /api/ and /healthz), never a stack trace.
- `server_error`: Django's last resort (handler500) answers JSON under /api/.
- `slaops.parsers.JSONParser` (its own module: DRF settings import it): nested-too-deep JSON is a 400.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found as html_page_not_found
from django.views.defaults import server_error as html_server_error
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

UNAVAILABLE = "The database is unavailable; nothing was stored. Retry shortly."
INTERNAL = "Internal error; nothing was stored. Retry, or report it if it persists."

# A lost connection, a server restarting or refusing connections: the request
# can simply be retried. Other database errors (a constraint we did not expect)
# are bugs, so they answer 500 — still JSON, still with nothing half stored.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/healthz")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a JSON answer for a database failure.

    A client never gets Django's HTML error page from the API: a lost database
    connection answers 503 with a body it can parse, and the request's
    transaction has rolled back, so nothing was half stored.
    """
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, CONNECTION_ERRORS):
        logger.warning("database unavailable while serving %s: %s", context.get("request"), exc)
        return Response(
            {"detail": UNAVAILABLE, "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError):
        logger.exception("database error while serving %s", context.get("request"))
        return Response({"detail": INTERNAL, "code": "database_error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return None


class BodySizeLimitMiddleware:
    """Answer 413 with JSON for an API body over DATA_UPLOAD_MAX_MEMORY_SIZE.

    DRF's JSON parser reads the request stream directly, which bypasses
    Django's own limit (that one only guards `request.body` and form parsing),
    so without this a client could make a worker buffer any amount.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
            if length > limit:
                return JsonResponse(
                    {"detail": f"Request body is {length} bytes; the limit is {limit}.", "max_bytes": limit},
                    status=413,
                )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection inside any view into a 503.

    DRF views already answer through `exception_handler`; this covers plain
    Django views (pages, /healthz, the admin) so nothing answers a stack trace
    or Django's HTML 500 because Postgres restarted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CONNECTION_ERRORS):
            return None
        logger.warning("database unavailable while serving %s: %s", request.path, exception)
        if _wants_json(request):
            response: HttpResponse = JsonResponse({"detail": UNAVAILABLE, "code": "database_unavailable"}, status=503)
        else:
            response = HttpResponse(
                "The service is briefly unavailable. Nothing was saved; please retry in a few seconds.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response["Retry-After"] = "5"
        return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: JSON under /api/ (503 when the database is away), Django's page elsewhere.

    Reached only for failures outside a view (middleware, URL resolution) or
    bugs that nothing above caught; it runs inside Django's `except` block, so
    the exception is still available.
    """
    exc = sys.exc_info()[1]
    if _wants_json(request):
        if isinstance(exc, CONNECTION_ERRORS):
            return JsonResponse({"detail": UNAVAILABLE, "code": "database_unavailable"}, status=503)
        return JsonResponse({"detail": INTERNAL, "code": "internal_error"}, status=500)
    return html_server_error(request, template_name)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/ (a client parsing answers never meets HTML), Django's page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return html_page_not_found(request, exception)


# --- OpenAPI: the error answers every operation can give ---------------------------------------

_ERROR = {
    "type": "object",
    "description": "`detail` says what went wrong.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
_FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Each bad field (nested fields as nested objects; batch items as `[i].field`) "
        "maps to a list of messages; `detail` for a body that is not JSON."
    ),
    "additionalProperties": True,
}
_COMMON = {
    "401": "No API key, an unknown one, or a revoked one",
    "403": "The key's scope or the user's role does not allow this",
    "503": "The database is briefly unavailable; nothing was stored; retry",
}
_WITH_BODY = {
    "413": "The body is larger than the limit",
    "415": "The body is not JSON",
    "429": "This key is sending too fast; retry after `Retry-After` seconds",
}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: document the errors the whole API shares.

    Views declare their own success and 400 answers; authentication, scope,
    size limits, throttling and a lost database answer the same way
    everywhere, so they are added here once, and schemathesis holds every
    operation to them.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", _ERROR)
    components.setdefault("FieldErrors", _FIELD_ERRORS)

    def ref(name: str, description: str) -> dict[str, Any]:
        schema = {"$ref": f"#/components/schemas/{name}"}
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            extra = dict(_COMMON)
            if "requestBody" in operation:
                extra |= _WITH_BODY
            if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
                extra["404"] = "No such object (or not visible to the caller), or a page past the end"
            for param in operation.get("parameters", []):
                # Filters treat `?grade=` as "not given" (django-filter), so say the empty value is allowed.
                if param.get("in") == "query":
                    param["allowEmptyValue"] = True
            for code, description in extra.items():
                responses.setdefault(code, ref("Error", description))
            if "requestBody" in operation or operation.get("parameters"):
                current = responses.get("400")
                described = current.get("description") if current else None
                responses["400"] = ref("FieldErrors", described or "Bad input; the body names each bad field")
    return result
