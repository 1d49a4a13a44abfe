from __future__ import annotations

import pytest

import links


@pytest.fixture
def app(sandbox, admin_db):
    """A links app on this run's database, with its tables emptied first."""
    with admin_db.cursor() as cur:
        cur.execute("TRUNCATE links.links, links.idempotency_keys RESTART IDENTITY")
    app = links.create_app(
        {
            "DATABASE_URL": sandbox.urls["links"],
            "REDIS_URL": sandbox.redis_url,
            "REDIS_KEY_PREFIX": sandbox.key_prefix,
            "PUBLIC_BASE_URL": "https://snip.test",
        }
    )
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
