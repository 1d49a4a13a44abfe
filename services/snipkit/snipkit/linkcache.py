"""The redirect cache's one promise, kept by both sides: once links has answered a DELETE,
no request that starts afterwards is redirected by that link, and a code created again
never serves an earlier link's URL.

The race it closes: a redirect misses the cache and reads the row; links deletes the row
and the cache entry; the redirect then writes what it read, the deleted URL, for the
cache's whole lifetime. So:

- links, inside the transaction that deletes the row and before its commit, sets the
  code's tombstone (``keys.deleted``, for :data:`TOMBSTONE_TTL_S`) and deletes the cache
  entry (:func:`forget`). If Redis cannot be told, the transaction rolls back: the link
  stays, and the client is told to retry. The transaction must commit within
  :data:`COMMIT_WITHIN_S` (PostgreSQL's ``idle_in_transaction_session_timeout`` ends it
  otherwise), so the commit always falls inside the tombstone's life.
- redirect writes a cache entry (:func:`fill`) only if no tombstone exists, and only
  within :data:`FILL_WINDOW_MS` of its cache miss, both on Redis's own clock.

A fill that read the row before the commit either landed before the tombstone (and the
tombstone's DEL removed it), or finds the tombstone and does nothing: the tombstone
lives longer than the commit can take plus the window a fill has. A fill past its window
might have read the row before a tombstone now expired, so it does nothing either. While
the tombstone lives the code is answered from PostgreSQL, uncached: a code created again
at once works at once, with its own URL.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis
from redis.commands.core import Script

from . import keys

TOMBSTONE_TTL_S = 60
FILL_WINDOW_MS = 10_000
COMMIT_WITHIN_S = 5
assert COMMIT_WITHIN_S + FILL_WINDOW_MS / 1000 < TOMBSTONE_TTL_S, "a tombstone must outlive any fill it races"

# KEYS[1] the cache entry, KEYS[2] the tombstone; ARGV: entry, TTL (s), time of the miss
# and window (ms). 1 when the entry was written.
_FILL = Script(
    None,
    b"""
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if now_ms - tonumber(ARGV[3]) > tonumber(ARGV[4]) or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
""",
)


def forget(client: redis.Redis, codes: Iterable[str], key_prefix: str | None = None) -> None:
    """links, before committing the deletion of ``codes``: tombstones, and no cache entries.
    Raises what Redis raises; then the deletion must not commit."""
    pipe = client.pipeline(transaction=True)
    for code in codes:
        pipe.set(keys.deleted(code, key_prefix), 1, ex=TOMBSTONE_TTL_S)
        pipe.delete(keys.link(code, key_prefix))
    pipe.execute()


def fill(client: redis.Redis, code: str, entry: str, ttl_s: int, missed_at_ms: int) -> bool:
    """redirect, after a cache miss at ``missed_at_ms`` (Redis's clock): cache ``entry``
    unless the code was deleted meanwhile or the window has passed. True if written."""
    reply = _FILL(
        keys=[keys.link(code), keys.deleted(code)], args=[entry, ttl_s, missed_at_ms, FILL_WINDOW_MS], client=client
    )
    return reply == 1
