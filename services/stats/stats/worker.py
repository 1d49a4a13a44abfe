"""``stats worker``: the stats-worker process type.

Reads the click stream in a consumer group, counts each batch in one PostgreSQL
transaction (:mod:`stats.counting`), and acknowledges it only after the commit. On
SIGTERM it finishes the batch in hand and exits 0. Its ``/livez``, ``/readyz`` and
``/metrics`` (with the stream lag) are served on ``PORT`` from a thread.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, request

import snipkit
from snipkit import background, cache, config, db, health, keys, metrics

from . import counting, lag
from .stream import Consumer

log = logging.getLogger("stats.worker")

SETTINGS = [
    *db.SETTINGS,
    *cache.SETTINGS,
    config.Setting("PORT", config.integer(1, 65535), 8080, doc="port of /livez, /readyz and /metrics"),
    config.Setting("STATS_GROUP", str, "stats", doc="consumer group shared by every worker"),
    config.Setting("STATS_CONSUMER", str, "", doc="this worker's name in the group (default: host-pid)"),
    config.Setting("STATS_BATCH_SIZE", config.integer(1, 100_000), 5000, doc="entries read per XREADGROUP"),
    config.Setting("STATS_BLOCK_MS", config.integer(1, 60_000), 1000, doc="how long a read waits for new entries"),
    config.Setting(
        "STATS_CLAIM_MIN_IDLE_MS", config.integer(1), 30_000, doc="idle time before a pending entry is claimed"
    ),
    config.Setting("STATS_PRUNE_INTERVAL_S", config.number(0.1), 60.0, doc="how often applied ids are pruned"),
    config.Setting(
        "STATS_DEDUP_WINDOW_S",
        config.integer(1),
        600,
        doc="how long after a click a second copy of it is still recognised (a Redis call that timed out, then ran)",
    ),
]
# After an error (Redis or PostgreSQL down), wait this long before trying again.
RETRY_AFTER_S = 1.0


def create_worker_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The worker's health app: PostgreSQL and Redis are both required to count."""
    app = snipkit.create_app("stats-worker", __name__, SETTINGS, test_config)
    db.init_app(app)
    cache.init_app(app)
    app.config["STATS_CONSUMER"] = app.config["STATS_CONSUMER"] or f"{socket.gethostname()}-{os.getpid()}"

    @app.before_request
    def _measure_lag():
        if request.path == "/metrics":
            try:
                lag.refresh(cache.client(app), keys.clicks(), app.config["STATS_GROUP"])
            except cache.REDIS_ERRORS as exc:
                log.warning("cannot measure the stream lag: %s", exc)

    return app


def consumer(app: Flask) -> Consumer:
    """This worker's consumer, with a Redis client of its own whose socket timeout
    outlasts a blocking read (the kit's client would time out in the middle of one)."""
    cfg = app.config
    timeout = cfg["REDIS_TIMEOUT_S"] + cfg["STATS_BLOCK_MS"] / 1000
    return Consumer(
        cache.make_client(cfg["REDIS_URL"], timeout),
        keys.clicks(cfg["REDIS_KEY_PREFIX"]),
        cfg["STATS_GROUP"],
        cfg["STATS_CONSUMER"],
        batch=cfg["STATS_BATCH_SIZE"],
        block_ms=cfg["STATS_BLOCK_MS"],
        min_idle_ms=cfg["STATS_CLAIM_MIN_IDLE_MS"],
    )


def step(reader: Consumer) -> int:
    """Count and acknowledge one batch; returns how many entries it held."""
    entries = reader.next_batch()
    if entries:
        result = counting.apply(entries)
        reader.ack(entries)
        lag.EVENTS.labels("counted").inc(result.counted)
        lag.EVENTS.labels("duplicate").inc(result.duplicates)
        lag.EVENTS.labels("malformed").inc(result.malformed)
    return len(entries)


def prune(reader: Consumer, window_s: int) -> None:
    """Forget the applied ids that can never be delivered to the group again."""
    boundary = lag.prune_boundary(reader.client, reader.key, reader.group)
    if boundary is not None:
        counting.prune(boundary, window_s * 1000)


def run(app: Flask, stop: threading.Event) -> None:
    """Count batches until ``stop`` is set; the batch in hand is always finished first."""
    reader = consumer(app)
    next_prune = 0.0
    with app.app_context():
        while not stop.is_set():
            try:
                reader.ensure_group()
                while not stop.is_set():
                    step(reader)
                    if time.monotonic() >= next_prune:
                        prune(reader, app.config["STATS_DEDUP_WINDOW_S"])
                        next_prune = time.monotonic() + app.config["STATS_PRUNE_INTERVAL_S"]
            except (*cache.REDIS_ERRORS, *db.CONNECTION_ERRORS, snipkit.DependencyUnavailable) as exc:
                log.warning("cannot count clicks now, retrying in %.0f s: %s", RETRY_AFTER_S, exc)
                stop.wait(RETRY_AFTER_S)


@click.command("worker")
def command() -> None:
    """Count click events from the stream into PostgreSQL (the stats-worker process)."""
    metrics.reset_multiprocess_dir()
    app = create_worker_app()
    stop = threading.Event()

    def request_stop(signum, _frame):
        log.info("%s received: finishing the batch in hand", signal.Signals(signum).name)
        health.start_draining()
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server = background.serve_http(app, app.config["PORT"])
    log.info("counting clicks", extra={"consumer": app.config["STATS_CONSUMER"], "port": app.config["PORT"]})
    try:
        run(app, stop)
    finally:
        server.shutdown()
    log.info("stopped")
