"""What the server answers before any route runs, against gunicorn itself: a request it
cannot parse, one too long or too slow, gets the suite's JSON error with the status the
OpenAPI documents list for every operation, never an HTML page."""

from __future__ import annotations

import json
import socket

import jsonschema
import pytest

from links.openapi import DOCUMENT as LINKS_DOCUMENT
from snipkit.errors import SERVER_STATUSES
from stats.openapi import DOCUMENT as STATS_DOCUMENT

REQUESTS = {
    400: b"GARBAGE\r\n\r\n",
    408: b"GET /livez HTTP/1.1\r\nHost: snip\r\n",  # and nothing more
    414: b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: snip\r\n\r\n",
    431: b"GET /livez HTTP/1.1\r\nHost: snip\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
}
SERVICES = {"links": ("links.wsgi:app", LINKS_DOCUMENT), "stats-api": ("stats.wsgi:app", STATS_DOCUMENT)}


def exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is; the status, headers and body the server answered with."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_servers_own_refusals_are_documented_json(start, service_env, service):
    app, document = SERVICES[service]
    env = service_env("links" if service == "links" else "stats", CLIENT_TIMEOUT_S="1")
    process = start(service, app, env)
    error_schema = {**document, "$ref": "#/components/schemas/Error"}
    for status in SERVER_STATUSES:
        answered, headers, body = exchange(process.port, REQUESTS[status])
        assert answered == status, body
        assert headers["content-type"] == "application/json" and headers["connection"] == "close"
        jsonschema.validate(json.loads(body), error_schema)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            missing = {str(s) for s in SERVER_STATUSES} - set(operation["responses"])
            assert not missing, f"{method.upper()} {path} does not document {missing}"
