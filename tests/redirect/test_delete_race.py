"""A link deleted through links is never served again, whatever a redirect in flight
read before the DELETE: the two interleavings that let the old URL back into the cache,
made to happen on purpose (see snipkit.linkcache)."""

from __future__ import annotations

import threading

import pytest

import links
import redirect
from links import invalidation
from redirect import lookup

JSON = {"Accept": "application/json"}
WAIT_S = 10


@pytest.fixture
def clients(links_config, settings):
    """A links client and a redirect client on this run's database and Redis."""
    return links.create_app(links_config).test_client(), redirect.create_app(settings).test_client()


def paused(monkeypatch, module, name: str):
    """Make ``module.name`` stop after it has run, until released: ``(reached, release)``."""
    reached, release, original = threading.Event(), threading.Event(), getattr(module, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        reached.set()
        assert release.wait(WAIT_S), "never released"
        return result

    monkeypatch.setattr(module, name, wrapper)
    return reached, release


def in_thread(call) -> tuple[threading.Thread, list]:
    result: list = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    return thread, result


def gone_then_made_again(links_client, redirect_client, code: str) -> None:
    """Deleted means not found, and the code made again goes to its new URL only."""
    assert redirect_client.get(f"/r/{code}", headers=JSON).status_code == 404
    assert links_client.post("/api/links", json={"url": "https://new.example/", "code": code}).status_code == 201
    for _cold_then_warm in range(2):
        assert redirect_client.get(f"/r/{code}").headers["Location"] == "https://new.example/"


def test_a_redirect_that_read_the_row_before_the_delete_cannot_cache_it(clients, monkeypatch):
    links_client, redirect_client = clients
    assert links_client.post("/api/links", json={"url": "https://old.example/", "code": "race1"}).status_code == 201
    # The redirect misses the cache, reads the row ... and stops, before filling the cache.
    read, release = paused(monkeypatch, lookup, "_from_database")
    thread, answered = in_thread(lambda: redirect_client.get("/r/race1"))
    assert read.wait(WAIT_S)
    assert links_client.delete("/api/links/race1").status_code == 204
    release.set()
    thread.join(WAIT_S)
    assert answered[0].status_code == 302, "a redirect that started before the DELETE may still be served"
    monkeypatch.undo()
    gone_then_made_again(links_client, redirect_client, "race1")


def test_a_redirect_that_reads_while_the_delete_commits_cannot_cache_it(clients, monkeypatch):
    links_client, redirect_client = clients
    assert links_client.post("/api/links", json={"url": "https://old.example/", "code": "race2"}).status_code == 201
    # links has told the cache and not yet committed: the row is still there to read.
    told, commit = paused(monkeypatch, invalidation, "forget")
    thread, deleted = in_thread(lambda: links_client.delete("/api/links/race2"))
    assert told.wait(WAIT_S)
    assert redirect_client.get("/r/race2").headers["Location"] == "https://old.example/"
    commit.set()
    thread.join(WAIT_S)
    assert deleted[0].status_code == 204
    gone_then_made_again(links_client, redirect_client, "race2")


def test_a_fill_after_its_window_is_dropped(clients, settings, add_link, redis_client, sandbox):
    # A miss so old that a tombstone it raced may have expired since: nothing is cached.
    _links_client, redirect_client = clients
    add_link("late", "https://late.example/")
    app = redirect.create_app(settings)
    with app.app_context():
        stale = int(redis_client.time()[0]) * 1000 - lookup.linkcache.FILL_WINDOW_MS - 1
        assert not lookup.linkcache.fill(lookup.cache.client(), "late", '{"url": "x"}', 60, stale)
    assert redis_client.exists(f"{sandbox.key_prefix}link:late") == 0
    assert redirect_client.get("/r/late").headers["Location"] == "https://late.example/"
