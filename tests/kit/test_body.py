"""snipkit.body: a JSON body is an object of storable text, and every body, chunked or
not, obeys MAX_BODY_BYTES with a 413."""

from __future__ import annotations

import io
import json

import pytest
from flask import jsonify, request

import snipkit
from snipkit import body

LIMIT = 16 * 1024


@pytest.fixture
def client():
    app = snipkit.create_app("body-test", __name__, [], {"METRICS_ENABLED": False})

    @app.post("/json")
    def json_route():
        return jsonify(size=len(body.json_object()["s"]))

    @app.post("/form")
    def form_route():
        return jsonify(size=len(request.form["s"]))

    return app.test_client()


def chunked(client, path: str, data: bytes, content_type: str):
    """POST ``data`` as gunicorn passes a chunked body on: no Content-Length, a stream the
    server ends itself (Werkzeug's test client would add a Content-Length)."""
    return client.post(
        path,
        input_stream=io.BytesIO(data),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"CONTENT_LENGTH": "", "wsgi.input_terminated": True},
    )


@pytest.mark.parametrize(
    ("path", "content_type", "encode"),
    [
        ("/json", "application/json", lambda s: json.dumps({"s": s}).encode()),
        ("/form", "application/x-www-form-urlencoded", lambda s: f"s={s}".encode()),
    ],
)
def test_a_chunked_body_over_the_limit_is_413_not_cut_short(client, path, content_type, encode):
    fits = encode("a" * (LIMIT - 100))
    assert chunked(client, path, fits, content_type).get_json() == {"size": LIMIT - 100}
    response = chunked(client, path, encode("a" * (LIMIT + 10)), content_type)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "request_entity_too_large"


def test_a_chunked_body_exactly_at_the_limit_is_taken(client):
    data = json.dumps({"s": ""}).encode()
    data = data[:-2] + b"a" * (LIMIT - len(data)) + data[-2:]
    assert len(data) == LIMIT
    assert chunked(client, "/json", data, "application/json").get_json() == {"size": LIMIT - len('{"s": ""}')}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"s": "\\ud800"}', "lone surrogate"),
        ('{"s": "ok", "k": {"\\udfff": 1}}', "lone surrogate"),
        ('{"s": ' + "[" * 33 + "]" * 33 + "}", "nested more than 32 levels"),
        ('{"s": ' + "[" * 5000 + "]" * 5000 + "}", "nested more than 32 levels"),
        ('["s"]', "must be a JSON object"),
        (b'{"s": "\xff"}', "not valid JSON"),
    ],
)
def test_json_that_cannot_be_taken_is_a_400_naming_why(client, raw, message):
    response = client.post("/json", data=raw, content_type="application/json")
    error = response.get_json()["error"]
    assert response.status_code == 400 and error["code"] == "malformed_json" and message in error["message"]


def test_json_nested_up_to_the_limit_is_taken(client):
    raw = '{"s": "ok", "deep": ' + "[" * 31 + "]" * 31 + "}"
    assert client.post("/json", data=raw, content_type="application/json").get_json() == {"size": 2}
