"""links as a real gunicorn process: logs, request ids and metrics across workers."""

from __future__ import annotations

import requests


def test_request_id_is_returned_and_on_the_access_line(start, service_env):
    # HOSTNAME as Kubernetes sets it: the pod's name, on every line (scale-out.sh counts by it).
    links = start("links", "links.wsgi:app", service_env("links", HOSTNAME="links-5d8c7b9f4-x2x9q"))
    response = requests.post(
        f"{links.url}/api/links", json={"url": "https://e.example"}, headers={"X-Request-ID": "abc-123"}, timeout=5
    )
    assert response.status_code == 201
    assert response.headers["X-Request-ID"] == "abc-123"
    generated = requests.get(f"{links.url}/api/links/{response.json()['code']}", timeout=5).headers["X-Request-ID"]
    assert len(generated) == 32
    assert links.stop() == 0
    entries = links.log_entries()  # raises if any line is not JSON
    access = [e for e in entries if e["logger"] == "access"]
    assert {"abc-123", generated} <= {e["request_id"] for e in access}
    line = next(e for e in access if e["request_id"] == "abc-123")
    assert line["method"] == "POST" and line["path"] == "/api/links" and line["status"] == 201
    assert line["duration_ms"] >= 0 and line["service"] == "links"
    assert all({"timestamp", "level", "service", "logger", "message", "request_id"} <= e.keys() for e in entries)
    assert {e["host"] for e in entries} == {"links-5d8c7b9f4-x2x9q"}
    # The master opens no socket (reuse_port: each worker does), and still says where it listens.
    assert f"Listening at: http://0.0.0.0:{links.port} ({links.process.pid})" in [e["message"] for e in entries]


def test_metrics_count_every_request_across_workers(start, service_env):
    links = start("links", "links.wsgi:app", service_env("links", WEB_CONCURRENCY="3"))
    n = 60
    # A new connection per request lets the kernel spread them over the workers.
    for _ in range(n):
        assert requests.get(f"{links.url}/livez", timeout=5).status_code == 200
    # Each worker writes its own sample file: the requests really were spread out.
    assert len(list(links.metrics_dir.glob("counter_*.db"))) >= 2
    body = requests.get(f"{links.url}/metrics", timeout=5).text
    sample = next(
        line
        for line in body.splitlines()
        if line.startswith("http_requests_total{") and 'route="/livez"' in line and 'status="200"' in line
    )
    assert float(sample.rsplit(" ", 1)[1]) == n
