"""A service's OpenAPI document, served at ``/openapi.json``.

Every operation also lists what the server answers before any route runs (gunicorn's
refusals, slow clients: :data:`snipkit.errors.SERVER_STATUSES`), so each service's
document names only its own statuses.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from .errors import with_server_statuses


def blueprint(document: dict[str, Any]) -> Blueprint:
    """The blueprint serving ``document``, which gains the server's statuses in place
    (tests read the document they import as the one served)."""
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"] = with_server_statuses(operation["responses"])
    bp = Blueprint("openapi", __name__)

    @bp.get("/openapi.json")
    def document_json():
        return jsonify(document)

    return bp
