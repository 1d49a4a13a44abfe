"""Fixtures shared by every test: one real PostgreSQL and Redis per run.

Where they come from: TEST_DATABASE_URL/TEST_REDIS_URL, else testcontainers, else the
embedded servers (see snipdev.backing). The run gets its own database, roles and Redis
key prefix, all removed at the end.
"""

from __future__ import annotations

import psycopg2
import pytest
import redis

from snipdev import backing


@pytest.fixture(scope="session")
def sandbox():
    with backing.servers() as (admin_url, redis_url, _source):
        box = backing.Sandbox(admin_url, redis_url).create()
        try:
            yield box
        finally:
            box.destroy()


@pytest.fixture
def redis_client(sandbox):
    client = redis.Redis.from_url(sandbox.redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def admin_db(sandbox):
    """A superuser autocommit connection to this run's database, for arranging and
    inspecting rows in any schema (services themselves only ever use their own role)."""
    conn = psycopg2.connect(sandbox.database_admin_url)
    conn.autocommit = True
    yield conn
    conn.close()
