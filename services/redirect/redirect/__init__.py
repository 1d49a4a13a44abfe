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
from snipkit import cache, config, db, migrations

SERVICE = "redirect"
MIGRATIONS = Path(__file__).parent / "migrations"

SETTINGS = [
    *db.SETTINGS,
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
    db.init_app(app)
    # Redis is an accelerator here, not a requirement: without it redirects come from
    # PostgreSQL and clicks wait in pending_clicks, so readiness must not depend on it.
    cache.init_app(app, required=False)
    migrations.register_cli(app, MIGRATIONS)

    from . import clicks, routes

    clicks.init_app(app)
    app.register_blueprint(routes.bp)
    return app
