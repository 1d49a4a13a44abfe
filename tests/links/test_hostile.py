"""Every parameter of every links route, fed the inputs that once made it answer 500
(see the ``hostile`` strategies): each is refused with a JSON 4xx, or accepted."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import links

FIELDS = ("url", "code", "expires_at")


@pytest.fixture(scope="module")
def client(sandbox):
    app = links.create_app(
        {
            "DATABASE_URL": sandbox.urls["links"],
            "REDIS_URL": sandbox.redis_url,
            "REDIS_KEY_PREFIX": sandbox.key_prefix,
            "PUBLIC_BASE_URL": "https://snip.test",
        }
    )
    return app.test_client()


@pytest.fixture(scope="module")
def sent(figure):
    """Counts the requests this module sends, for the run's figures."""
    count = {"requests": 0}
    yield count
    figure("links: hostile requests (Hypothesis)", count["requests"])


def encoded(value: str) -> str:
    """``value`` percent-encoded as a client would send it, lone surrogates included (as
    the bytes a client can send, which no UTF-8 decoder accepts)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def as_header(value: str) -> str:
    """``value`` as a header can carry it: latin-1, no line breaks (HTTP has no others)."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1").replace("\r", "").replace("\n", "")


@given(data=st.data())
def test_every_body_field(client, hostile, no_5xx, sent, data):
    body = {"url": "https://e.example/"}
    for field in data.draw(st.sets(st.sampled_from(FIELDS), min_size=1)):
        body[field] = data.draw({"url": hostile.url, "expires_at": hostile.when}.get(field, hostile.text))
    body.update(data.draw(st.dictionaries(hostile.text, hostile.json_value, max_size=2)))
    sent["requests"] += 1
    # ensure_ascii: a lone surrogate travels as "\ud800", exactly as a client can send it.
    no_5xx(client.post("/api/links", data=json.dumps(body), content_type="application/json"))


@given(data=st.data())
def test_the_idempotency_key(client, hostile, no_5xx, sent, data):
    key = as_header(data.draw(hostile.text))
    sent["requests"] += 1
    no_5xx(client.post("/api/links", json={"url": "https://e.example/"}, headers={"Idempotency-Key": key}))


@given(data=st.data())
def test_malformed_and_deep_bodies(client, hostile, no_5xx, sent, data):
    raw = data.draw(st.one_of(hostile.deep_json.map(str.encode), st.binary(max_size=64)))
    sent["requests"] += 1
    no_5xx(client.post("/api/links", data=raw, content_type="application/json"))


@given(data=st.data())
def test_the_listing_parameters(client, hostile, no_5xx, sent, data):
    query = "&".join(f"{name}={encoded(data.draw(hostile.text))}" for name in ("limit", "cursor"))
    sent["requests"] += 1
    no_5xx(client.get(f"/api/links?{query}"))


@given(data=st.data())
def test_the_code_in_the_path(client, hostile, no_5xx, sent, data):
    code, method = encoded(data.draw(hostile.text)), data.draw(st.sampled_from(["GET", "DELETE"]))
    sent["requests"] += 1
    no_5xx(client.open(f"/api/links/{code}", method=method))
