"""snipkit.cache.available/report_failure: skipping a failing Redis for a while."""

from __future__ import annotations

import time

import snipkit
from snipkit import cache


def make_app(retry_after: float):
    settings = {"REDIS_URL": "redis://127.0.0.1:9/0", "REDIS_RETRY_AFTER_S": retry_after}
    app = snipkit.create_app("cache-test", __name__, cache.SETTINGS, settings)
    cache.init_app(app)
    return app


def test_redis_is_skipped_after_a_failure_until_the_retry_delay_passes():
    app = make_app(0.2)
    with app.app_context():
        assert cache.available()
        cache.report_failure(ConnectionError("refused"))
        assert not cache.available()
        time.sleep(0.25)
        assert cache.available()


def test_each_app_keeps_its_own_state():
    failing, healthy = make_app(60), make_app(60)
    cache.report_failure(ConnectionError("refused"), app=failing)
    assert not cache.available(failing)
    assert cache.available(healthy)
