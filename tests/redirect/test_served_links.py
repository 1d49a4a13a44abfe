"""A link links accepts is a link redirect can serve: the same conversion decides both.
The click is counted only for a request answered with a redirect."""

from __future__ import annotations

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

import links
import redirect
from snipkit import urls


@pytest.fixture(scope="module")
def both(sandbox, links_config):
    """A links client, a redirect client on this run's database and Redis, and a count
    of the click events in the stream."""
    links_app = links.create_app(links_config)
    redirect_app = redirect.create_app(
        {**links_config, "DATABASE_URL": sandbox.urls["redirect"], "PENDING_FLUSH_ENABLED": False}
    )
    with redis.Redis.from_url(sandbox.redis_url) as stream:
        yield links_app.test_client(), redirect_app.test_client(), lambda: clicks(stream, sandbox)


def clicks(redis_client, sandbox) -> int:
    return redis_client.xlen(f"{sandbox.key_prefix}clicks")


@given(data=st.data())
def test_an_accepted_url_redirects_with_one_click(both, hostile, data):
    links_client, redirect_client, count = both
    url = data.draw(st.one_of(hostile.url, hostile.text.map("https://example.com/".__add__)))
    created = links_client.post("/api/links", json={"url": url})
    if created.status_code != 201:
        assert created.status_code in (400, 422)  # not JSON text / not a URL to serve
        return
    code = created.get_json()["code"]
    before = count()
    for _cold_then_warm in range(2):
        response = redirect_client.get(f"/r/{code}")
        assert response.status_code == 302
        assert response.headers["Location"] == urls.location(url)
    assert count() == before + 2


def test_a_stored_url_that_cannot_be_sent_is_a_404_without_a_click(client, add_link, redis_client, sandbox):
    # A row from before links checked its URLs: answered, never a 500 or a broken header.
    add_link("broken", "https://example.com:65536/")
    response = client.get("/r/broken", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert clicks(redis_client, sandbox) == 0
