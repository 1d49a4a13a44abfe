"""Redis: one client per worker process, with timeouts, so a Redis outage is reported
quickly instead of hanging requests.

Every key the suite writes starts with ``REDIS_KEY_PREFIX`` (see :mod:`snipkit.keys`),
so several deployments, or several test runs, can share one Redis.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, current_app

from .breaker import Breaker
from .config import Setting, mask_url, number, url
from .health import Check, add_check
from .perprocess import PerProcess

log = logging.getLogger("snipkit.cache")

SETTINGS = [
    Setting("REDIS_URL", url("redis", "rediss", "unix"), secret=True, doc="URL of the Redis server"),
    Setting("REDIS_KEY_PREFIX", str, "snip:"),
    Setting("REDIS_TIMEOUT_S", number(0.01), 0.5, doc="socket timeout for Redis calls"),
    Setting("REDIS_RETRY_AFTER_S", number(0.0), 2.0, doc="how long Redis is skipped after it failed (optional use)"),
]

#: What a Redis call raises when Redis is down, slow or refuses the call.
REDIS_ERRORS = (redis.RedisError, OSError)


def make_client(redis_url: str, timeout: float) -> redis.Redis:
    """A client whose every call fails within ``timeout`` seconds instead of hanging."""
    return redis.Redis.from_url(
        redis_url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        retry_on_timeout=False,
        decode_responses=True,
    )


def client(app: Flask | None = None) -> redis.Redis:
    """This process's Redis client for ``app`` (the current app by default)."""
    app = app or current_app._get_current_object()
    return app.extensions["snipkit.cache"]["client"].get()


def available(app: Flask | None = None) -> bool:
    """False for ``REDIS_RETRY_AFTER_S`` after :func:`report_failure`.

    For services that can do without Redis: while it is known to be down they skip it
    at once, instead of every request waiting for its timeout (a Redis that drops
    packets costs ``REDIS_TIMEOUT_S`` per call) and logging the same failure.
    """
    app = app or current_app._get_current_object()
    return app.extensions["snipkit.cache"]["breaker"].allows()


def report_failure(exc: Exception, app: Flask | None = None) -> None:
    """Note that a Redis call failed: :func:`available` is False for a while (logged once)."""
    app = app or current_app._get_current_object()
    app.extensions["snipkit.cache"]["breaker"].failed(exc)


def init_app(app: Flask, *, required: bool = True) -> None:
    """Attach a per-process Redis client and a readiness check (``required=False``: Redis
    is reported but does not make the service unready)."""
    app.extensions["snipkit.cache"] = {
        "client": PerProcess(lambda: make_client(app.config["REDIS_URL"], app.config["REDIS_TIMEOUT_S"])),
        "breaker": Breaker("redis", app.config["REDIS_RETRY_AFTER_S"]),
    }
    log.debug("redis %s", mask_url(app.config["REDIS_URL"]))

    def probe() -> None:
        client(app).ping()

    add_check(app, Check("redis", probe, required=required))
