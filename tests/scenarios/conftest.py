"""Workshop scenarios run locally: the same steps as scripts/scenarios/, against real
processes and real PostgreSQL/Redis instead of a cluster."""

from __future__ import annotations

import pytest

from snipdev import database, embedded


@pytest.fixture
def second_postgres(sandbox):
    """A second PostgreSQL server with the suite's roles, schemas and migrations: the
    database a scenario swaps to. Yields the server and each service's URL on it."""
    with embedded.temporary_postgres() as server:
        database.create_database(server.url, "snip")
        urls = database.provision(server.url, "snip", sandbox.credentials)
        database.migrate(urls)
        yield server, urls
