from __future__ import annotations

import pytest

import stats
from stats import worker


@pytest.fixture
def admin(admin_db):
    """The superuser connection, with the stats tables emptied first."""
    with admin_db.cursor() as cur:
        cur.execute("TRUNCATE stats.clicks_per_minute, stats.link_totals, stats.applied_clicks")
    return admin_db


@pytest.fixture
def stream_key(sandbox, redis_client):
    """The click stream of this run, emptied (consumer groups included)."""
    key = f"{sandbox.key_prefix}clicks"
    redis_client.delete(key)
    return key


@pytest.fixture
def add_clicks(redis_client, stream_key):
    """Append click events as redirect does: ``add_clicks("abc", at_ms, n=3)``."""

    def add(code: str, at_ms: int, n: int = 1) -> None:
        pipe = redis_client.pipeline()
        for _ in range(n):
            pipe.xadd(stream_key, {"code": code, "at": at_ms})
        pipe.execute()

    return add


@pytest.fixture
def app(sandbox, admin):
    return stats.create_app({"DATABASE_URL": sandbox.urls["stats"]})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def worker_settings(sandbox, admin, stream_key):
    return {
        "DATABASE_URL": sandbox.urls["stats"],
        "REDIS_URL": sandbox.redis_url,
        "REDIS_KEY_PREFIX": sandbox.key_prefix,
        "STATS_BLOCK_MS": 50,
        "STATS_CONSUMER": "test-a",
    }


@pytest.fixture
def worker_app(worker_settings):
    app = worker.create_worker_app(worker_settings)
    with app.app_context():
        yield app


@pytest.fixture
def totals(admin):
    """``totals()``: code -> total clicks, as stats-worker has committed them."""

    def read() -> dict[str, int]:
        with admin.cursor() as cur:
            cur.execute("SELECT code, total FROM stats.link_totals")
            return dict(cur.fetchall())

    return read
