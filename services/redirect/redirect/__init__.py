"""redirect: follows short links (the hot path) and emits one click event per redirect.

Link data is read straight from the ``links`` schema with a read-only role, through a
Redis read-through cache; clicks go to a bounded Redis stream, or to this service's own
``pending_clicks`` table while Redis is down (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import snipkit
from snipkit import cache, config, db, health, migrations

SERVICE = "redirect"
MIGRATIONS = Path(__file__).parent / "migrations"

SETTINGS = [
    # A cache miss is one lookup by primary key: a second is plenty, and at most two of
    # a process's four threads may wait on PostgreSQL, briefly, so that a PostgreSQL that
    # hangs cannot take the threads cached redirects need.
    *db.settings(DB_STATEMENT_TIMEOUT_MS=1000, DB_POOL_SIZE=2, DB_POOL_TIMEOUT_S=0.25),
    *cache.SETTINGS,
    config.Setting("REDIRECT_CACHE_TTL_S", config.integer(1), 300, doc="how long a link stays in the Redis cache"),
    config.Setting("REDIRECT_NEGATIVE_TTL_S", config.integer(1), 5, doc="how long an unknown code is remembered"),
    config.Setting("CLICK_STREAM_MAXLEN", config.integer(1000), 1_000_000, doc="approximate bound of the stream"),
    config.Setting("PENDING_FLUSH_ENABLED", config.boolean, True, doc="run the outage-click flusher thread"),
    config.Setting("PENDING_FLUSH_INTERVAL_S", config.number(0.05), 1.0, doc="how often outage clicks are retried"),
    config.Setting("PENDING_FLUSH_BATCH", config.integer(1, 10_000), 500, doc="outage clicks moved per transaction"),
]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The redirect app; ``test_config`` overrides settings (see :func:`snipkit.create_app`)."""
    app = snipkit.create_app(SERVICE, __name__, SETTINGS, test_config)
    # Ready means able to serve: cached links need only Redis, and every link can be
    # read from PostgreSQL (clicks then wait in pending_clicks). Requiring either one
    # would take every redirect pod out of the Service during that one's outage, and
    # make a partial outage total; without both, nothing can be served.
    db.init_app(app, required=False)
    cache.init_app(app, required=False)
    health.require_one_of(app, ["postgresql", "redis"])
    migrations.register_cli(app, MIGRATIONS)

    from . import clicks, routes

    clicks.init_app(app)
    app.register_blueprint(routes.bp)
    return app
