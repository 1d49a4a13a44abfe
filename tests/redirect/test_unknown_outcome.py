"""A Redis call that times out may still run once Redis wakes up: the click redirect
then records its other way (pending_clicks) reaches the stream twice, and both copies
carry the one id redirect gave the click, which stats-worker counts once."""

from __future__ import annotations

import redis as redis_py

import redirect
from redirect import clicks
from testkit.processes import wait_until


def test_a_click_whose_redis_call_timed_out_carries_one_id_in_every_copy(
    settings, owned_redis, freeze, add_link, admin
):
    app = redirect.create_app({**settings, "REDIS_URL": owned_redis.url, "REDIS_TIMEOUT_S": 0.3})
    client = app.test_client()
    add_link("frozen", "https://example.com/frozen")
    assert client.get("/r/frozen").status_code == 302  # cached from now on
    stream = redis_py.Redis.from_url(owned_redis.url, decode_responses=True)
    key = f"{settings['REDIS_KEY_PREFIX']}clicks"
    with freeze(owned_redis):
        # hit.lua is sent, and waits in Redis's socket; the call times out and the click
        # is kept in PostgreSQL instead.
        assert client.get("/r/frozen").status_code == 302
    with admin.cursor() as cur:
        cur.execute("SELECT click_id FROM redirect.pending_clicks")
        [(kept,)] = cur.fetchall()
    # Thawed, Redis runs the script it was sent: the click's first copy.
    wait_until(lambda: stream.xlen(key) == 2, 10, "the timed-out call ran after all")
    with app.app_context():
        assert clicks.flush_once() == 1  # the second copy
    ids = [event["id"] for _id, event in stream.xrange(key)]
    assert ids[1:] == [kept, kept] and ids[0] != kept
    stream.close()
    clicks.cache.client(app).close()
