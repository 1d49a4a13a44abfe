"""/openapi.json matches the behaviour: every documented route and status is produced
by a real request, and every body validates against the documented schema."""

from __future__ import annotations

import copy

import jsonschema
import pytest

import links
from links.openapi import DOCUMENT
from snipkit.errors import SERVER_STATUSES

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/none"


def _nullable_to_jsonschema(node):
    """OpenAPI 3.0's ``nullable: true`` is JSON Schema's ``type: [T, "null"]``."""
    if isinstance(node, dict):
        node = {k: _nullable_to_jsonschema(v) for k, v in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_nullable_to_jsonschema(v) for v in node]
    return node


ROOT = _nullable_to_jsonschema(copy.deepcopy(DOCUMENT))


def documented():
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for status in operation["responses"]:
                yield path, method, int(status)


def post(client, body, **kwargs):
    return client.post("/api/links", json=body, **kwargs)


REPLAYED = {"Idempotency-Key": "replayed-after-delete"}


def _existing(client):
    return post(client, {"url": "https://e.example"}).get_json()["code"]


# (path, method, status) -> a request that must produce it.
CASES = {
    ("/api/links", "post", 201): lambda c: post(c, {"url": "https://e.example"}),
    ("/api/links", "post", 400): lambda c: c.post("/api/links", data="[", content_type="application/json"),
    ("/api/links", "post", 409): lambda c: (
        post(c, {"url": "https://a.example", "code": "dup"}),
        post(c, {"url": "https://b.example", "code": "dup"}),
    )[1],
    ("/api/links", "post", 410): lambda c: (
        c.delete(f"/api/links/{post(c, {'url': 'https://e.example'}, headers=REPLAYED).get_json()['code']}"),
        post(c, {"url": "https://e.example"}, headers=REPLAYED),
    )[1],
    ("/api/links", "post", 413): lambda c: c.post("/api/links", data="x" * 20000, content_type="application/json"),
    ("/api/links", "post", 415): lambda c: c.post("/api/links", data="url=x", content_type="text/plain"),
    ("/api/links", "post", 422): lambda c: post(c, {"url": "mailto:x@example.com"}),
    ("/api/links", "get", 200): lambda c: (_existing(c), c.get("/api/links?limit=1"))[1],
    ("/api/links", "get", 400): lambda c: c.get("/api/links?limit=500"),
    ("/api/links/{code}", "get", 200): lambda c: c.get(f"/api/links/{_existing(c)}"),
    ("/api/links/{code}", "get", 404): lambda c: c.get("/api/links/missing"),
    ("/api/links/{code}", "delete", 204): lambda c: c.delete(f"/api/links/{_existing(c)}"),
    ("/api/links/{code}", "delete", 404): lambda c: c.delete("/api/links/missing"),
}
# With API_TOKEN set, a write without it.
UNAUTHORIZED = {
    ("/api/links", "post", 401): lambda c: post(c, {"url": "https://e.example"}),
    ("/api/links/{code}", "delete", 401): lambda c: c.delete("/api/links/abc"),
}
UNAVAILABLE = {
    ("/api/links", "post", 503): lambda c: post(c, {"url": "https://e.example"}),
    ("/api/links", "get", 503): lambda c: c.get("/api/links"),
    ("/api/links/{code}", "get", 503): lambda c: c.get("/api/links/abc"),
    ("/api/links/{code}", "delete", 503): lambda c: c.delete("/api/links/abc"),
}


def test_every_documented_status_has_a_case_and_nothing_else():
    # The server's own statuses are produced against gunicorn: tests/suite/test_server_errors.py.
    by_server = {(path, method, status) for path, method, status in documented() if status in SERVER_STATUSES}
    assert set(documented()) == set(CASES) | set(UNAUTHORIZED) | set(UNAVAILABLE) | by_server


def test_the_app_serves_this_document(client):
    assert client.get("/openapi.json").get_json() == DOCUMENT


@pytest.fixture
def down_client(sandbox):
    app = links.create_app(
        {
            "DATABASE_URL": UNREACHABLE_DB,
            "DB_CONNECT_TIMEOUT_S": 1,
            "REDIS_URL": sandbox.redis_url,
            "PUBLIC_BASE_URL": "https://snip.test",
        }
    )
    return app.test_client()


def check(response, path, method, status):
    assert response.status_code == status
    spec = DOCUMENT["paths"][path][method]["responses"][str(status)]
    if "content" not in spec:
        assert response.data == b""
        return
    ref = spec["content"]["application/json"]["schema"]["$ref"]
    jsonschema.validate(response.get_json(), {**ROOT, "$ref": ref})


@pytest.mark.parametrize(("path", "method", "status"), sorted(CASES))
def test_documented_response(client, path, method, status):
    check(CASES[(path, method, status)](client), path, method, status)


@pytest.fixture
def guarded_client(app):
    app.config["API_TOKEN"] = "t" * 32
    return app.test_client()


@pytest.mark.parametrize(("path", "method", "status"), sorted(UNAUTHORIZED))
def test_documented_unauthorized_response(guarded_client, path, method, status):
    check(UNAUTHORIZED[(path, method, status)](guarded_client), path, method, status)


@pytest.mark.parametrize(("path", "method", "status"), sorted(UNAVAILABLE))
def test_documented_unavailable_response(down_client, path, method, status):
    check(UNAVAILABLE[(path, method, status)](down_client), path, method, status)
