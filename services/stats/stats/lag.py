"""How far behind the workers are: Prometheus metrics measured when ``/metrics`` is
scraped, and the oldest entry not yet acknowledged, below which applied ids are pruned.

Labelled by consumer group; "mostrecent" keeps the last value written when several
processes share ``PROMETHEUS_MULTIPROC_DIR``. Every metric here has a label, so no
sample file is made at import, before the worker has emptied that directory.
"""

from __future__ import annotations

import time

import redis
from prometheus_client import Counter, Gauge

from .counting import parse_id

STREAM_LENGTH = Gauge("stats_stream_length", "Entries in the click stream.", ["group"], multiprocess_mode="mostrecent")
PENDING = Gauge(
    "stats_stream_pending", "Entries delivered but not yet acknowledged.", ["group"], multiprocess_mode="mostrecent"
)
UNDELIVERED = Gauge(
    "stats_stream_undelivered", "Entries not yet read by any consumer.", ["group"], multiprocess_mode="mostrecent"
)
OLDEST_AGE = Gauge(
    "stats_oldest_unprocessed_age_seconds",
    "Age of the oldest click not yet counted (0 when none is waiting).",
    ["group"],
    multiprocess_mode="mostrecent",
)
EVENTS = Counter("stats_events_total", "Stream entries handled, by outcome.", ["outcome"])
CLAIMED = Counter("stats_claimed", "Entries taken over from a consumer that stopped (XAUTOCLAIM).", ["group"])


def _snapshot(client: redis.Redis, key: str, group_name: str) -> tuple[dict, dict] | None:
    """The group's XINFO entry, then its XPENDING summary; None if the group does not exist.

    In this order, every entry delivered after the snapshot has an id above the group's
    ``last-delivered-id``, which is what makes :func:`prune_boundary` safe.
    """
    group = next((g for g in client.xinfo_groups(key) if g["name"] == group_name), None)
    if group is None:
        return None
    return group, client.xpending(key, group_name)


# Redis < 7 (e.g. the embedded server of make dev) reports no "lag" for a group; the
# entries after its last delivered id are then counted, up to this many.
_UNDELIVERED_COUNT_CAP = 100_000


def _undelivered(client: redis.Redis, key: str, group: dict) -> int:
    if group.get("lag") is not None:
        return group["lag"]
    after = client.xrange(key, min=f"({group['last-delivered-id']}", count=_UNDELIVERED_COUNT_CAP)
    return len(after)


def refresh(client: redis.Redis, key: str, group_name: str) -> None:
    """Set the lag gauges from the stream and its consumer group."""
    snapshot = _snapshot(client, key, group_name)
    if snapshot is None:
        return
    group, pending = snapshot
    if pending["pending"]:
        oldest = pending["min"]
    else:
        after = client.xrange(key, min=f"({group['last-delivered-id']}", count=1)
        oldest = after[0][0] if after else None
    age = max(0.0, time.time() - parse_id(oldest)[0] / 1000) if oldest else 0.0
    STREAM_LENGTH.labels(group_name).set(client.xlen(key))
    PENDING.labels(group_name).set(pending["pending"])
    UNDELIVERED.labels(group_name).set(_undelivered(client, key, group))
    OLDEST_AGE.labels(group_name).set(age)


def prune_boundary(client: redis.Redis, key: str, group_name: str) -> tuple[int, int] | None:
    """The smallest stream id that may still be delivered to this group, as a pair:
    every id below it is acknowledged and can never come back."""
    snapshot = _snapshot(client, key, group_name)
    if snapshot is None:
        return None
    group, pending = snapshot
    if pending["pending"]:
        return parse_id(pending["min"])
    ms, seq = parse_id(group["last-delivered-id"])
    return ms, seq + 1
