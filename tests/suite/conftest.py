"""Fixtures of the click-pipeline suite tests: stats workers and a Redis to stop and start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from snipdev.embedded import EmbeddedRedis, free_port
from snipdev.processes import ServiceProcess


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
