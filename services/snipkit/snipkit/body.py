"""Reading a request body with a clear 4xx for every way it can be wrong."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ApiError

#: Deeper JSON is refused before anything recurses over it: no API here takes more
#: than an object of plain values, and Python's json raises RecursionError at ~1000.
MAX_DEPTH = 32


def json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    415 when the body is not declared as JSON; 400 when it does not parse, is not an
    object, nests deeper than :data:`MAX_DEPTH` or holds a string with a lone UTF-16
    surrogate (``"\\ud800"``: valid JSON, but no UTF-8 text, so PostgreSQL could never
    store it); 413 (see :func:`init_app`) when it exceeds ``MAX_BODY_BYTES``.
    """
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise _malformed(f"the body is nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _malformed(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _malformed("the body must be a JSON object")
    problem = _unstorable(data)
    if problem:
        raise _malformed(problem)
    return data


def _malformed(message: str) -> ApiError:
    return ApiError(400, "malformed_json", message)


def _unstorable(data: Any) -> str | None:
    """Why ``data`` cannot be taken as it is, or None. Iterative, so depth cannot hurt."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"the body is nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _is_unicode_text(value):
            return "the body holds a string with a lone surrogate (\\ud800-\\udfff), which is not text"
    return None


def _is_unicode_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _buffer_chunked_body() -> None:
    """Read a chunked body here, so that one over the limit is a 413 like any other.

    With ``Content-Length`` Werkzeug refuses an oversized body before reading it. A
    chunked body has no length, and Werkzeug then stops reading at ``MAX_CONTENT_LENGTH``
    and hands over what it has, silently cut short: a truncated form or JSON document
    that may still parse. One byte more than the limit tells the two cases apart; the
    body that fits is then passed on with its length, as if it had been sent with one
    (and no ``Transfer-Encoding``, which would otherwise make Werkzeug ignore the length).
    """
    environ = request.environ
    if environ.get("CONTENT_LENGTH") or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    raw = environ["wsgi.input"].read(limit + 1)
    if len(raw) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(raw)
    environ["CONTENT_LENGTH"] = str(len(raw))
    del environ["HTTP_TRANSFER_ENCODING"]


def init_app(app: Flask) -> None:
    """Make every request body, chunked or not, obey ``MAX_CONTENT_LENGTH`` with a 413."""
    app.before_request(_buffer_chunked_body)
