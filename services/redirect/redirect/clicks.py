"""Click events: one per redirect, to the bounded Redis stream ``keys.clicks()``.

An event is ``{"code": ..., "at": <ms since the epoch>, "id": <click id>}``. The click id
is made here, once per redirect answered, and travels with every copy of the event:
stats-worker counts each id once (see stats.counting). That is what keeps a click from
being counted twice when the outcome of a Redis call is unknown: a call that timed out
may still run once Redis wakes up, after this process has recorded the click its other
way.

When Redis is down, or a call to it failed, the click is written to this service's own
``pending_clicks`` table instead, and a flusher thread in each worker process moves
those rows into the stream once Redis answers again, so clicks made during an outage
are counted late rather than lost.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time

from flask import Flask, current_app

from snipkit import cache, db, keys
from snipkit.perprocess import PerProcess

log = logging.getLogger("redirect.clicks")


def new_id() -> str:
    """A click's id: 128 random bits, so no two clicks anywhere ever share one."""
    return secrets.token_hex(16)


def _xadd(client, code: str, at_ms: int, click_id: str) -> None:
    client.xadd(
        keys.clicks(),
        {"code": code, "at": at_ms, "id": click_id},
        maxlen=current_app.config["CLICK_STREAM_MAXLEN"],
        approximate=True,
    )


def emit(code: str, click_id: str) -> None:
    """Record the click ``click_id`` of ``code``: on the stream, or in ``pending_clicks``
    if Redis is down or the call failed (perhaps after all reaching Redis: the id makes
    the second copy harmless)."""
    if cache.available():
        try:
            _xadd(cache.client(), code, int(time.time() * 1000), click_id)
            return
        except cache.REDIS_ERRORS as exc:
            cache.report_failure(exc)
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO redirect.pending_clicks (code, click_id) VALUES (%s, %s)", (code, click_id))


def flush_once() -> int:
    """Move up to ``PENDING_FLUSH_BATCH`` pending clicks into the stream; returns how many.

    The rows are locked, sent, then deleted in the same transaction. A Redis failure
    rolls back and leaves the rows for the next try; SKIP LOCKED lets every worker
    process flush at once without taking the same rows. If this process dies after
    sending and before the commit, the next flush sends those rows again, with the same
    click ids, which stats-worker counts once.
    """
    with db.transaction() as cur:
        cur.execute(
            "SELECT id, code, (extract(epoch FROM clicked_at) * 1000)::bigint, click_id FROM redirect.pending_clicks"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (current_app.config["PENDING_FLUSH_BATCH"],),
        )
        rows = cur.fetchall()
        if not rows:
            return 0
        pipe = cache.client().pipeline(transaction=False)
        for row_id, code, at_ms, click_id in rows:
            # Rows from before clicks had ids get one from their own row id.
            _xadd(pipe, code, at_ms, click_id or f"pending-{row_id}")
        pipe.execute()
        cur.execute("DELETE FROM redirect.pending_clicks WHERE id = ANY(%s)", ([row[0] for row in rows],))
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

    def start() -> threading.Thread:
        flusher = threading.Thread(target=_flush_forever, args=(app,), name="pending-clicks", daemon=True)
        flusher.start()
        return flusher

    flusher = PerProcess(start)

    @app.before_request
    def _ensure_flusher() -> None:
        flusher.get()  # None: a before_request that returns something answers the request
