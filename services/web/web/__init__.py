"""web: the pages people use to shorten links, see their clicks and delete them.

It owns no data: everything it shows or changes goes through the ``links`` and
``stats-api`` HTTP APIs (see :mod:`web.clients`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

import snipkit
from snipkit import auth, config, errors

from . import clients, csrf, errorpages, formatting, headers, recent, rows

SERVICE = "web"
MIN_SECRET_LENGTH = 32


def secret_key(raw: str) -> str:
    """Parser for SECRET_KEY: long enough that its signatures cannot be guessed."""
    if len(raw) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"must be at least {MIN_SECRET_LENGTH} characters;"
            " make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return raw


SETTINGS = [
    config.Setting("LINKS_URL", config.url("http", "https"), doc="base URL of the links API"),
    config.Setting("STATS_URL", config.url("http", "https"), doc="base URL of the stats API"),
    config.Setting("SECRET_KEY", secret_key, secret=True, doc="signs the session cookie and CSRF tokens"),
    config.Setting(
        "LINKS_API_TOKEN", auth.token, None, secret=True, doc="links' API_TOKEN, sent with every write to links"
    ),
    recent.SETTING,
    # Flask reads this key itself. Off by default only so `make dev` works over plain http;
    # the staging and prod overlays turn it on.
    config.Setting("SESSION_COOKIE_SECURE", config.boolean, False, doc="send the session cookie over HTTPS only"),
]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The web app; ``test_config`` overrides settings (see :func:`snipkit.create_app`)."""
    app = snipkit.create_app(SERVICE, __name__, SETTINGS, test_config)
    app.config.update(
        # The session holds only the CSRF secret; Lax keeps it off cross-site POSTs as a
        # second line of defence behind the token.
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="snip_session",
    )
    clients.init_app(app)
    csrf.init_app(app)
    formatting.init_app(app)
    headers.init_app(app)
    recent.init_app(app)
    rows.init_app(app)

    from . import pages

    app.register_blueprint(pages.bp)
    errors.render_pages(app, errorpages.render, blueprints=[pages.bp.name])
    return app
