"""The OpenAPI 3 description of the links API, served at ``/openapi.json``.

Every route and status listed here is exercised against the running app by
tests/links/test_openapi.py, so the document cannot drift from the behaviour.
"""

from __future__ import annotations

from snipkit import errors, openapi

from .codes import CUSTOM_PATTERN
from .paging import MAX_PAGE
from .validation import MAX_URL_LENGTH


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_LINK = {"description": "The link", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Link"}}}}
_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
_UNAVAILABLE = _error("PostgreSQL is unavailable")
_UNAUTHORIZED = _error("links has an API_TOKEN and the request did not carry it as Authorization: Bearer")
# Writes need the token when links has one (snipkit.auth); reads never do.
_WRITE = {"security": [{"apiToken": []}]}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "snip links API",
        "version": "1.0.0",
        "description": "Create, list, read and delete short links.",
    },
    "paths": {
        "/api/links": {
            "post": {
                "operationId": "createLink",
                **_WRITE,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "Retrying a POST with the same key and body returns the same link.",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewLink"}}},
                },
                "responses": {
                    "201": _LINK,
                    "400": _error("The body is not JSON, not an object, or the Idempotency-Key is invalid"),
                    "401": _UNAUTHORIZED,
                    "409": _error("The requested code is taken"),
                    "410": _error("The link this Idempotency-Key created has been deleted since"),
                    "413": _error("The body is larger than 16 KiB"),
                    "415": _error("The body is not declared as application/json"),
                    "422": _error("A field is invalid, or an Idempotency-Key was reused with another body"),
                    "503": _UNAVAILABLE,
                },
            },
            "get": {
                "operationId": "listLinks",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "A page of links, newest first",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LinkPage"}}},
                    },
                    "400": _error("limit or cursor is invalid"),
                    "503": _UNAVAILABLE,
                },
            },
        },
        "/api/links/{code}": {
            "get": {
                "operationId": "getLink",
                "parameters": [_CODE],
                "responses": {"200": _LINK, "404": _error("No link has this code"), "503": _UNAVAILABLE},
            },
            "delete": {
                "operationId": "deleteLink",
                **_WRITE,
                "parameters": [_CODE],
                "responses": {
                    "204": {"description": "Deleted: no redirect that starts from now on follows it"},
                    "401": _UNAUTHORIZED,
                    "404": _error("No link has this code"),
                    "503": _error("PostgreSQL is unavailable, or Redis is, and then nothing was deleted"),
                },
            },
        },
    },
    "components": {
        "securitySchemes": {"apiToken": {"type": "http", "scheme": "bearer", "description": "links' API_TOKEN"}},
        "schemas": {
            "NewLink": {
                "type": "object",
                "additionalProperties": False,
                "required": ["url"],
                "properties": {
                    "url": {"type": "string", "format": "uri", "maxLength": MAX_URL_LENGTH, "pattern": "^https?://"},
                    "code": {"type": "string", "pattern": CUSTOM_PATTERN.pattern},
                    "expires_at": {"type": "string", "format": "date-time", "nullable": True},
                },
            },
            "Link": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "url", "short_url", "created_at", "expires_at"],
                "properties": {
                    "code": {"type": "string"},
                    "url": {"type": "string"},
                    "short_url": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "expires_at": {"type": "string", "format": "date-time", "nullable": True},
                },
            },
            "LinkPage": {
                "type": "object",
                "additionalProperties": False,
                "required": ["items", "next_cursor"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
                    "next_cursor": {"type": "string", "nullable": True},
                },
            },
            "Error": errors.SCHEMA,
        },
    },
}

bp = openapi.blueprint(DOCUMENT)
