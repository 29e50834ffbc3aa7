"""The API's only parser (kept apart from slaops.api, which imports DRF views: DRF settings import this)."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested deeper than Python's recursion limit is a 400.

    `[[[[...]]]]` a few thousand levels deep fits easily under the body size
    limit and makes `json.load` raise RecursionError, which DRF does not catch.
    """

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.")
