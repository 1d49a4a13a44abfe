from __future__ import annotations

import psycopg2
import pytest

import links


@pytest.fixture
def app(sandbox):
    """A links app on this run's database, with its tables emptied first."""
    conn = psycopg2.connect(sandbox.database_admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("TRUNCATE links.links, links.idempotency_keys RESTART IDENTITY")
    conn.close()
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
