"""stats: counts clicks per link per minute, and serves them.

One codebase, two process types: ``stats worker`` consumes the click stream into the
``stats`` schema (see :mod:`stats.worker`), and ``stats.wsgi:app`` is the read API.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import snipkit
from snipkit import config, db, migrations

SERVICE = "stats"
MIGRATIONS = Path(__file__).parent / "migrations"

SETTINGS = [
    *db.SETTINGS,
    config.Setting(
        "RETENTION_DAYS",
        config.integer(1),
        90,
        doc="days of per-minute click counts `stats purge` keeps; the API serves windows of up to 90 days",
    ),
]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The stats-api app, which also carries the admin commands (``stats db upgrade``,
    ``stats purge``, ``stats seed-demo``); ``test_config`` overrides settings (see
    :func:`snipkit.create_app`). ``stats worker`` is not among them (see :mod:`stats.cli`)."""
    app = snipkit.create_app(SERVICE, __name__, SETTINGS, test_config)
    db.init_app(app)
    migrations.register_cli(app, MIGRATIONS)

    from . import admin, api, openapi

    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    for command in admin.COMMANDS:
        app.cli.add_command(command)
    return app
