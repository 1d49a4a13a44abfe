"""The click pipeline end to end, through HTTP only: links -> redirect -> stream ->
stats-worker -> stats-api. Every count must come out exactly N: not one lost, not one twice."""

from __future__ import annotations

import signal

import pytest
import requests

from snipkit import keys
from testkit.processes import ServiceProcess, wait_until

TIMEOUT = 5


@pytest.fixture
def services(start, service_env):
    """links, redirect and stats-api running; the tests add workers as they need them."""
    return {
        "links": start("links", "links.wsgi:app", service_env("links")),
        "redirect": start("redirect", "redirect.wsgi:app", service_env("redirect")),
        "stats": start("stats-api", "stats.wsgi:app", service_env("stats")),
    }


def new_link(links: ServiceProcess) -> str:
    response = requests.post(f"{links.url}/api/links", json={"url": "https://example.com/pipeline"}, timeout=TIMEOUT)
    assert response.status_code == 201
    return response.json()["code"]


def click(redirect: ServiceProcess, code: str, n: int) -> None:
    with requests.Session() as session:
        for _ in range(n):
            response = session.get(f"{redirect.url}/r/{code}", allow_redirects=False, timeout=TIMEOUT)
            assert response.status_code == 302
            assert response.headers["Location"] == "https://example.com/pipeline"


def total(stats: ServiceProcess, code: str) -> int:
    response = requests.get(f"{stats.url}/api/stats/{code}", params={"window": "60m"}, timeout=TIMEOUT)
    assert response.status_code == 200
    body = response.json()
    assert sum(point["count"] for point in body["series"]) == body["total"]
    return body["total"]


def worker_metrics(worker: ServiceProcess) -> dict[str, float]:
    body = requests.get(f"{worker.url}/metrics", timeout=TIMEOUT).text
    samples = (line.rsplit(" ", 1) for line in body.splitlines() if line.startswith("stats_"))
    return {name: float(value) for name, value in samples}


def drained(worker: ServiceProcess) -> bool:
    lag = worker_metrics(worker)
    return lag['stats_stream_pending{group="stats"}'] == 0 and lag['stats_stream_undelivered{group="stats"}'] == 0


def assert_exactly(n: int, stats: ServiceProcess, code: str, worker: ServiceProcess) -> None:
    """Wait until the worker has counted at least ``n`` and has nothing left; then it must be ``n``."""
    wait_until(lambda: total(stats, code) >= n and drained(worker), 30, f"{n} clicks of {code} counted")
    assert total(stats, code) == n


def test_n_redirects_count_exactly_n(services, start_worker):
    worker = start_worker()
    code = new_link(services["links"])
    click(services["redirect"], code, 250)
    assert_exactly(250, services["stats"], code, worker)
    assert worker.stop() == 0  # SIGTERM: finishes the batch in hand, exits 0
    problems = [e["message"] for e in worker.log_entries() if e["level"] in ("WARNING", "ERROR")]
    assert problems == [], "a healthy run should log no warnings"


def test_worker_killed_mid_batch_and_restarted_still_counts_exactly_n(services, start_worker, redis_client, sandbox):
    code = new_link(services["links"])
    click(services["redirect"], code, 1500)  # queued before any worker runs
    # Small batches, so the kill lands while batches are being committed and acknowledged.
    first = start_worker(STATS_BATCH_SIZE="10")
    wait_until(lambda: total(services["stats"], code) > 0, 30, "the first worker is counting")

    def frozen_holding_a_batch() -> bool:
        # Stopped, the worker holds what it holds; the group's own count says whether that
        # is a batch delivered and not acknowledged (its metrics lag by a scrape).
        first.send(signal.SIGSTOP)
        if redis_client.xpending(keys.clicks(sandbox.key_prefix), "stats")["pending"] > 0:
            return True
        first.send(signal.SIGCONT)
        return False

    wait_until(frozen_holding_a_batch, 30, "the first worker stopped with a batch in hand")
    first.kill()
    assert total(services["stats"], code) < 1500, "the kill came too late to test anything"
    # A new pid is a new consumer: it must claim what the dead one left pending.
    second = start_worker(STATS_BATCH_SIZE="10", STATS_CLAIM_MIN_IDLE_MS="500")
    assert_exactly(1500, services["stats"], code, second)
    assert worker_metrics(second)['stats_claimed_total{group="stats"}'] > 0


def test_two_workers_share_the_stream_and_count_exactly_n(services, start_worker):
    workers = [start_worker(STATS_BATCH_SIZE="20"), start_worker(STATS_BATCH_SIZE="20")]
    code = new_link(services["links"])
    click(services["redirect"], code, 600)
    assert_exactly(600, services["stats"], code, workers[0])
    counted = [worker_metrics(w).get('stats_events_total{outcome="counted"}', 0) for w in workers]
    assert all(n > 0 for n in counted), f"one worker did all the work: {counted}"


def test_clicks_during_a_redis_outage_are_counted_after_it(start, start_worker, service_env, owned_redis):
    env = {"REDIS_URL": owned_redis.url, "REDIS_TIMEOUT_S": "0.2"}
    links = start("links", "links.wsgi:app", service_env("links"))
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect", PENDING_FLUSH_INTERVAL_S="0.2", **env))
    stats = start("stats-api", "stats.wsgi:app", service_env("stats"))
    worker = start_worker(**env)
    code = new_link(links)
    click(redirect, code, 20)
    assert_exactly(20, stats, code, worker)

    owned_redis.stop()
    click(redirect, code, 30)  # every redirect still answers, from PostgreSQL
    ready = requests.get(f"{redirect.url}/readyz", timeout=TIMEOUT)
    assert ready.status_code == 200
    assert ready.json()["checks"]["redis"]["ok"] is False and ready.json()["checks"]["redis"]["required"] is False
    assert total(stats, code) == 20

    owned_redis.start()  # back, and empty: it kept nothing
    assert_exactly(50, stats, code, worker)


def test_sigterm_stops_the_worker_with_status_0(start_worker):
    worker = start_worker()
    worker.send(signal.SIGTERM)
    assert worker.process.wait(10) == 0
    assert any(entry["message"] == "stopped" for entry in worker.log_entries())


def test_the_worker_builds_no_stats_api(start_worker):
    # stats-api's own setting, unusable: read by the worker, it would stop it at start.
    worker = start_worker(RETENTION_DAYS="forever")
    assert requests.get(f"{worker.url}/readyz", timeout=TIMEOUT).status_code == 200
    assert {entry["service"] for entry in worker.log_entries()} == {"stats-worker"}
