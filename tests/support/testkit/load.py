"""Steady client load for scenario tests: a few clients sending requests in a loop, with
every outcome timestamped so a test can say when failures happened, not just how many."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

#: send(session) -> (ok, detail), or None when it sent nothing (e.g. no backend in
#: rotation); a raised requests error counts as a failure.
Send = Callable[[requests.Session], tuple[bool, str] | None]


@dataclass(frozen=True)
class Outcome:
    at: float
    ok: bool
    detail: str


@dataclass
class SteadyLoad:
    """Use as a context manager: clients start on enter and stop on exit."""

    send: Send
    clients: int = 4
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(self.clients)]

    def _run(self) -> None:
        # Keep-alive sessions, as real clients and proxies use.
        with requests.Session() as session:
            while not self._stop.is_set():
                try:
                    result = self.send(session)
                except requests.RequestException as exc:
                    result = False, type(exc).__name__
                if result is not None:
                    self.outcomes.append(Outcome(time.monotonic(), *result))

    def __enter__(self) -> SteadyLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)

    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    def succeeded_between(self, start: float, end: float) -> int:
        return sum(1 for o in self.outcomes if o.ok and start <= o.at <= end)
