"""One error shape for every API response: ``{"error": {"code": ..., "message": ...}}``.

Flask's own 404/405/413/415 become JSON too, so API clients never see an HTML error
page or a stack trace. Every 5xx is logged with its request id.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("snipkit.errors")


class ApiError(Exception):
    """An error to return to the client as JSON with ``status``."""

    def __init__(self, status: int, code: str, message: str, **details: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class ValidationError(ApiError):
    """422 with a message per invalid field."""

    def __init__(self, fields: dict[str, str]):
        names = ", ".join(sorted(fields))
        super().__init__(422, "validation_failed", f"invalid fields: {names}", fields=fields)


class DependencyUnavailable(ApiError):
    """503 naming the backing service or API that did not answer."""

    def __init__(self, dependency: str, reason: str = "did not answer"):
        super().__init__(503, "dependency_unavailable", f"{dependency} is unavailable: {reason}", dependency=dependency)
        self.dependency = dependency


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


def error_body(status: int, code: str, message: str, **details: Any) -> tuple[Any, int]:
    return jsonify({"error": {"code": code, "message": message, **details}}), status


def _code_for(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def init_app(app: Flask) -> None:
    """Register JSON handlers for API errors, HTTP errors and unexpected exceptions."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        if exc.status >= 500:
            log.error("%s: %s", exc.code, exc.message, extra={"path": request.path, "status": exc.status})
        return error_body(exc.status, exc.code, exc.message, **exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = exc.get_response()
        body, status = error_body(exc.code or 500, _code_for(exc), exc.description or exc.name)
        # Keep headers such as Allow on a 405.
        for name, value in response.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                body.headers[name] = value
        return body, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error", extra={"path": request.path, "status": 500})
        return error_body(500, "internal_error", "the server failed to handle this request")
