"""Once per process: a value made on first use in each process that asks for it.

gunicorn forks its workers from a master that may have imported (and even used) the
kit: a libpq connection, a Redis socket or a thread made before the fork is not the
child's to use. So what must not cross a fork (the pool, the Redis client, the probe
threads, a service's background thread) is made lazily, in the process that first
needs it, and made again in a process forked after that.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    """``make()``'s result, made once in each process: ``PerProcess(make).get()``.

    Threads of one process that ask at the same time get the same value, made once.
    """

    def __init__(self, make: Callable[[], T]):
        self._make = make
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._value: T | None = None

    def get(self) -> T:
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._value = self._make()
                    self._pid = os.getpid()
        return self._value  # type: ignore[return-value]
