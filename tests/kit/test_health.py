"""snipkit.health: /readyz answers within its budget whatever a check does, and each
service says what "ready" needs (every required check; one of a group)."""

from __future__ import annotations

import threading

import pytest

import snipkit
from snipkit import health


def failing() -> None:
    raise ConnectionError("refused")


def fine() -> None:
    return None


@pytest.fixture
def make_app():
    def build(*checks: health.Check, one_of: tuple[str, ...] = ()):
        app = snipkit.create_app("health-test", __name__, [], {"METRICS_ENABLED": False})
        for check in checks:
            health.add_check(app, check)
        if one_of:
            health.require_one_of(app, one_of)
        return app.test_client()

    return build


def test_a_check_that_hangs_is_a_failure_not_a_hung_probe(make_app):
    released = threading.Event()
    client = make_app(health.Check("hangs", lambda: released.wait(30)), health.Check("fine", fine))
    try:
        response = client.get("/readyz")  # answered while the check is still waiting
        assert not released.is_set()
    finally:
        released.set()
    assert response.status_code == 503
    assert response.get_json()["checks"]["hangs"] == {
        "ok": False,
        "required": True,
        "error": f"no answer within {health.BUDGET_S} s",
    }
    assert response.get_json()["checks"]["fine"] == {"ok": True, "required": True}


@pytest.mark.parametrize(
    ("postgresql", "redis", "status", "failing_names"),
    [(fine, fine, 200, None), (failing, fine, 200, None), (fine, failing, 200, None), (failing, failing, 503, 2)],
)
def test_one_of_a_group_is_enough(make_app, postgresql, redis, status, failing_names):
    client = make_app(
        health.Check("postgresql", postgresql, required=False),
        health.Check("redis", redis, required=False),
        one_of=("postgresql", "redis"),
    )
    response = client.get("/readyz")
    assert response.status_code == status
    assert len(response.get_json().get("failing", [])) == (failing_names or 0)
