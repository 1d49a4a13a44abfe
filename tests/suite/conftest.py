"""Suite tests start services as real processes on free ports and talk HTTP only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from snipdev.embedded import EmbeddedRedis, free_port
from snipdev.processes import ServiceProcess


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


@pytest.fixture
def start_worker(started, service_env):
    """Start a ``stats worker`` process: ``start_worker(STATS_BATCH_SIZE="10")``; stopped at teardown."""
    command = [str(Path(sys.executable).parent / "stats"), "worker"]

    def run(wait: bool = True, **env: str) -> ServiceProcess:
        process = ServiceProcess("stats-worker", command, service_env("stats", **env))
        started.append(process)
        return process.start(wait=wait)

    return run


@pytest.fixture
def owned_redis(tmp_path):
    """A Redis server this test owns, to stop and start again (on the same port, empty)."""
    server = EmbeddedRedis(tmp_path / "redis", free_port(), persistent=False)
    server.start()
    yield server
    server.stop()
