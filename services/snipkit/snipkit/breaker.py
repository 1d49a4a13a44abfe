"""Skipping a backing service that just failed, for a while, instead of waiting on it again.

A service that hangs costs its whole timeout on every call: with a handful of threads,
a few calls ties them all up. After one failure a process gives up on the service for
``retry_after_s`` and answers at once (a 503, or the way round it), then tries again.
The failure is logged once per outage, not once per request.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("snipkit.breaker")


class Breaker:
    """One backing service's "failed recently" state in one process."""

    def __init__(self, name: str, retry_after_s: float):
        self.name = name
        self.retry_after_s = retry_after_s
        self._closed_from = 0.0

    def allows(self) -> bool:
        """False for ``retry_after_s`` after :meth:`failed`."""
        return time.monotonic() >= self._closed_from

    def failed(self, reason: object) -> None:
        """Note a failure: calls are skipped for ``retry_after_s`` (logged once per outage)."""
        if self.allows():
            log.warning("%s unavailable, skipping it for %s s: %s", self.name, self.retry_after_s, reason)
        self._closed_from = time.monotonic() + self.retry_after_s
