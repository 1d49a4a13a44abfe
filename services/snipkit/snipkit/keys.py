"""The Redis key layout shared by the services (documented in docs/architecture.md).

``{prefix}link:{code}``  redirect cache: JSON ``{"url": ..., "expires_ms": ...}``, or
                         ``{"url": null}`` for an unknown code; written by ``redirect``, deleted by
                         ``links`` when a link is deleted.
``{prefix}deleted:{code}`` tombstone: set by ``links`` for a minute when it deletes the link;
                         while it exists no cache fill of that code lands (:mod:`snipkit.linkcache`).
``{prefix}clicks``       click-event stream (XADD by ``redirect``, read by ``stats-worker``).
"""

from __future__ import annotations

import re

from flask import current_app

#: What any service accepts as a short code before using it in a key or a query; links
#: issues a stricter subset. Anything else cannot name a link, so it is refused early.
#: Match it with ``fullmatch``: ``$`` alone also matches before a final newline, so
#: ``CODE.match("abc\n")`` succeeds. The anchors stay for the OpenAPI documents, whose
#: JSON Schema patterns are unanchored otherwise.
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def prefix() -> str:
    return current_app.config["REDIS_KEY_PREFIX"]


def link(code: str, key_prefix: str | None = None) -> str:
    return f"{key_prefix if key_prefix is not None else prefix()}link:{code}"


def deleted(code: str, key_prefix: str | None = None) -> str:
    return f"{key_prefix if key_prefix is not None else prefix()}deleted:{code}"


def clicks(key_prefix: str | None = None) -> str:
    return f"{key_prefix if key_prefix is not None else prefix()}clicks"
