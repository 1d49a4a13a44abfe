"""links keeps working when Redis is down: Redis only carries the redirect cache."""

from __future__ import annotations

import pytest

import links
from snipdev.embedded import free_port


@pytest.fixture
def client_without_redis(sandbox):
    app = links.create_app(
        {
            "DATABASE_URL": sandbox.urls["links"],
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "REDIS_TIMEOUT_S": 0.2,
            "PUBLIC_BASE_URL": "https://snip.test",
        }
    )
    return app.test_client()


def test_create_read_delete_work_and_readiness_reports_redis(client_without_redis):
    client = client_without_redis
    code = client.post("/api/links", json={"url": "https://e.example"}).get_json()["code"]
    assert client.get(f"/api/links/{code}").status_code == 200
    assert client.delete(f"/api/links/{code}").status_code == 204
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["redis"] == {
        "ok": False,
        "required": False,
        "error": ready.get_json()["checks"]["redis"]["error"],
    }
