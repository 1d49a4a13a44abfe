"""The Redis key layout shared by the services (documented in docs/architecture.md).

``{prefix}link:{code}``  redirect cache: JSON ``{"url": ..., "expires_at": ...}`` or the
                         negative-cache marker; written by ``redirect``, deleted by
                         ``links`` when a link is deleted.
``{prefix}clicks``       click-event stream (XADD by ``redirect``, read by ``stats-worker``).
"""

from __future__ import annotations

from flask import current_app


def prefix() -> str:
    return current_app.config["REDIS_KEY_PREFIX"]


def link(code: str, key_prefix: str | None = None) -> str:
    return f"{key_prefix if key_prefix is not None else prefix()}link:{code}"


def clicks(key_prefix: str | None = None) -> str:
    return f"{key_prefix if key_prefix is not None else prefix()}clicks"
