"""Every operation and status in /openapi.json is called, and each response matches its schema."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

import stats
from snipkit.errors import SERVER_STATUSES

# For each documented status, a request that must produce it. 503 (PostgreSQL down) is
# proved separately, with the app pointed at a server that does not exist.
REQUESTS = {
    ("/api/stats", "200"): "/api/stats?codes=abc,def",
    ("/api/stats", "400"): "/api/stats",
    ("/api/stats/top", "200"): "/api/stats/top?limit=3",
    ("/api/stats/top", "400"): "/api/stats/top?limit=0",
    ("/api/stats/{code}", "200"): "/api/stats/abc?window=2h&granularity=minute",
    ("/api/stats/{code}", "400"): "/api/stats/abc?window=forever",
}


@pytest.fixture
def document(client):
    return client.get("/openapi.json").json


def documented(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                yield path, method, status, response["content"]["application/json"]["schema"]


def check(document, schema, body) -> None:
    Draft202012Validator({**schema, "components": document["components"]}).validate(body)


def test_every_documented_response_is_produced_and_matches(client, document):
    seen = set()
    for path, method, status, schema in documented(document):
        # 503: below; the server's own statuses: against gunicorn (tests/suite/test_server_errors.py).
        if status == "503" or (int(status) in SERVER_STATUSES and (path, status) not in REQUESTS):
            continue
        url = REQUESTS[(path, status)]
        response = client.open(url, method=method.upper())
        assert response.status_code == int(status), url
        check(document, schema, response.json)
        seen.add((path, status))
    assert seen == set(REQUESTS)


def test_documented_503_when_postgresql_is_down(document):
    client = stats.create_app({"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}).test_client()
    for path, method, status, schema in documented(document):
        if status == "503":
            url = REQUESTS[(path, "200")]
            response = client.open(url, method=method.upper())
            assert response.status_code == 503, url
            check(document, schema, response.json)
