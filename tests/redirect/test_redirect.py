"""GET /r/<code> against the real database and Redis: status codes, cache, click events."""

from __future__ import annotations

import time

import redirect

JSON = {"Accept": "application/json"}


def stream(redis_client, sandbox) -> list[dict]:
    return [fields for _id, fields in redis_client.xrange(f"{sandbox.key_prefix}clicks")]


def test_known_code_redirects_and_emits_one_click(client, add_link, redis_client, sandbox):
    add_link("abc", "https://example.com/a?b=c")
    before = int(time.time() * 1000)
    response = client.get("/r/abc")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.com/a?b=c"
    [event] = stream(redis_client, sandbox)
    assert event["code"] == "abc"
    assert before - 5 <= int(event["at"]) <= int(time.time() * 1000) + 5


def test_unknown_code_is_404_and_briefly_remembered(client, admin, redis_client, sandbox):
    response = client.get("/r/nope", headers=JSON)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert client.get("/r/nope").mimetype == "text/html"
    assert 0 < redis_client.ttl(f"{sandbox.key_prefix}link:nope") <= 5
    assert stream(redis_client, sandbox) == []


def test_a_code_no_link_can_have_is_404_without_a_lookup(client, redis_client, sandbox):
    for code in ("x" * 65, "bad.code", "%F0%9F%94%97"):
        response = client.get(f"/r/{code}", headers=JSON)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert list(redis_client.scan_iter(match=f"{sandbox.key_prefix}link:*")) == []


def test_expired_link_is_410_html_for_browsers_and_json_on_request(client, add_link, redis_client, sandbox):
    add_link("old", "https://example.com", expired=True)
    page = client.get("/r/old", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 410
    assert page.mimetype == "text/html"
    assert "expired" in page.get_data(as_text=True)
    api = client.get("/r/old", headers=JSON)
    assert api.status_code == 410
    assert api.json["error"]["code"] == "expired"
    assert stream(redis_client, sandbox) == []


def test_cache_entry_lives_for_the_configured_ttl(settings, add_link, redis_client, sandbox):
    client = redirect.create_app({**settings, "REDIRECT_CACHE_TTL_S": 77}).test_client()
    add_link("ttl", "https://example.com")
    assert client.get("/r/ttl").status_code == 302
    assert 70 <= redis_client.ttl(f"{sandbox.key_prefix}link:ttl") <= 77


def test_warm_cache_needs_no_postgresql(settings, client, add_link, redis_client, sandbox):
    add_link("warm", "https://example.com/warm")
    assert client.get("/r/warm").status_code == 302
    # Another redirect on the same Redis, whose PostgreSQL does not exist: any query fails.
    client = redirect.create_app({**settings, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}).test_client()
    response = client.get("/r/warm")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.com/warm"
    assert [e["code"] for e in stream(redis_client, sandbox)] == ["warm", "warm"]
    assert client.get("/r/cold").status_code == 503


def test_stream_is_bounded(settings, redis_client, sandbox):
    app = redirect.create_app({**settings, "CLICK_STREAM_MAXLEN": 1000})
    with app.app_context():
        for _ in range(3000):
            redirect.clicks.emit("many", redirect.clicks.new_id())
    # MAXLEN ~ trims whole radix-tree nodes (100 entries), so the bound is approximate.
    assert 1000 <= redis_client.xlen(f"{sandbox.key_prefix}clicks") <= 1100


def test_non_ascii_urls_are_quoted_for_the_location_header(client, add_link):
    add_link("uni", "https://example.com/straße?q=ü")
    for _cold_then_warm in range(2):
        response = client.get("/r/uni")
        assert response.status_code == 302
        assert response.headers["Location"] == "https://example.com/stra%C3%9Fe?q=%C3%BC"
