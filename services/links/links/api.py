"""The links REST API: create, list, read and delete short links."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging

from flask import Blueprint, current_app, jsonify, request, url_for

from snipkit import ApiError, body, cache, keys

from . import store
from .validation import parse_new_link

bp = Blueprint("links", __name__, url_prefix="/api/links")
log = logging.getLogger("links.api")

MAX_PAGE = 100
DEFAULT_PAGE = 20


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
    if not 1 <= len(key) <= 255:
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1-255 characters")
    fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    status, payload = store.create_idempotent(key, fingerprint, new, render)
    if status != 201:
        return jsonify(payload), status
    return _created(payload)


def _page_args() -> tuple[int, int | None]:
    raw_limit = request.args.get("limit", str(DEFAULT_PAGE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_PAGE:
        raise ApiError(400, "invalid_limit", f"limit must be a whole number from 1 to {MAX_PAGE}")
    cursor = request.args.get("cursor")
    if cursor is None:
        return int(raw_limit), None
    try:
        before_id = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid_cursor", "cursor is not one this API returned") from None
    return int(raw_limit), before_id


def _cursor(link_id: int) -> str:
    return base64.urlsafe_b64encode(str(link_id).encode()).decode().rstrip("=")


@bp.get("")
def index():
    limit, before_id = _page_args()
    # One extra row tells whether there is a next page without a COUNT.
    rows = store.page(limit + 1, before_id)
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(items=[render(link) for link in rows], next_cursor=_cursor(rows[-1].id) if more else None)


@bp.get("/<code>")
def read(code: str):
    link = store.get(code)
    if link is None:
        raise ApiError(404, "not_found", f"no link with code {code!r}")
    return jsonify(render(link))


@bp.delete("/<code>")
def delete(code: str):
    if not store.delete(code):
        raise ApiError(404, "not_found", f"no link with code {code!r}")
    try:
        cache.client().delete(keys.link(code))
    except cache.REDIS_ERRORS as exc:
        # The link is gone from PostgreSQL; the cached copy expires within REDIRECT_CACHE_TTL.
        log.warning("could not invalidate the redirect cache for %s: %s", code, exc)
    return "", 204
