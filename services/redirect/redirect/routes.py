"""``GET /r/<code>``: the redirect itself, the suite's hot path."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, request

from snipkit import ApiError, keys

from . import clicks, lookup

bp = Blueprint("redirect", __name__)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}}</style>
</head><body><h1>{title}</h1><p>The short link <code>{code}</code> {text}.</p></body></html>
"""
_PROBLEMS = {
    lookup.MISSING: (404, "not_found", "Link not found", "does not exist"),
    lookup.GONE: (410, "expired", "This link has expired", "is no longer active"),
}


def _wants_json() -> bool:
    # Browsers send text/html first; API clients and tests ask for JSON explicitly.
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@bp.get("/r/<code>")
def follow(code: str):
    """302 to the link's URL (one click event); 404 unknown, 410 expired (HTML or JSON)."""
    click_id = clicks.new_id()
    # A code no link can have is answered without touching Redis or PostgreSQL.
    outcome = lookup.resolve(code, click_id) if keys.CODE.fullmatch(code) else lookup.Outcome(lookup.MISSING)
    if outcome.status == lookup.FOUND:
        if not outcome.clicked:
            clicks.emit(code, click_id)
        # A bare 302: flask.redirect's HTML body and URL quoting cost a third of this
        # route's CPU, and the cached URL is already quoted (see lookup).
        return Response(status=302, headers={"Location": outcome.url})
    status, error, title, text = _PROBLEMS[outcome.status]
    if _wants_json():
        raise ApiError(status, error, f"the link {code!r} {text}")
    page = _PAGE.format(title=title, code=escape(code), text=text)
    return page, status, {"Content-Type": "text/html; charset=utf-8"}
