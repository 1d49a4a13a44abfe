"""The click pipeline: how fast ``stats worker`` counts, and how long a click takes from
redirect to counted.

Throughput: a stream of ``events`` clicks is written first, the workers are started and
ready, and only then is their consumer group pointed at the stream's start, so the
figure holds counting alone, not start-up. Each trial has its own key prefix: stream
ids are new, so every event is really counted (never skipped as already applied).

Delay: clicks are made through redirect at a fixed rate while the link's total is
polled in PostgreSQL; the n-th click is counted when the total first reaches n.
"""

from __future__ import annotations

import bisect
import http.client
import random
import statistics
import threading
import time
from contextlib import closing
from urllib.parse import urlsplit

import psycopg2
import redis

from snipkit import keys

from .footprint import worker_rss_mb
from .services import Suite

GROUP = "stats"  # the workers' default STATS_GROUP
# Codes drawn with Zipf-like weights: a few links get most clicks, as in real traffic.
CODES = [f"bench{i:04d}" for i in range(1000)]
WEIGHTS = [1 / (rank + 1) for rank in range(len(CODES))]
# How often the group's progress and the link's total are polled.
POLL_S = 0.01


def zipf_codes(events: int) -> list[str]:
    """``events`` codes of :data:`CODES`, drawn with their Zipf-like weights."""
    return random.choices(CODES, WEIGHTS, k=events)  # noqa: S311 - traffic, not secrets


def _fill(client: redis.Redis, stream: str, codes: list[str]) -> None:
    now_ms = int(time.time() * 1000)
    for start in range(0, len(codes), 5000):
        pipe = client.pipeline(transaction=False)
        for code in codes[start : start + 5000]:
            pipe.xadd(stream, {"code": code, "at": now_ms})
        pipe.execute()


def _group_at_end(client: redis.Redis, stream: str) -> None:
    """The workers' group, created or moved to the stream's end: they find nothing to
    count until it is moved back or new clicks arrive."""
    try:
        client.xgroup_create(stream, GROUP, id="$", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
        client.xgroup_setid(stream, GROUP, id="$")


def _drained(client: redis.Redis, stream: str) -> bool:
    """Every entry delivered to the group and acknowledged. (XINFO's ``lag`` would say
    it in one field, but only from Redis 7; the embedded Redis of a fresh clone is 6.)"""
    last = client.xinfo_stream(stream)["last-generated-id"]
    group = next(g for g in client.xinfo_groups(stream) if g["name"] == GROUP)
    return group["last-delivered-id"] == last and group["pending"] == 0


def worker_throughput(
    suite: Suite, workers: int, codes: list[str], trial: int, timeout: float = 120, **env: str
) -> dict:
    """Events per second counted by ``workers`` stats workers sharing one consumer group,
    for one click on each of ``codes`` (``env``: more environment for the workers)."""
    prefix = f"{suite.sandbox.key_prefix}bench{trial}:"
    stream = keys.clicks(prefix)
    events = len(codes)
    with closing(redis.Redis.from_url(suite.sandbox.redis_url, decode_responses=True)) as client:
        _fill(client, stream, codes)
        _group_at_end(client, stream)
        started = [
            suite.process("stats-worker", REDIS_KEY_PREFIX=prefix, STATS_CONSUMER=f"bench-{n}", **env)
            for n in range(workers)
        ]
        for process in started:
            process.start()
        begin = time.monotonic()
        client.xgroup_setid(stream, GROUP, id="0")
        # One more event wakes the workers blocked in XREADGROUP.
        client.xadd(stream, {"code": codes[0], "at": int(time.time() * 1000)})
        while not _drained(client, stream):
            if time.monotonic() - begin > timeout:
                raise RuntimeError(f"{workers} worker(s) did not count {events} events within {timeout} s")
            time.sleep(POLL_S)
        elapsed = time.monotonic() - begin
        rss = [mb for process in started for mb in worker_rss_mb(process)]
        for process in started:
            process.stop()
        client.delete(stream)
    return {"events_per_s": (events + 1) / elapsed, "seconds": elapsed, "rss_mb": rss}


class _Clicker(threading.Thread):
    """Follows ``path`` at ``rate`` per second on one keep-alive connection, on a fixed
    schedule (a late request does not shift the ones after it)."""

    def __init__(self, base_url: str, path: str, rate: float, seconds: float, start_at: float):
        super().__init__(daemon=True)
        self.parts = urlsplit(base_url)
        self.path, self.interval, self.count, self.start_at = path, 1 / rate, int(rate * seconds), start_at
        self.done_at: list[float] = []
        self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=5)
        for n in range(self.count):
            pause = self.start_at + n * self.interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                conn.request("GET", self.path)
                response = conn.getresponse()
                response.read()
                if response.status == 302:
                    self.done_at.append(time.monotonic())
                else:
                    self.errors += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
        conn.close()


def click_delay(suite: Suite, redirect_url: str, code: str, rate: float, seconds: float, timeout: float = 60) -> dict:
    """Redirect ``code`` at ``rate`` per second for ``seconds`` with one stats worker
    running; returns the delay from each redirect's response to its click being counted."""
    threads = 4
    box = suite.sandbox
    with (
        closing(redis.Redis.from_url(box.redis_url, decode_responses=True)) as client,
        closing(psycopg2.connect(box.database_admin_url)) as conn,
    ):
        conn.autocommit = True
        stream = keys.clicks(box.key_prefix)
        # Clicks made by the throughput figures are not part of this one.
        _group_at_end(client, stream)
        worker = suite.process("stats-worker").start()
        cur = conn.cursor()

        def total() -> int:
            cur.execute("SELECT coalesce(max(total), 0) FROM stats.link_totals WHERE code = %s", (code,))
            return cur.fetchone()[0]

        before = total()
        start_at = time.monotonic() + 0.2
        clickers = [_Clicker(redirect_url, f"/r/{code}", rate / threads, seconds, start_at) for _ in range(threads)]
        for clicker in clickers:
            clicker.start()
        # (time, clicks counted so far) until every click made is counted.
        samples: list[tuple[float, int]] = []
        deadline = start_at + seconds + timeout
        while time.monotonic() < deadline:
            samples.append((time.monotonic(), total() - before))
            clicking = any(clicker.is_alive() for clicker in clickers)
            if not clicking and samples[-1][1] >= sum(len(clicker.done_at) for clicker in clickers):
                break
            time.sleep(POLL_S)
        worker.stop()
    sent = sorted(t for clicker in clickers for t in clicker.done_at)
    counted_at, counts = [t for t, _ in samples], [n for _, n in samples]
    delays = []
    for n, clicked in enumerate(sent, start=1):
        index = bisect.bisect_left(counts, n)
        if index < len(counts):
            delays.append(counted_at[index] - clicked)
    delays.sort()
    return {
        "rate_per_s": rate,
        "achieved_per_s": len(sent) / seconds,
        "clicks": len(sent),
        "counted": len(delays),
        "errors": sum(c.errors for c in clickers),
        "p50_ms": 1000 * statistics.median(delays) if delays else None,
        "p99_ms": 1000 * delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else None,
    }
