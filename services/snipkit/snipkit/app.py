"""The application factory every service starts from."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import body, config, errors, health, logs, metrics, requestid

log = logging.getLogger("snipkit")

BASE_SETTINGS = [
    logs.LOG_LEVEL,
    config.Setting("METRICS_ENABLED", config.boolean, True),
    config.Setting("MAX_BODY_BYTES", config.integer(1024), 16 * 1024, doc="largest request body accepted"),
]


def create_app(
    service: str,
    import_name: str,
    settings: list[config.Setting],
    test_config: Mapping[str, Any] | None = None,
) -> Flask:
    """A Flask app with the kit's config, JSON logs, request ids, metrics, health and errors.

    ``settings`` are the service's own, on top of the kit's; values come from
    ``test_config``, then the environment (``NAME`` or ``NAME_FILE``), then defaults.
    Raises :class:`snipkit.config.ConfigError` listing every problem.
    """
    all_settings = BASE_SETTINGS + settings
    values = config.load(all_settings, overrides=test_config)
    logs.configure(service, values["LOG_LEVEL"])

    app = Flask(import_name)
    app.config.update(values)
    app.config["SERVICE_NAME"] = service
    app.config["MAX_CONTENT_LENGTH"] = values["MAX_BODY_BYTES"]
    app.json.sort_keys = False
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k not in values})

    requestid.init_app(app)
    metrics.init_app(app, service, enabled=values["METRICS_ENABLED"])
    body.init_app(app)
    health.init_app(app)
    errors.init_app(app)
    log.info("configured", extra={"settings": config.describe(all_settings, values)})
    return app


# gunicorn stops (instead of respawning workers forever) when a worker exits with this.
_WORKER_BOOT_ERROR = 3


def serve(factory: Callable[[], Flask]) -> Flask:
    """Build the WSGI app for gunicorn; bad configuration stops the server with one
    JSON log line listing every problem, not a stack trace."""
    try:
        return factory()
    except config.ConfigError as exc:
        logs.configure(logs.service_name())
        log.error("invalid configuration", extra={"problems": exc.problems})
        sys.exit(_WORKER_BOOT_ERROR)


def cli(factory: Callable[[], Flask], *own: click.Command) -> click.Group:
    """A ``flask``-style command line for a service's admin commands (``links db upgrade``).

    The app's commands run with the app ``factory`` builds. ``own`` commands are the
    group's: they run without it (``stats worker``, a process type that builds an app
    of its own, with other settings).
    """

    def load() -> Flask:
        try:
            return factory()
        except config.ConfigError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    group = FlaskGroup(create_app=load, add_version_option=False, set_debug_flag=False)
    for command in own:
        group.add_command(command)
    return group
