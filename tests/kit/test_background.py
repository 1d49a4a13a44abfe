"""snipkit.background and metrics.reset_multiprocess_dir: what a non-web process uses."""

from __future__ import annotations

import requests

import snipkit
from snipdev.embedded import free_port
from snipkit import background, metrics


def test_serve_http_serves_the_kit_endpoints_from_a_thread_until_shutdown():
    app = snipkit.create_app("background-test", __name__, [])
    port = free_port()
    server = background.serve_http(app, port, host="127.0.0.1")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/livez", timeout=5).json() == {"status": "ok"}
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        assert "http_requests_total" in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        server.shutdown()
        server.server_close()
    try:
        requests.get(f"http://127.0.0.1:{port}/livez", timeout=1)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the server still answers after shutdown")


def test_reset_multiprocess_dir_empties_it(tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    (directory / "nested").mkdir(parents=True)
    (directory / "counter_123.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    metrics.reset_multiprocess_dir()
    assert directory.is_dir() and list(directory.iterdir()) == []
