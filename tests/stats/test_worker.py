"""stats.worker and stats.stream: batches, acknowledgements, claims and shutdown, against
the real Redis and PostgreSQL."""

from __future__ import annotations

import threading
import time

from stats import counting, worker
from testkit.processes import wait_until

T0 = 1_893_456_000_000


def test_a_step_counts_a_batch_and_acknowledges_it(worker_app, add_clicks, totals, redis_client, stream_key):
    add_clicks("abc", T0, n=7)
    reader = worker.consumer(worker_app)
    reader.ensure_group()
    assert worker.step(reader) == 7
    assert totals() == {"abc": 7}
    assert redis_client.xpending(stream_key, "stats")["pending"] == 0
    assert worker.step(reader) == 0


def test_clicks_made_before_the_group_existed_are_counted(worker_app, add_clicks, totals):
    add_clicks("early", T0, n=3)
    reader = worker.consumer(worker_app)
    reader.ensure_group()
    worker.step(reader)
    assert totals() == {"early": 3}


def test_crash_between_commit_and_ack_does_not_count_twice(
    worker_settings, add_clicks, totals, redis_client, stream_key
):
    add_clicks("once", T0, n=20)
    dead = worker.consumer(worker.create_worker_app(worker_settings))
    dead.ensure_group()
    survivor_app = worker.create_worker_app(
        {**worker_settings, "STATS_CONSUMER": "test-b", "STATS_CLAIM_MIN_IDLE_MS": 1}
    )
    with survivor_app.app_context():
        counting.apply(dead.next_batch())  # committed; the worker dies before XACK
        assert totals() == {"once": 20}
        survivor = worker.consumer(survivor_app)
        time.sleep(0.01)  # the dead consumer's entries must be idle longer than min_idle_ms
        assert worker.step(survivor) == 20  # claimed from the dead consumer...
    assert totals() == {"once": 20}  # ...and found already counted
    assert redis_client.xpending(stream_key, "stats")["pending"] == 0


def test_a_restarted_consumer_first_finishes_its_own_pending_entries(
    worker_app, add_clicks, totals, redis_client, stream_key
):
    add_clicks("mine", T0, n=5)
    first = worker.consumer(worker_app)
    first.ensure_group()
    counting.apply(first.next_batch())
    add_clicks("mine", T0, n=2)
    restarted = worker.consumer(worker_app)  # same name, as a pod restarted in place
    assert worker.step(restarted) == 5
    assert worker.step(restarted) == 2
    assert totals() == {"mine": 7}
    assert redis_client.xpending(stream_key, "stats")["pending"] == 0


def test_a_lost_stream_and_group_are_recreated(worker_app, add_clicks, totals, redis_client, stream_key):
    reader = worker.consumer(worker_app)
    reader.ensure_group()
    redis_client.delete(stream_key)  # Redis restarted without persistence
    assert reader.next_batch() == []
    add_clicks("after", T0, n=2)
    worker.step(reader)
    assert totals() == {"after": 2}


def test_lag_metrics(worker_settings, redis_client, stream_key):
    five_seconds_ago = int(time.time() * 1000) - 5000
    for seq in range(4):
        redis_client.xadd(stream_key, {"code": "lag", "at": five_seconds_ago}, id=f"{five_seconds_ago}-{seq}")
    app = worker.create_worker_app(worker_settings)

    def scrape() -> dict[str, float]:
        body = app.test_client().get("/metrics").get_data(as_text=True)
        lines = (line.rsplit(" ", 1) for line in body.splitlines() if line.startswith("stats_") and "{" in line)
        return {name.split("{")[0]: float(value) for name, value in lines if 'group="stats"' in name}

    with app.app_context():
        reader = worker.consumer(app)
        reader.ensure_group()
        assert scrape()["stats_stream_undelivered"] == 4
        reader.next_batch()  # delivered, not yet acknowledged
    metrics = scrape()
    assert metrics["stats_stream_length"] == 4
    assert metrics["stats_stream_pending"] == 4
    assert metrics["stats_stream_undelivered"] == 0
    assert 5 <= metrics["stats_oldest_unprocessed_age_seconds"] < 60


def test_run_counts_until_stopped_then_returns(worker_settings, add_clicks, totals):
    app = worker.create_worker_app(worker_settings)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(app, stop))
    thread.start()
    try:
        add_clicks("run", T0, n=50)
        wait_until(lambda: totals() == {"run": 50}, 10, "50 clicks counted")
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_a_blocking_read_longer_than_the_redis_timeout_waits_instead_of_failing(worker_settings):
    app = worker.create_worker_app({**worker_settings, "REDIS_TIMEOUT_S": 0.1, "STATS_BLOCK_MS": 400})
    with app.app_context():
        reader = worker.consumer(app)
        reader.ensure_group()
        started = time.monotonic()
        assert reader.next_batch() == []
        assert time.monotonic() - started >= 0.35


def test_prune_keeps_the_ids_that_may_still_be_delivered(worker_settings, redis_client, stream_key, admin):
    def applied() -> list[int]:
        with admin.cursor() as cur:
            cur.execute("SELECT stream_ms FROM stats.applied_clicks ORDER BY 1")
            return [ms for (ms,) in cur.fetchall()]

    app = worker.create_worker_app({**worker_settings, "STATS_BATCH_SIZE": 3})
    with app.app_context():
        reader = worker.consumer(app)
        reader.ensure_group()
        for ms in (1000, 2000, 3000, 4000, 5000):
            redis_client.xadd(stream_key, {"code": "pr", "at": T0, "id": f"{ms:032d}"}, id=f"{ms}-0")
        worker.step(reader)  # 3 counted and acknowledged
        counting.apply(reader.next_batch())  # 2 counted, not yet acknowledged
        worker.prune(reader, window_s=1)
        # Pending from 4000 on: their redelivery, and a second copy of a click entered
        # within a second of its first, must still be recognised.
        assert applied() == [3000, 4000, 5000]
        restarted = worker.consumer(app)  # same name: it reads its own pending entries first
        assert worker.step(restarted) == 2
        worker.prune(restarted, window_s=1)
        assert applied() == [4000, 5000]
