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
from snipkit import db, migrations

SERVICE = "stats"
MIGRATIONS = Path(__file__).parent / "migrations"

SETTINGS = [*db.SETTINGS]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The stats-api app, which also carries the admin commands (``stats db upgrade``,
    ``stats worker``); ``test_config`` overrides settings (see :func:`snipkit.create_app`)."""
    app = snipkit.create_app(SERVICE, __name__, SETTINGS, test_config)
    db.init_app(app)
    migrations.register_cli(app, MIGRATIONS)

    from . import api, openapi, worker

    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.cli.add_command(worker.command)
    return app
