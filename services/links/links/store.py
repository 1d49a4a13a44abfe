"""The links table: every SQL statement the service runs is here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from snipkit import ApiError, db, linkcache

from . import codes
from .validation import NewLink

# Generated codes collide about once in 10^12 tries; a few retries make that never.
_GENERATE_ATTEMPTS = 5
_COLUMNS = "id, code, url, created_at, expires_at"


@dataclass(frozen=True)
class Link:
    id: int
    code: str
    url: str
    created_at: datetime
    expires_at: datetime | None


def _insert(cur, new: NewLink) -> Link:
    if new.code is not None:
        cur.execute(
            f"INSERT INTO links (code, url, expires_at) VALUES (%s, %s, %s)"
            f" ON CONFLICT (code) DO NOTHING RETURNING {_COLUMNS}",
            (new.code, new.url, new.expires_at),
        )
        row = cur.fetchone()
        if row is None:
            raise ApiError(409, "code_taken", f"the code {new.code!r} is already in use", field="code")
        return Link(*row)
    for _ in range(_GENERATE_ATTEMPTS):
        cur.execute(
            f"INSERT INTO links (code, url, expires_at) VALUES (%s, %s, %s)"
            f" ON CONFLICT (code) DO NOTHING RETURNING {_COLUMNS}",
            (codes.generate(), new.url, new.expires_at),
        )
        row = cur.fetchone()
        if row is not None:
            return Link(*row)
    raise ApiError(503, "code_space_busy", "could not find a free code; try again")


def create(new: NewLink) -> Link:
    with db.connection() as conn, conn.cursor() as cur:
        return _insert(cur, new)


def create_idempotent(key: str, fingerprint: str, new: NewLink, render) -> tuple[int, dict[str, Any]]:
    """Create a link once per ``key``: a retry with the same key and body replays the first
    response; the same key with another body is a 422; a retry after the link it made
    was deleted is a 410, since replaying the 201 would say a deleted link exists.

    Two concurrent requests with one key serialise on the key's primary key: the second
    waits for the first to commit, then replays its response.
    """
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO idempotency_keys (key, fingerprint) VALUES (%s, %s)"
            " ON CONFLICT (key) DO NOTHING RETURNING key",
            (key, fingerprint),
        )
        if cur.fetchone() is None:
            return _replay(cur, key, fingerprint)
        link_id = None
        try:
            link = _insert(cur, new)
        except ApiError as exc:
            # Remember a refusal too (a taken code), so a retry gets the same answer.
            status, response = exc.status, {"error": {"code": exc.code, "message": exc.message, **exc.details}}
        else:
            status, response, link_id = 201, render(link), link.id
        cur.execute(
            "UPDATE idempotency_keys SET status = %s, response = %s, link_id = %s WHERE key = %s",
            (status, Json(response), link_id, key),
        )
        return status, response


def _replay(cur, key: str, fingerprint: str) -> tuple[int, dict[str, Any]]:
    cur.execute(
        "SELECT fingerprint, status, response, link_id IS NULL OR EXISTS (SELECT 1 FROM links WHERE id = link_id)"
        " FROM idempotency_keys WHERE key = %s",
        (key,),
    )
    stored_fingerprint, status, response, link_exists = cur.fetchone()
    if stored_fingerprint != fingerprint:
        raise ApiError(
            422, "idempotency_key_reused", "this Idempotency-Key was already used with a different request body"
        )
    if not link_exists:
        raise ApiError(
            410,
            "link_deleted",
            f"this Idempotency-Key created the link {response['code']!r}, which has been deleted since",
        )
    return status, response


def get(code: str) -> Link | None:
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM links WHERE code = %s", (code,))
        row = cur.fetchone()
    return Link(*row) if row else None


def page(limit: int, after: tuple[datetime, int] | None) -> list[Link]:
    """Newest first by creation time (then id, for links made in the same instant);
    ``after`` is the (created_at, id) of the last link of the previous page."""
    with db.connection() as conn, conn.cursor() as cur:
        if after is None:
            cur.execute(f"SELECT {_COLUMNS} FROM links ORDER BY created_at DESC, id DESC LIMIT %s", (limit,))
        else:
            cur.execute(
                f"SELECT {_COLUMNS} FROM links WHERE (created_at, id) < (%s, %s)"
                " ORDER BY created_at DESC, id DESC LIMIT %s",
                (*after, limit),
            )
        return [Link(*row) for row in cur.fetchall()]


#: Runs inside a deletion's transaction, with the codes it deleted, before the commit;
#: if it raises, the transaction rolls back and nothing is deleted.
BeforeCommit = Callable[[list[str]], None]


def _deleting(cur) -> None:
    # The commit must follow the cache's tombstone within linkcache.COMMIT_WITHIN_S:
    # PostgreSQL ends a transaction left idle for longer, and nothing is deleted.
    cur.execute("SET LOCAL idle_in_transaction_session_timeout = %s", (f"{linkcache.COMMIT_WITHIN_S}s",))


def delete(code: str, before_commit: BeforeCommit) -> bool:
    """Delete the link with ``code``; False when there is none."""
    with db.transaction() as cur:
        _deleting(cur)
        cur.execute("DELETE FROM links WHERE code = %s RETURNING code", (code,))
        deleted = [found for (found,) in cur.fetchall()]
        if deleted:
            before_commit(deleted)
        return bool(deleted)


def delete_expired(now: datetime, limit: int, before_commit: BeforeCommit) -> list[str]:
    """Delete up to ``limit`` links expired at ``now`` (``expires_at <= now``, as redirect
    decides); return their codes. One short transaction per batch, whose row locks last
    only as long as the batch. SKIP LOCKED passes over rows a request holds."""
    with db.transaction() as cur:
        _deleting(cur)
        cur.execute(
            "DELETE FROM links WHERE id IN (SELECT id FROM links WHERE expires_at <= %s"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING code",
            (now, limit),
        )
        codes = [code for (code,) in cur.fetchall()]
        if codes:
            before_commit(codes)
        return codes


def delete_idempotency_keys(older_than: datetime, limit: int) -> int:
    """Delete up to ``limit`` idempotency keys created before ``older_than``; return how many."""
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute(
            "DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys WHERE created_at < %s"
            " LIMIT %s FOR UPDATE SKIP LOCKED)",
            (older_than, limit),
        )
        return cur.rowcount


def insert_missing(rows: list[tuple[str, str, datetime, datetime | None]]) -> list[str]:
    """Insert ``(code, url, created_at, expires_at)`` rows whose code is free; return the
    codes inserted. A code already taken is left as it is, so running twice adds nothing."""
    with db.connection() as conn, conn.cursor() as cur:
        inserted = execute_values(
            cur,
            "INSERT INTO links (code, url, created_at, expires_at) VALUES %s ON CONFLICT (code) DO NOTHING"
            " RETURNING code",
            rows,
            fetch=True,
        )
        return [code for (code,) in inserted]


__all__ = [
    "Link",
    "create",
    "create_idempotent",
    "delete",
    "delete_expired",
    "delete_idempotency_keys",
    "get",
    "insert_missing",
    "page",
]
