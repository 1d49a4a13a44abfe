"""One error shape for every API response: ``{"error": {"code": ..., "message": ...}}``.

Flask's own 404/405/413/415 become JSON too, so API clients never see an HTML error
page or a stack trace. Every 5xx is logged with its request id.

A service for people (``web``) calls :func:`render_pages` to answer errors in its page
blueprints, and at URLs that match no route, with its own HTML page instead. The same
handlers run either way, so logging and status codes cannot differ between the two;
the kit's ``/livez``, ``/readyz`` and ``/metrics`` keep answering as they always do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, jsonify, make_response, request
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

log = logging.getLogger("snipkit.errors")


class ApiError(Exception):
    """An error to return to the client as JSON with ``status``."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None, **details: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details


class ValidationError(ApiError):
    """422 with a message per invalid field."""

    def __init__(self, fields: dict[str, str]):
        names = ", ".join(sorted(fields))
        super().__init__(422, "validation_failed", f"invalid fields: {names}", fields=fields)


class ClientTimeout(TimeoutError):
    """The client did not send its request, or read its response, in time (raised by
    :mod:`snipkit.worker` under gunicorn): a 408, and the connection closes."""


class DependencyUnavailable(ApiError):
    """503 naming the backing service or API that did not answer."""

    def __init__(self, dependency: str, reason: str = "did not answer"):
        super().__init__(503, "dependency_unavailable", f"{dependency} is unavailable: {reason}", dependency=dependency)
        self.dependency = dependency


#: Renders an error as a page: ``render(status, code, message, details) -> (Response, status)``.
PageRenderer = Callable[[int, str, str, dict[str, Any]], Any]


#: The JSON Schema of every error body, for each service's OpenAPI document.
SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


#: What the server itself answers (see snipkit.worker), before any route runs: any
#: operation of an API may get these, so each service's OpenAPI document lists them.
SERVER_STATUSES = {
    400: "The request could not be parsed: its request line or a header is malformed",
    408: "The request did not arrive within CLIENT_TIMEOUT_S (10 s by default)",
    414: "The request line is longer than 4094 bytes",
    431: "A header is longer than 8190 bytes, or there are more than 100",
}


def with_server_statuses(responses: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI operation's ``responses`` with :data:`SERVER_STATUSES` added (a status
    the operation already documents has the server's cause added to its description)."""
    merged = dict(responses)
    for status, description in SERVER_STATUSES.items():
        if str(status) in merged:
            own = merged[str(status)]
            merged[str(status)] = {
                **own,
                "description": f"{own['description']}; or: {description[0].lower()}{description[1:]}",
            }
        else:
            merged[str(status)] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
    return merged


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (libpq's run to several), or its type."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def error_body(status: int, code: str, message: str, **details: Any) -> tuple[Any, int]:
    return jsonify({"error": {"code": code, "message": message, **details}}), status


def json_error(code: str, message: str) -> bytes:
    """The same shape as bytes, for the server to answer with where no app runs."""
    return json.dumps({"error": {"code": code, "message": message}}).encode() + b"\n"


def render_pages(app: Flask, render: PageRenderer, blueprints: Iterable[str]) -> None:
    """Answer errors raised in ``blueprints``, and at URLs matching no route, with ``render``.

    Every other endpoint keeps the JSON error body, so probes and API clients of the
    same app see no difference.
    """
    app.extensions["snipkit.error_pages"] = (render, frozenset(blueprints))


def _answer(status: int, code: str, message: str, **details: Any):
    render, blueprints = current_app.extensions.get("snipkit.error_pages", (None, frozenset()))
    # No url_rule: the URL matched no route (404/405), so no blueprint claims it.
    if render is not None and (request.blueprint in blueprints or request.url_rule is None):
        return render(status, code, message, details)
    return error_body(status, code, message, **details)


def _code_for(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def init_app(app: Flask) -> None:
    """Register JSON handlers for API errors, HTTP errors and unexpected exceptions."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        if exc.status >= 500:
            log.error("%s: %s", exc.code, exc.message, extra={"path": request.path, "status": exc.status})
        body, status = _answer(exc.status, exc.code, exc.message, **exc.details)
        response = make_response(body, status)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(ClientTimeout)
    def _client_timeout(exc: ClientTimeout):
        return _answer(408, "request_timeout", str(exc))

    @app.errorhandler(ClientDisconnected)
    def _client_disconnected(exc: ClientDisconnected):
        # Werkzeug reports any failure to read the body as a disconnect; a body that did
        # not arrive in time is the client's timeout.
        if isinstance(exc.__context__, ClientTimeout):
            return _client_timeout(exc.__context__)
        return _http_error(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = exc.get_response()
        message = exc.description or exc.name
        if isinstance(exc, RequestEntityTooLarge):
            # Werkzeug's text says only that the data "exceeds the capacity limit".
            limit = current_app.config["MAX_CONTENT_LENGTH"]
            message = f"the body is larger than {limit} bytes, the most accepted here"
        body, status = _answer(exc.code or 500, _code_for(exc), message)
        # Keep headers such as Allow on a 405.
        for name, value in response.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                body.headers[name] = value
        return body, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error", extra={"path": request.path, "status": 500})
        return _answer(500, "internal_error", "the server failed to handle this request")
