"""links: the REST API that creates, lists, reads and deletes short links."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import snipkit
from snipkit import auth, cache, config, db, migrations, urls

SERVICE = "links"
MIGRATIONS = Path(__file__).parent / "migrations"


def public_base_url(raw: str) -> str:
    """Parser for PUBLIC_BASE_URL: an http(s) URL whose host links can compare a new
    link's host with (a link may not point back at the shortener)."""
    value = config.url("http", "https")(raw)
    urls.location(value)
    return value


SETTINGS = [
    *db.SETTINGS,
    *cache.SETTINGS,
    *auth.SETTINGS,
    config.Setting("PUBLIC_BASE_URL", public_base_url, doc="where short links are served, e.g. https://snip.example"),
    config.Setting(
        "IDEMPOTENCY_KEY_TTL_HOURS",
        config.integer(1),
        24,
        doc="how long a create request's Idempotency-Key is remembered; `links purge` removes older ones",
    ),
]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The links app; ``test_config`` overrides settings (see :func:`snipkit.create_app`)."""
    app = snipkit.create_app(SERVICE, __name__, SETTINGS, test_config)
    db.init_app(app)
    # Redis only carries the redirect cache for links: without it links still works,
    # and a deleted link's cached copy expires within the cache TTL.
    cache.init_app(app, required=False)
    migrations.register_cli(app, MIGRATIONS)

    from . import admin, api, openapi

    auth.warn_if_open(SERVICE, app.config["API_TOKEN"])
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    for command in admin.COMMANDS:
        app.cli.add_command(command)
    return app
