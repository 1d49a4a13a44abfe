"""links without Redis: links are created and read, and readiness holds (Redis only
carries the redirect cache); a DELETE is refused with a 503 naming Redis and keeps the
link, since redirect could go on serving it from that cache (see snipkit.linkcache)."""

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


def test_create_and_read_work_and_readiness_reports_redis(client_without_redis):
    client = client_without_redis
    code = client.post("/api/links", json={"url": "https://e.example"}).get_json()["code"]
    assert client.get(f"/api/links/{code}").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["redis"] == {
        "ok": False,
        "required": False,
        "error": ready.get_json()["checks"]["redis"]["error"],
    }


def test_a_delete_that_cannot_reach_the_redirect_cache_deletes_nothing(client_without_redis):
    client = client_without_redis
    code = client.post("/api/links", json={"url": "https://e.example"}).get_json()["code"]
    response = client.delete(f"/api/links/{code}")
    assert response.status_code == 503
    assert response.get_json()["error"]["dependency"] == "redis"
    assert "nothing was deleted" in response.get_json()["error"]["message"]
    assert client.get(f"/api/links/{code}").status_code == 200
