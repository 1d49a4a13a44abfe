"""Backing services are attached resources: a PostgreSQL restart under a running links
turns /readyz to 503 and back to 200, and requests succeed again without restarting links."""

from __future__ import annotations

import requests

from testkit.processes import wait_until


def test_links_recovers_after_postgres_restart(start, service_env, own_postgres):
    server, urls = own_postgres
    links = start("links", "links.wsgi:app", service_env("links", DATABASE_URL=urls["links"], DB_CONNECT_TIMEOUT_S="1"))
    post = lambda: requests.post(f"{links.url}/api/links", json={"url": "https://e.example"}, timeout=10)  # noqa: E731
    assert post().status_code == 201

    server.stop()
    readyz = requests.get(f"{links.url}/readyz", timeout=10)
    assert readyz.status_code == 503
    assert readyz.json()["failing"] == ["postgresql"]
    down = post()
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "dependency_unavailable"

    server.start()
    wait_until(lambda: requests.get(f"{links.url}/readyz", timeout=10).status_code == 200, 20, "links ready again")
    # Every pooled connection died with the old server; none of them may fail a request now.
    for _ in range(20):
        assert post().status_code == 201
    assert links.process.poll() is None, "links must not have been restarted"
