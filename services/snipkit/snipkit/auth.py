"""Writes to an API need a bearer token, shared through a Secret with the callers
allowed to write (web): ``Authorization: Bearer <API_TOKEN>``.

The public entry (the Ingress) routes only web and ``/r/``; inside the cluster the APIs
answer anyone who can reach them, so a write must also show it comes from a caller
that holds the Secret. Reads stay open to those callers. Without ``API_TOKEN`` (``make
dev``, the tests) writes are open, and the service says so once at start-up.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, current_app, request

from .config import Setting
from .errors import ApiError

log = logging.getLogger("snipkit.auth")

MIN_LENGTH = 32
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def token(raw: str) -> str:
    """Parser for API_TOKEN: long enough that it cannot be guessed."""
    if len(raw) < MIN_LENGTH:
        raise ValueError(f"must be at least {MIN_LENGTH} characters; make one with: openssl rand -hex 32")
    return raw


SETTINGS = [
    Setting("API_TOKEN", token, None, secret=True, doc="bearer token every write must carry (unset: writes are open)"),
]


def protect_writes(bp: Blueprint) -> None:
    """Refuse a write to ``bp``'s routes with a 401 unless it carries the token."""

    @bp.before_request
    def _check_token():
        expected = current_app.config["API_TOKEN"]
        if expected is None or request.method not in WRITES:
            return
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {expected}".encode()):
            raise ApiError(
                401, "unauthorized", "writes need Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
            )


def warn_if_open(service: str, token_value: str | None) -> None:
    """Log once, at start-up, that ``service`` takes writes from anyone."""
    if token_value is None:
        log.warning("API_TOKEN is not set: anyone who can reach %s can create and delete", service)
