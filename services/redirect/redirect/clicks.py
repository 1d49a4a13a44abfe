"""Click events: one per redirect, to the bounded Redis stream ``keys.clicks()``.

An event is ``{"code": ..., "at": <ms since the epoch>}``. When Redis is down the click
is written to this service's own ``pending_clicks`` table instead, and a flusher thread
in each worker process moves those rows into the stream once Redis answers again, so
clicks made during an outage are counted late rather than lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask, current_app

from snipkit import cache, db, keys

log = logging.getLogger("redirect.clicks")


def _xadd(client, code: str, at_ms: int) -> None:
    client.xadd(
        keys.clicks(), {"code": code, "at": at_ms}, maxlen=current_app.config["CLICK_STREAM_MAXLEN"], approximate=True
    )


def emit(code: str) -> None:
    """Record one click of ``code``: on the stream, or in ``pending_clicks`` if Redis is down."""
    if cache.available():
        try:
            _xadd(cache.client(), code, int(time.time() * 1000))
            return
        except cache.REDIS_ERRORS as exc:
            cache.report_failure(exc)
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO redirect.pending_clicks (code) VALUES (%s)", (code,))


def flush_once() -> int:
    """Move up to ``PENDING_FLUSH_BATCH`` pending clicks into the stream; returns how many.

    Exactly once: the events and the rows' ids go to Redis in one MULTI (both or
    neither), then the rows are deleted. If this process dies between the two, the next
    flush finds the ids in ``keys.flushed_clicks()`` and deletes those rows without
    sending them again. A Redis failure rolls back and leaves the rows for the next try;
    SKIP LOCKED lets every worker process flush at once without taking the same rows.
    """
    client, flushed = cache.client(), keys.flushed_clicks()
    with db.transaction() as cur:
        cur.execute(
            "SELECT id, code, (extract(epoch FROM clicked_at) * 1000)::bigint FROM redirect.pending_clicks"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (current_app.config["PENDING_FLUSH_BATCH"],),
        )
        rows = cur.fetchall()
        if not rows:
            return 0
        ids = [row_id for row_id, _code, _at in rows]
        sent_before = client.smismember(flushed, ids)
        pipe = client.pipeline(transaction=True)
        for (_id, code, at_ms), sent in zip(rows, sent_before, strict=True):
            if not sent:
                _xadd(pipe, code, at_ms)
        pipe.sadd(flushed, *ids)
        pipe.execute()
        cur.execute("DELETE FROM redirect.pending_clicks WHERE id = ANY(%s)", (ids,))
    # Committed: the ids are no longer needed. Ids are never reused, so one left behind
    # by a failure here is harmless.
    client.srem(flushed, *ids)
    return len(rows)


def _flush_forever(app: Flask) -> None:
    interval = app.config["PENDING_FLUSH_INTERVAL_S"]
    with app.app_context():
        while True:
            try:
                # Keep going while there is a backlog; wait only once it is drained.
                while flush_once() > 0:
                    pass
            except Exception as exc:  # noqa: BLE001 - an outage must never kill the flusher
                log.debug("pending clicks not flushed yet: %s", exc)
            time.sleep(interval)


def init_app(app: Flask) -> None:
    """Start the flusher in each worker process, on its first request (after gunicorn forks)."""
    if not app.config["PENDING_FLUSH_ENABLED"]:
        return
    started = {"pid": None}
    lock = threading.Lock()

    @app.before_request
    def _ensure_flusher():
        if started["pid"] == os.getpid():
            return
        with lock:
            if started["pid"] != os.getpid():
                threading.Thread(target=_flush_forever, args=(app,), name="pending-clicks", daemon=True).start()
                started["pid"] = os.getpid()
