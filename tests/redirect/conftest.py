from __future__ import annotations

import pytest

import redirect


@pytest.fixture
def admin(admin_db):
    """The superuser connection, with the links and pending clicks emptied first."""
    with admin_db.cursor() as cur:
        cur.execute("TRUNCATE links.links, redirect.pending_clicks RESTART IDENTITY")
    return admin_db


@pytest.fixture
def add_link(admin):
    """Insert a link as the links service would: ``add_link("abc", "https://x", expired=False)``."""

    def add(code: str, url: str, expired: bool = False) -> None:
        with admin.cursor() as cur:
            cur.execute(
                "INSERT INTO links.links (code, url, expires_at) VALUES (%s, %s, CASE WHEN %s THEN now() END)",
                (code, url, expired),
            )

    return add


@pytest.fixture
def settings(sandbox, redis_client, admin):
    """The redirect app's settings against this run's database and Redis, cache emptied."""
    for key in redis_client.scan_iter(match=f"{sandbox.key_prefix}*"):
        redis_client.delete(key)
    return {
        "DATABASE_URL": sandbox.urls["redirect"],
        "REDIS_URL": sandbox.redis_url,
        "REDIS_KEY_PREFIX": sandbox.key_prefix,
        # Tests call the flusher themselves, so no thread races their assertions.
        "PENDING_FLUSH_ENABLED": False,
    }


@pytest.fixture
def app(settings):
    return redirect.create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()
