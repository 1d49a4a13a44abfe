"""Workshop scenarios run locally: the same steps as scripts/scenarios/, against real
processes and real PostgreSQL/Redis instead of a cluster."""

from __future__ import annotations

import pytest


@pytest.fixture
def second_postgres(own_postgres):
    """A second PostgreSQL server with the suite's roles, schemas and migrations: the
    database a scenario swaps to. Yields the server and each service's URL on it."""
    return own_postgres
