"""Every parameter of every links route, fed the inputs that once made it answer 500
(see the ``hostile`` strategies): each is refused with a JSON 4xx, or accepted."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import links

FIELDS = ("url", "code", "expires_at")


@pytest.fixture(scope="module")
def client(links_config):
    return links.create_app(links_config).test_client()


@pytest.fixture(scope="module")
def sent(tally):
    return lambda: tally("links: hostile requests (Hypothesis)")


def as_header(value: str) -> str:
    """``value`` as a header can carry it: latin-1, no line breaks (HTTP has no others)."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1").replace("\r", "").replace("\n", "")


@given(data=st.data())
def test_every_body_field(client, hostile, no_5xx, sent, data):
    body = {"url": "https://e.example/"}
    for field in data.draw(st.sets(st.sampled_from(FIELDS), min_size=1)):
        body[field] = data.draw({"url": hostile.url, "expires_at": hostile.when}.get(field, hostile.text))
    body.update(data.draw(st.dictionaries(hostile.text, hostile.json_value, max_size=2)))
    sent()
    # ensure_ascii: a lone surrogate travels as "\ud800", exactly as a client can send it.
    no_5xx(client.post("/api/links", data=json.dumps(body), content_type="application/json"))


@given(data=st.data())
def test_the_idempotency_key(client, hostile, no_5xx, sent, data):
    key = as_header(data.draw(hostile.text))
    sent()
    no_5xx(client.post("/api/links", json={"url": "https://e.example/"}, headers={"Idempotency-Key": key}))


@given(data=st.data())
def test_malformed_and_deep_bodies(client, hostile, no_5xx, sent, data):
    raw = data.draw(st.one_of(hostile.deep_json.map(str.encode), st.binary(max_size=64)))
    sent()
    no_5xx(client.post("/api/links", data=raw, content_type="application/json"))


@given(data=st.data())
def test_the_listing_parameters(client, hostile, no_5xx, sent, data):
    query = "&".join(f"{name}={hostile.in_url(data.draw(hostile.text))}" for name in ("limit", "cursor"))
    sent()
    no_5xx(client.get(f"/api/links?{query}"))


@given(data=st.data())
def test_the_code_in_the_path(client, hostile, no_5xx, sent, data):
    code, method = hostile.in_url(data.draw(hostile.text)), data.draw(st.sampled_from(["GET", "DELETE"]))
    sent()
    no_5xx(client.open(f"/api/links/{code}", method=method))
