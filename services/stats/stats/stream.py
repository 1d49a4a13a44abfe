"""Reading the click stream as one consumer of a consumer group.

Where the next batch comes from, in order:
1. this consumer's own pending entries (after a start or an error: a batch may have been
   read, or even committed, but not acknowledged);
2. entries another consumer left pending longer than ``min_idle_ms`` (it died), claimed
   with XAUTOCLAIM;
3. new entries, with XREADGROUP ... BLOCK, so an idle worker waits in Redis, not in a loop.
"""

from __future__ import annotations

import logging
import time

import redis

from .lag import CLAIMED

log = logging.getLogger("stats.stream")

Entries = list[tuple[str, dict | None]]


class Consumer:
    """One consumer ``name`` of ``group`` on the stream ``key``."""

    def __init__(
        self, client: redis.Redis, key: str, group: str, name: str, *, batch: int, block_ms: int, min_idle_ms: int
    ):
        self.client, self.key, self.group, self.name = client, key, group, name
        self.batch, self.block_ms, self.min_idle_ms = batch, block_ms, min_idle_ms
        self._own_pending = True
        self._claim_cursor = "0-0"
        self._next_claim = 0.0

    def ensure_group(self) -> None:
        """Create the group (and the stream) if missing; it starts at the stream's beginning,
        so clicks made before the first worker ever ran are counted too."""
        try:
            self.client.xgroup_create(self.key, self.group, id="0", mkstream=True)
            log.info("created consumer group %s on %s", self.group, self.key)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def next_batch(self) -> Entries:
        """The next entries to count (maybe none, after blocking up to ``block_ms``)."""
        try:
            return self._read()
        except redis.ResponseError as exc:
            # Redis restarted without its data (or someone deleted the stream).
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()
            return []
        except Exception:
            self._own_pending = True
            raise

    def _read(self) -> Entries:
        if self._own_pending:
            entries = self._read_group("0", block=None)
            if entries:
                return entries
            self._own_pending = False
        if time.monotonic() >= self._next_claim:
            self._claim_cursor, claimed, *_deleted = self.client.xautoclaim(
                self.key, self.group, self.name, self.min_idle_ms, start_id=self._claim_cursor, count=self.batch
            )
            if self._claim_cursor == "0-0":
                # Scanned the whole pending list; look again after a while.
                self._next_claim = time.monotonic() + self.min_idle_ms / 2000
            if claimed:
                CLAIMED.labels(self.group).inc(len(claimed))
                log.info("claimed %d entries left pending by another consumer", len(claimed))
                return claimed
        return self._read_group(">", block=self.block_ms)

    def _read_group(self, start: str, block: int | None) -> Entries:
        reply = self.client.xreadgroup(self.group, self.name, {self.key: start}, count=self.batch, block=block)
        return reply[0][1] if reply else []

    def ack(self, entries: Entries) -> None:
        """Acknowledge ``entries``: only after their counts are committed."""
        try:
            self.client.xack(self.key, self.group, *(entry_id for entry_id, _ in entries))
        except Exception:
            self._own_pending = True
            raise
