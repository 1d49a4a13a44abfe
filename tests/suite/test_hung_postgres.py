"""PostgreSQL hangs (frozen with SIGSTOP, its connections open) under a running redirect:
cached redirects keep their latency, /readyz answers in time and says ready, uncached
requests get a quick 503 instead of taking every thread; after the thaw all recovers."""

from __future__ import annotations

import secrets
import statistics
import time

import psycopg2
import requests

from testkit.load import SteadyLoad
from testkit.processes import wait_until

FROZEN_S = 5
# A client gives up after this: a cached redirect takes milliseconds, so one that needs
# this long is stuck behind PostgreSQL. (The bound only fails a stall; times are reported.)
CLIENT_TIMEOUT_S = 2


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def timed(latencies: list[tuple[float, float]], url: str, expected: int):
    """A SteadyLoad send: GET ``url``, note (start, seconds), succeed on ``expected``."""

    def send(session: requests.Session):
        started = time.monotonic()
        response = session.get(url, allow_redirects=False, timeout=CLIENT_TIMEOUT_S)
        latencies.append((started, time.monotonic() - started))
        return response.status_code == expected, str(response.status_code)

    return send


def test_cached_redirects_and_readiness_keep_going_while_postgresql_hangs(
    start, service_env, own_postgres, freeze, figure
):
    server, urls = own_postgres
    with psycopg2.connect(urls["links"]) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO links (code, url) VALUES ('warm', 'https://example.com/warm')")
    conn.close()
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect", DATABASE_URL=urls["redirect"]))
    assert requests.get(f"{redirect.url}/r/warm", allow_redirects=False, timeout=5).status_code == 302

    cached, readiness = [], []

    def uncached(session: requests.Session):
        # Every one a cache miss: a code nobody has, read from PostgreSQL.
        response = session.get(f"{redirect.url}/r/{secrets.token_hex(6)}", timeout=10)
        return response.status_code in (404, 503), str(response.status_code)

    with (
        SteadyLoad(timed(cached, f"{redirect.url}/r/warm", 302), clients=2) as cached_load,
        SteadyLoad(timed(readiness, f"{redirect.url}/readyz", 200), clients=1) as readiness_load,
        # As many as the threads of redirect's two workers: enough to take every one of
        # them, were the threads that may wait on PostgreSQL not limited.
        SteadyLoad(uncached, clients=8) as uncached_load,
    ):
        time.sleep(1)
        frozen_at = time.monotonic()
        with freeze(server):
            time.sleep(FROZEN_S)
        thawed_at = time.monotonic()
        wait_until(lambda: uncached_load.outcomes and uncached_load.outcomes[-1].detail == "404", 20, "misses served")

    assert cached_load.failures() == [], "a cached redirect stalled or failed while PostgreSQL hung"
    assert readiness_load.failures() == [], "/readyz did not answer 200 in time while PostgreSQL hung"
    during = [seconds for at, seconds in cached if frozen_at <= at <= thawed_at]
    probes = [seconds for at, seconds in readiness if frozen_at <= at <= thawed_at]
    quick_503s = sum(1 for o in uncached_load.outcomes if o.detail == "503" and frozen_at <= o.at <= thawed_at + 1)
    figure(
        f"redirect, PostgreSQL frozen {FROZEN_S} s: cached redirects",
        f"{len(during)}, p50 {percentile(during, 50) * 1000:.1f} ms, p99 {percentile(during, 99) * 1000:.1f} ms,"
        f" max {max(during) * 1000:.0f} ms",
    )
    figure(f"redirect, PostgreSQL frozen {FROZEN_S} s: /readyz", f"{len(probes)}, max {max(probes) * 1000:.0f} ms")
    figure(f"redirect, PostgreSQL frozen {FROZEN_S} s: uncached requests answered 503", quick_503s)
