from __future__ import annotations

import pytest

import links


@pytest.fixture
def app(links_config, admin_db):
    """A links app on this run's database, with its tables emptied first."""
    with admin_db.cursor() as cur:
        cur.execute("TRUNCATE links.links, links.idempotency_keys RESTART IDENTITY")
    yield links.create_app(links_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
