"""Where a code points: the Redis cache first, PostgreSQL (``links`` schema, read-only)
on a miss or when Redis is down.

With a warm cache a redirect is one Redis call and no PostgreSQL round trip: ``hit.lua``
reads the cached link and appends the click event in the same call.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from importlib.resources import files

from flask import current_app
from redis.commands.core import Script

from snipkit import cache, db, keys, linkcache, urls

log = logging.getLogger("redirect.lookup")

FOUND, GONE, MISSING, MISS = "found", "gone", "missing", "miss"
# The script's text as bytes, so redis-py needs no client to hash it; it is loaded into
# Redis on first use (and again after a Redis restart empties the script cache).
_HIT = Script(None, files(__package__).joinpath("hit.lua").read_bytes())


@dataclass(frozen=True)
class Outcome:
    """What a code resolved to; ``clicked`` says whether the click event was already emitted."""

    status: str
    url: str | None = None
    clicked: bool = False


def _from_cache(code: str, click_id: str) -> tuple[Outcome | None, int | None]:
    """The cached outcome (click ``click_id`` emitted when live), or on a miss None and
    the time of the miss on Redis's clock (what a fill is checked against); raises on
    Redis errors."""
    cfg = current_app.config
    args = [cfg["CLICK_STREAM_MAXLEN"], code, click_id]
    reply = _HIT(keys=[keys.link(code), keys.clicks()], args=args, client=cache.client())
    status = reply[0]
    if status == MISS:
        return None, int(reply[1])
    return (Outcome(FOUND, reply[1], clicked=True) if status == FOUND else Outcome(status)), None


def _from_database(code: str) -> tuple[Outcome, int | None]:
    """The outcome from PostgreSQL (the URL ready for a Location header), with the link's
    expiry in ms since the epoch."""
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT url, (extract(epoch FROM expires_at) * 1000)::bigint FROM links.links WHERE code = %s", (code,)
        )
        row = cur.fetchone()
    if row is None:
        return Outcome(MISSING), None
    # Converted once here (a URL may hold non-ASCII text, which a header cannot), so the
    # cached copy is ready to send as it is.
    try:
        url = urls.location(row[0])
    except ValueError as problem:
        # links refuses such URLs; a row from before it did cannot be followed, and is
        # answered as unknown rather than with a 500 or a broken header.
        log.warning("the link %s has a URL no redirect can carry: %s", code, problem)
        return Outcome(MISSING), None
    expires_ms = row[1]
    if expires_ms is not None and expires_ms <= time.time() * 1000:
        return Outcome(GONE, url), expires_ms
    return Outcome(FOUND, url), expires_ms


def _remember(code: str, outcome: Outcome, expires_ms: int | None, missed_at_ms: int) -> None:
    cfg = current_app.config
    if outcome.status == MISSING:
        value, ttl = {"url": None}, cfg["REDIRECT_NEGATIVE_TTL_S"]
    else:
        # An expired link is cached too: its page is served without PostgreSQL.
        value, ttl = {"url": outcome.url, "expires_ms": expires_ms}, cfg["REDIRECT_CACHE_TTL_S"]
    # Not if the link was deleted since the miss: see snipkit.linkcache.
    linkcache.fill(cache.client(), code, json.dumps(value), ttl, missed_at_ms)


def resolve(code: str, click_id: str) -> Outcome:
    """Resolve ``code``, emitting the click ``click_id`` if the cache has the link live;
    while Redis is failing, straight from PostgreSQL (and uncached: only a miss that
    Redis itself reported may be filled)."""
    missed_at_ms = None
    if cache.available():
        try:
            cached, missed_at_ms = _from_cache(code, click_id)
        except cache.REDIS_ERRORS as exc:
            cache.report_failure(exc)
        else:
            if cached is not None:
                return cached
    outcome, expires_ms = _from_database(code)
    if missed_at_ms is not None and cache.available():
        try:
            _remember(code, outcome, expires_ms, missed_at_ms)
        except cache.REDIS_ERRORS as exc:
            cache.report_failure(exc)
    return outcome
