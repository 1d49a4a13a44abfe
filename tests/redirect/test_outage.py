"""Redis down: redirects come from PostgreSQL, clicks wait in pending_clicks, readiness holds."""

from __future__ import annotations

import socket
import time

import pytest
import redis

import redirect
from redirect import clicks
from snipdev.embedded import free_port


@pytest.fixture
def redis_down(settings):
    """Settings pointing at a port where no Redis listens."""
    return {**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "REDIS_TIMEOUT_S": 0.2}


@pytest.fixture
def redis_silent(settings):
    """Settings pointing at a server that accepts connections and never answers, like a
    Redis behind a network partition: every call waits for the whole timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        yield {**settings, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "REDIS_TIMEOUT_S": 0.3}


def pending(admin) -> list[tuple[str]]:
    with admin.cursor() as cur:
        cur.execute("SELECT code FROM redirect.pending_clicks ORDER BY id")
        return cur.fetchall()


def test_redirects_work_and_clicks_are_kept_in_postgresql(redis_down, add_link, admin):
    client = redirect.create_app(redis_down).test_client()
    add_link("down", "https://example.com/down")
    for _ in range(3):
        response = client.get("/r/down")
        assert response.status_code == 302
        assert response.headers["Location"] == "https://example.com/down"
    assert client.get("/r/missing", headers={"Accept": "application/json"}).status_code == 404
    assert pending(admin) == [("down",)] * 3


def test_readiness_stays_ok_and_says_redis_is_not_required(redis_down):
    response = redirect.create_app(redis_down).test_client().get("/readyz")
    assert response.status_code == 200
    redis_check = response.json["checks"]["redis"]
    assert redis_check["ok"] is False and redis_check["required"] is False and redis_check["error"]
    assert response.json["checks"]["postgresql"]["ok"] is True


def test_readiness_needs_postgresql_or_redis_not_both(settings, redis_down, add_link):
    # Ready means able to serve: cached links come from Redis alone.
    postgresql_down = {**settings, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "DB_CONNECT_TIMEOUT_S": 1}
    add_link("cached", "https://example.com/cached")
    redirect.create_app(settings).test_client().get("/r/cached")
    client = redirect.create_app(postgresql_down).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["postgresql"]["ok"] is False and ready.json["checks"]["redis"]["ok"] is True
    assert client.get("/r/cached").headers["Location"] == "https://example.com/cached"
    neither = redirect.create_app({**postgresql_down, "REDIS_URL": redis_down["REDIS_URL"], "REDIS_TIMEOUT_S": 0.2})
    unready = neither.test_client().get("/readyz")
    assert unready.status_code == 503 and sorted(unready.json["failing"]) == ["postgresql", "redis"]


def test_flush_moves_pending_clicks_to_the_stream_with_their_original_time(
    settings, redis_down, add_link, admin, redis_client, sandbox
):
    add_link("late", "https://example.com")
    redirect.create_app(redis_down).test_client().get("/r/late")
    with admin.cursor() as cur:
        cur.execute("UPDATE redirect.pending_clicks SET clicked_at = '2030-01-02T03:04:05Z'")
    # While Redis is down the flush fails and keeps the rows.
    with redirect.create_app(redis_down).app_context(), pytest.raises(clicks.cache.REDIS_ERRORS):
        clicks.flush_once()
    assert pending(admin) == [("late",)]
    with redirect.create_app(settings).app_context():
        assert clicks.flush_once() == 1
        assert clicks.flush_once() == 0
    assert pending(admin) == []
    [(_id, event)] = redis_client.xrange(f"{sandbox.key_prefix}clicks")
    assert event["code"] == "late" and event["at"] == "1893553445000" and len(event["id"]) == 32


def test_a_flush_that_died_before_its_commit_sends_the_same_clicks_again(
    settings, redis_down, add_link, admin, redis_client, sandbox, monkeypatch
):
    add_link("twice", "https://example.com")
    client = redirect.create_app(redis_down).test_client()
    client.get("/r/twice")
    client.get("/r/twice")
    with admin.cursor() as cur:
        cur.execute("SELECT click_id FROM redirect.pending_clicks ORDER BY id")
        kept = [click_id for (click_id,) in cur.fetchall()]
    send = redis.client.Pipeline.execute

    def sent_then_died(pipe):
        send(pipe)
        raise SystemExit("the flusher's process died before its commit")

    with redirect.create_app(settings).app_context():
        with monkeypatch.context() as patch, pytest.raises(SystemExit):
            patch.setattr(redis.client.Pipeline, "execute", sent_then_died)
            clicks.flush_once()
        assert pending(admin) == [("twice",)] * 2, "rolled back: the rows are still there"
        assert clicks.flush_once() == 2
    assert pending(admin) == []
    # Four entries, two clicks: stats-worker counts each click id once (stats.counting).
    ids = [event["id"] for _id, event in redis_client.xrange(f"{sandbox.key_prefix}clicks")]
    assert ids == kept + kept and len(set(kept)) == 2


def test_a_silent_redis_costs_one_timeout_then_is_skipped(redis_silent, add_link, admin):
    client = redirect.create_app({**redis_silent, "REDIS_RETRY_AFTER_S": 60}).test_client()
    add_link("slow", "https://example.com/slow")
    started = time.monotonic()
    assert client.get("/r/slow").status_code == 302
    assert time.monotonic() - started >= 0.3
    for _ in range(5):
        started = time.monotonic()
        assert client.get("/r/slow").status_code == 302
        assert time.monotonic() - started < 0.25
    assert pending(admin) == [("slow",)] * 6
