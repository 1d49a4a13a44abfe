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
from snipdev.processes import ServiceProcess


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


@pytest.fixture
def service_env(sandbox):
    """The environment each service needs against this run's database and Redis."""

    def env(service: str, **extra: str) -> dict[str, str]:
        base = {"REDIS_URL": sandbox.redis_url, "REDIS_KEY_PREFIX": sandbox.key_prefix, "WEB_CONCURRENCY": "2"}
        if service in sandbox.urls:
            base["DATABASE_URL"] = sandbox.urls[service]
        if service == "links":
            base["PUBLIC_BASE_URL"] = "https://snip.test"
        return {**base, **extra}

    return env


@pytest.fixture
def started():
    """Every process a test started; each is killed at teardown."""
    processes: list[ServiceProcess] = []
    yield processes
    for process in processes:
        process.close()


@pytest.fixture
def start(started):
    """Start a gunicorn service: ``start("links", "links.wsgi:app", env)``; stopped at teardown."""

    def run(name: str, app: str, env: dict[str, str], wait: bool = True, port: int | None = None) -> ServiceProcess:
        process = ServiceProcess.gunicorn(name, app, env, port=port)
        started.append(process)
        return process.start(wait=wait)

    return run
