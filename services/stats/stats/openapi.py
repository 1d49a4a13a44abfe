"""The OpenAPI 3.1 description of the stats API, served at ``/openapi.json``.

tests/stats/test_openapi.py calls every operation and status listed here and checks
each response against its schema, so the document cannot drift from the behaviour.
"""

from __future__ import annotations

from snipkit import errors, keys, openapi

from . import params


def _json(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


_BAD = _json("A query parameter is invalid; error.parameter names it", "Error")
_UNAVAILABLE = _json("PostgreSQL is unavailable", "Error")
_WHEN = {"type": ["string", "null"], "format": "date-time"}
_TOTALS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["total", "last_click_at"],
    "properties": {"total": {"type": "integer", "minimum": 0}, "last_click_at": _WHEN},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "snip stats API", "version": "1.0.0", "description": "Click counts of short links."},
    "paths": {
        "/api/stats": {
            "get": {
                "operationId": "getTotals",
                "parameters": [
                    {
                        "name": "codes",
                        "in": "query",
                        "required": True,
                        "description": f"1 to {params.MAX_CODES} codes separated by commas; unknown codes get total 0",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"200": _json("Totals per code", "Totals"), "400": _BAD, "503": _UNAVAILABLE},
            }
        },
        "/api/stats/top": {
            "get": {
                "operationId": "getTop",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": params.MAX_LIMIT},
                    }
                ],
                "responses": {
                    "200": _json("The most clicked links, most first", "Top"),
                    "400": _BAD,
                    "503": _UNAVAILABLE,
                },
            }
        },
        "/api/stats/{code}": {
            "get": {
                "operationId": "getLinkStats",
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": keys.CODE.pattern},
                    },
                    {
                        "name": "window",
                        "in": "query",
                        "description": f"60m, 24h, 7d...; at most {params.MAX_WINDOW.days}d",
                        "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,4}[mhd]$"},
                    },
                    {
                        "name": "granularity",
                        "in": "query",
                        "description": f"default: minute up to 6h, else hour; at most {params.MAX_POINTS} points",
                        "schema": {"type": "string", "enum": list(params.GRANULARITIES)},
                    },
                ],
                "responses": {"200": _json("The link's clicks", "LinkStats"), "400": _BAD, "503": _UNAVAILABLE},
            }
        },
    },
    "components": {
        "schemas": {
            "Totals": {
                "type": "object",
                "required": ["items"],
                "properties": {"items": {"type": "object", "additionalProperties": _TOTALS}},
            },
            "Top": {
                "type": "object",
                "required": ["items"],
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {
                            **_TOTALS,
                            "required": ["code", *_TOTALS["required"]],
                            "properties": {"code": {"type": "string"}, **_TOTALS["properties"]},
                        },
                    }
                },
            },
            "LinkStats": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "total", "last_click_at", "granularity", "window", "series"],
                "properties": {
                    **_TOTALS["properties"],
                    "code": {"type": "string"},
                    "granularity": {"enum": list(params.GRANULARITIES)},
                    "window": {"type": "string"},
                    "series": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["start", "count"],
                            "properties": {
                                "start": {"type": "string", "format": "date-time"},
                                "count": {"type": "integer", "minimum": 0},
                            },
                        },
                    },
                },
            },
            "Error": errors.SCHEMA,
        }
    },
}

bp = openapi.blueprint(DOCUMENT)
