"""snipkit.http: retries only what is safe to repeat, passes the request id on, keeps
connections alive between calls, and turns an unreachable service into a 503 naming it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from snipdev.embedded import free_port
from snipkit import DependencyUnavailable, requestid
from snipkit.http import ServiceClient


class Upstream(ThreadingHTTPServer):
    """A real HTTP server that fails the first ``failures`` requests with 503."""

    def __init__(self, failures: int):
        self.failures = failures
        self.seen: list[tuple[str, str | None]] = []
        self.client_ports: list[int] = []
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1, so that a connection may serve several requests (http.server's default is 1.0).
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        server: Upstream = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        server.seen.append((self.command, self.headers.get("X-Request-ID")))
        server.client_ports.append(self.client_address[1])
        status = 503 if len(server.seen) <= server.failures else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def upstream(request):
    server = Upstream(failures=getattr(request, "param", 0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("upstream", [2], indirect=True)
def test_idempotent_requests_are_retried(upstream):
    client = ServiceClient("links", upstream.url, backoff=0)
    assert client.get("/x").status_code == 200
    assert [method for method, _ in upstream.seen] == ["GET"] * 3


@pytest.mark.parametrize("upstream", [2], indirect=True)
def test_post_is_never_retried(upstream):
    client = ServiceClient("links", upstream.url, backoff=0)
    assert client.post("/x", json={}).status_code == 503
    assert len(upstream.seen) == 1


def test_request_id_is_passed_on(upstream):
    app = Flask(__name__)
    requestid.init_app(app)
    client = ServiceClient("links", upstream.url)

    @app.get("/")
    def index():
        client.get("/downstream")
        return ""

    response = app.test_client().get("/", headers={"X-Request-ID": "trace-7"})
    assert response.headers["X-Request-ID"] == "trace-7"
    assert upstream.seen == [("GET", "trace-7")]


def test_connections_are_kept_alive_between_calls(upstream):
    client = ServiceClient("links", upstream.url)
    for _ in range(5):
        assert client.get("/x").status_code == 200
    client.post("/x", json={"url": "https://example.com"})
    assert len(upstream.client_ports) == 6
    assert len(set(upstream.client_ports)) == 1


def test_unreachable_service_is_a_named_503():
    client = ServiceClient("stats-api", f"http://127.0.0.1:{free_port()}", retries=1, backoff=0)
    with pytest.raises(DependencyUnavailable) as caught:
        client.get("/api/stats/top")
    assert caught.value.status == 503
    assert caught.value.dependency == "stats-api"
