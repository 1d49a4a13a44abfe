"""The links REST API: create, list, read and delete short links."""

from __future__ import annotations

import hashlib
import json
import re

from flask import Blueprint, current_app, jsonify, request, url_for

from snipkit import ApiError, auth, body, keys

from . import invalidation, paging, store
from .validation import parse_new_link

bp = Blueprint("links", __name__, url_prefix="/api/links")
# Creating and deleting need the token web holds (API_TOKEN); reading does not.
auth.protect_writes(bp)

# Printable ASCII, as the Idempotency-Key draft (an sf-string) allows: a control
# character or NUL could not be stored, and is never part of a key a client means.
_IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def render(link: store.Link) -> dict:
    return {
        "code": link.code,
        "url": link.url,
        "short_url": f"{current_app.config['PUBLIC_BASE_URL']}/r/{link.code}",
        "created_at": _iso(link.created_at),
        "expires_at": _iso(link.expires_at),
    }


def _created(payload: dict, status: int = 201):
    response = jsonify(payload)
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for("links.read", code=payload["code"])
    return response


@bp.post("")
def create():
    data = body.json_object()
    new = parse_new_link(data, current_app.config["PUBLIC_BASE_URL"])
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _created(render(store.create(new)))
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1-255 printable ASCII characters")
    fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    status, payload = store.create_idempotent(key, fingerprint, new, render)
    if status != 201:
        return jsonify(payload), status
    return _created(payload)


@bp.get("")
def index():
    limit, after = paging.args()
    # One extra row tells whether there is a next page without a COUNT.
    rows = store.page(limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(items=[render(link) for link in rows], next_cursor=paging.cursor(rows[-1]) if more else None)


def _not_found(code: str) -> ApiError:
    return ApiError(404, "not_found", f"no link with code {code!r}")


@bp.get("/<code>")
def read(code: str):
    # A code no link can have (a NUL, a newline...) is answered without a query.
    link = store.get(code) if keys.CODE.fullmatch(code) else None
    if link is None:
        raise _not_found(code)
    return jsonify(render(link))


@bp.delete("/<code>")
def delete(code: str):
    """204 once no request that starts from now on is redirected by the link (see
    snipkit.linkcache); 503 naming Redis, with the link kept, when that cannot be promised."""
    if not keys.CODE.fullmatch(code) or not store.delete(code, invalidation.forget):
        raise _not_found(code)
    return "", 204
