"""Finding PostgreSQL and Redis for a test run, in a fixed order:

1. ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` from the environment (CI, your own servers);
2. testcontainers, when a Docker engine answers (pinned images);
3. the embedded servers from PyPI wheels.

Each run then gets its own database, roles and Redis key prefix (:class:`Sandbox`), and
removes them at the end, so runs never see each other's data.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import redis

from snipdev import database, embedded

POSTGRES_IMAGE = "postgres:16-alpine"
REDIS_IMAGE = "redis:7.4-alpine"


def _docker_answers() -> bool:
    """True when a Docker engine answers its ping on the local socket (DOCKER_HOST or
    the default). Asked over a plain socket: quick, and nothing left open when it fails."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return True  # a remote engine: let testcontainers try it
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(host.removeprefix("unix://"))
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            status_line = sock.recv(64).split(b"\r\n", 1)[0]
            return status_line.startswith(b"HTTP/1.") and b" 200" in status_line
    except OSError:
        return False


@contextlib.contextmanager
def servers() -> Iterator[tuple[str, str, str]]:
    """Yield (postgres admin URL, Redis URL, where they came from)."""
    pg_url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if pg_url and redis_url:
        yield pg_url, redis_url, "environment"
        return
    if pg_url or redis_url:
        raise RuntimeError("set both TEST_DATABASE_URL and TEST_REDIS_URL, or neither")
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer
        from testcontainers.redis import RedisContainer

        with PostgresContainer(POSTGRES_IMAGE, driver=None) as pg, RedisContainer(REDIS_IMAGE) as rd:
            host, port = rd.get_container_host_ip(), rd.get_exposed_port(6379)
            yield pg.get_connection_url(), f"redis://{host}:{port}/0", "testcontainers"
        return
    with (
        embedded.scratch_folder("snip-test-") as tmp,
        embedded.EmbeddedPostgres(tmp / "pg", embedded.free_port()) as pg,
        embedded.EmbeddedRedis(tmp / "redis", embedded.free_port(), persistent=False) as rd,
    ):
        yield pg.url, rd.url, "embedded"


@dataclass
class Sandbox:
    """One test run's database, roles and Redis key prefix on shared servers."""

    admin_url: str
    redis_url: str
    name: str = field(default_factory=lambda: f"snip_test_{secrets.token_hex(4)}")
    urls: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def key_prefix(self) -> str:
        return f"{self.name}:"

    @property
    def database_admin_url(self) -> str:
        """Superuser URL to this run's database (for fixtures that inspect or reset it)."""
        return database.with_database(self.admin_url, self.name)

    def create(self, migrate: Callable[[dict[str, str]], object] = database.migrate) -> Sandbox:
        """Make the database and roles, then ``migrate`` them given each service's URL
        (in this process by default; the image test runs each image's ``db upgrade``)."""
        self.credentials = {
            service: (f"{self.name}_{service}", secrets.token_urlsafe(16)) for service in database.ROLES
        }
        database.create_database(self.admin_url, self.name)
        self.urls = database.provision(self.admin_url, self.name, self.credentials)
        migrate(self.urls)
        return self

    def destroy(self) -> None:
        database.drop_database(self.admin_url, self.name, [f"{self.name}_{s}" for s in database.ROLES])
        client = redis.Redis.from_url(self.redis_url)
        try:
            batch = list(client.scan_iter(match=f"{self.key_prefix}*", count=1000))
            for start in range(0, len(batch), 500):
                client.delete(*batch[start : start + 500])
        finally:
            client.close()
