"""What a Kubernetes Service does for its pods, in one process: send each new request
to a backend whose /readyz answered 200 a moment ago, and stop sending to one as soon
as it does not. Scenario tests put their clients behind it, so a rolling restart here
behaves like one in a cluster."""

from __future__ import annotations

import itertools
import threading
import time

import requests

from .processes import ServiceProcess, wait_until


class Balancer:
    """Round-robin over ready backends, re-checked every ``interval`` seconds."""

    def __init__(self, backends: list[ServiceProcess], interval: float = 0.05, failure_threshold: int = 3):
        self.interval = interval
        self.failure_threshold = failure_threshold
        self._backends = list(backends)
        self._ready: list[str] = []
        self._healthy: dict[str, bool] = {}
        self._misses: dict[str, int] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def add(self, backend: ServiceProcess) -> None:
        with self._lock:
            self._backends.append(backend)

    def remove(self, backend: ServiceProcess) -> None:
        with self._lock:
            self._backends.remove(backend)

    def wait_in_rotation(self, backend: ServiceProcess, timeout: float = 30) -> None:
        """Block until ``backend`` receives traffic (a new pod counted as available)."""
        wait_until(lambda: backend.url in self._ready, timeout, f"{backend.name} on {backend.url} in rotation")

    def url(self) -> str:
        """A ready backend's base URL; raises when none is ready (a Service with no endpoints)."""
        with self._lock:
            ready = list(self._ready)
        if not ready:
            raise requests.ConnectionError("no ready backend")
        return ready[next(self._counter) % len(ready)]

    def _probe(self, backend: ServiceProcess) -> bool | None:
        """True: ready. False: said it is not (503, e.g. draining). None: no answer."""
        try:
            return requests.get(f"{backend.url}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return None

    def _check(self) -> None:
        """One round of probes; updates the set of backends in rotation.

        Like a readiness probe: a backend joins on a 200 and leaves at once on anything
        else it answers (503 while draining); one that does not answer at all leaves
        after failure_threshold probes in a row, so a busy machine does not flap it.
        """
        with self._lock:
            backends = list(self._backends)
        for backend in backends:
            answer = self._probe(backend)
            if answer is None:
                self._misses[backend.url] = self._misses.get(backend.url, 0) + 1
                if self._misses[backend.url] >= self.failure_threshold:
                    self._healthy[backend.url] = False
            else:
                self._misses[backend.url] = 0
                self._healthy[backend.url] = answer
        with self._lock:
            self._ready = [b.url for b in backends if self._healthy.get(b.url)]

    def _watch(self) -> None:
        while not self._stop.is_set():
            self._check()
            time.sleep(self.interval)

    def __enter__(self) -> Balancer:
        self._check()  # clients may start right away
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
