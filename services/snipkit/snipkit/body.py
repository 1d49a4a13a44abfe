"""Reading a JSON request body with a clear 4xx for every way it can be wrong."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from .errors import ApiError


def json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    415 when the body is not declared as JSON, 400 when it does not parse or is not an
    object; Flask answers 413 on its own when it exceeds ``MAX_CONTENT_LENGTH``.
    """
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "the body must be a JSON object")
    return data
