"""The API's JSON parser, bounded in size and depth. Its own module: DRF's settings import it
while ``rest_framework.views`` is being imported, so it must not import the views itself
(``portal.api`` does)."""

from __future__ import annotations

import io
from typing import Any

from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Yêu cầu quá lớn."
    default_code = "too_large"


def json_depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's parser, bounded: a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 read no
    further, one nested deeper than API_JSON_MAX_DEPTH (or deep enough to exhaust Python's
    recursion, about 1,000) a 400, both in the error format."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"Dữ liệu JSON quá lớn: tối đa {limit // 1024} KB.")
        too_deep = exceptions.ParseError(
            f"JSON lồng quá sâu: tối đa {settings.API_JSON_MAX_DEPTH} cấp."
        )
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if json_depth(data) > settings.API_JSON_MAX_DEPTH:
            raise too_deep
        return data
