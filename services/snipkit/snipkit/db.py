"""PostgreSQL: one small connection pool per worker process, opened after fork, with a
bound on every wait.

libpq connections must not cross a fork, so the pool is created lazily in the process
that first uses it (a gunicorn worker), never at import time. Connections are in
autocommit mode: single statements need no transaction, and an idle transaction left
open costs throughput. ``transaction()`` opens one explicitly where several statements
must commit together.

When PostgreSQL restarts, every pooled connection is dead. The first request to notice
drops the whole idle pool, so later requests reconnect instead of failing one by one;
the service recovers without a restart.

When PostgreSQL hangs (frozen, or behind a partition), nothing the server enforces
helps: its statement_timeout never fires, and the kernel keeps acknowledging what is
sent to it. So every wait is bounded on this side (see :func:`_wait`): a connection
attempt by ``DB_CONNECT_TIMEOUT_S``, a statement by ``DB_STATEMENT_TIMEOUT_MS`` plus
one second (the server reports its own timeout first when it can), a free connection
by ``DB_POOL_TIMEOUT_S``. TCP keepalives and ``tcp_user_timeout`` catch a peer that
is gone altogether. After a request's wait times out, the process skips PostgreSQL
for ``DB_RETRY_AFTER_S``, answering 503 at once. A readiness probe's tighter bound
(:data:`PROBE_TIMEOUT_S`) only makes the instance unready and closes the probe's own
connection: on a busy node PostgreSQL can be slower than that for a moment, and that
must not cost requests seconds of 503s, nor every pooled connection. ``DB_POOL_SIZE``
is also how many of a process's threads can be waiting on PostgreSQL: below
``GUNICORN_THREADS``, the other threads keep serving what needs no database.
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import psycopg2
import psycopg2.extensions
from flask import Flask, current_app

from .breaker import Breaker
from .config import Setting, integer, mask_url, number, url
from .errors import DependencyUnavailable, first_line
from .health import Check, add_check
from .logs import service_name
from .perprocess import PerProcess

log = logging.getLogger("snipkit.db")

SETTINGS = [
    Setting("DATABASE_URL", url("postgresql", "postgres"), secret=True, doc="libpq URL of this service's role"),
    Setting("DB_POOL_SIZE", integer(1, 100), 4, doc="connections per worker process"),
    Setting("DB_STATEMENT_TIMEOUT_MS", integer(1), 5000),
    Setting("DB_CONNECT_TIMEOUT_S", integer(1, 60), 3),
    Setting("DB_POOL_TIMEOUT_S", number(0.01), 1.0, doc="how long a request waits for a free connection"),
    Setting("DB_RETRY_AFTER_S", number(0.0), 2.0, doc="how long PostgreSQL is skipped after a wait timed out"),
]

# Errors that mean "this connection (or the server) is gone", not "this query is wrong".
CONNECTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)
# The server's own statement_timeout, when it can still act, reports first.
_SERVER_FIRST_S = 1.0
# A connection idle this long is probed; three unanswered probes 2 s apart end it.
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 2, "keepalives_count": 3}


def settings(**defaults: Any) -> list[Setting]:
    """:data:`SETTINGS` with some defaults of one service's own: ``settings(DB_POOL_SIZE=2)``."""
    unknown = set(defaults) - {s.name for s in SETTINGS}
    if unknown:
        raise ValueError(f"not database settings: {', '.join(sorted(unknown))}")
    return [replace(s, default=defaults[s.name]) if s.name in defaults else s for s in SETTINGS]


class WaitTimeout(psycopg2.OperationalError):
    """PostgreSQL did not answer within the bound of this wait."""


class _Connection(psycopg2.extensions.connection):
    """A connection whose every wait on the server lasts at most ``wait_timeout_s``."""

    def __init__(self, dsn: str, *args: Any, wait_timeout_s: float | None = None, **kwargs: Any):
        # Set before connecting: the connection attempt is the first bounded wait.
        self.wait_timeout_s = wait_timeout_s
        super().__init__(dsn, *args, **kwargs)


def _wait(conn) -> None:
    """psycopg2's wait callback: libpq's calls run non-blocking and wait here, in poll(),
    for at most the connection's ``wait_timeout_s`` (any other connection: no bound).

    psycopg2 takes one callback per process (``set_wait_callback``); it is how a client
    can bound a libpq wait at all, as psycogreen does to wait in gevent instead.
    """
    timeout = getattr(conn, "wait_timeout_s", None)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        state = conn.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        events = select.POLLIN if state == psycopg2.extensions.POLL_READ else select.POLLOUT
        poller = select.poll()
        poller.register(conn.fileno(), events)
        remaining_ms = None if deadline is None else max(0, (deadline - time.monotonic()) * 1000)
        if not poller.poll(remaining_ms):
            raise WaitTimeout(f"no answer within {timeout:g} s")


class Pool:
    """A fixed-size, thread-safe pool of autocommit connections for one process.

    psycopg2's own pools close returned connections whenever more than ``minconn`` are
    open, which reconnects on nearly every request under load; this one keeps them.
    """

    def __init__(self, cfg: dict[str, Any]):
        self.dsn = cfg["DATABASE_URL"]
        self.size = cfg["DB_POOL_SIZE"]
        self.statement_wait_s = cfg["DB_STATEMENT_TIMEOUT_MS"] / 1000 + _SERVER_FIRST_S
        self.checkout_wait_s = cfg["DB_POOL_TIMEOUT_S"]
        self._connect_kwargs = {
            "connect_timeout": cfg["DB_CONNECT_TIMEOUT_S"],
            "options": f"-c statement_timeout={cfg['DB_STATEMENT_TIMEOUT_MS']}",
            "tcp_user_timeout": int(self.statement_wait_s * 1000),
            **_KEEPALIVE,
        }
        self.connect_wait_s = cfg["DB_CONNECT_TIMEOUT_S"]
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)
        self.breaker = Breaker("postgresql", cfg["DB_RETRY_AFTER_S"])

    def _connect(self, wait_s: float):
        factory = functools.partial(_Connection, wait_timeout_s=wait_s)
        conn = psycopg2.connect(
            self.dsn, connection_factory=factory, application_name=_app_name(), **self._connect_kwargs
        )
        conn.autocommit = True
        return conn

    def _take_idle(self):
        """An idle connection that still looks alive, or None.

        An idle connection has nothing to read unless the server sent something on its
        own: after a PostgreSQL restart that is the termination notice or EOF. Checking
        for it costs one poll() and spares the request a failure on a dead connection.
        """
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return None
            readable, _, _ = select.select([conn], [], [], 0)
            if not readable and not conn.closed:
                return conn
            conn.close()

    def _discard_idle(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    @contextmanager
    def connection(self, timeout_s: float | None = None) -> Iterator[psycopg2.extensions.connection]:
        """Lend a connection; a broken one is closed instead of returned. ``timeout_s``
        bounds the wait for it and each wait on the server (a probe's tighter bound)."""
        if not self.breaker.allows():
            raise DependencyUnavailable("postgresql", f"did not answer; retrying within {self.breaker.retry_after_s} s")
        if not self._slots.acquire(timeout=timeout_s or self.checkout_wait_s):
            raise DependencyUnavailable("postgresql", "all connections are busy")
        conn = None
        try:
            conn = self._take_idle() or self._connect(timeout_s or self.connect_wait_s)
            conn.wait_timeout_s = timeout_s or self.statement_wait_s
            yield conn
        except CONNECTION_ERRORS as exc:
            if conn is not None:
                conn.close()
                conn = None
            # A probe's tighter bound passing says PostgreSQL is slow, not gone: the other
            # connections stay, and requests go on (see the module's docstring).
            slow_probe = timeout_s is not None and isinstance(exc, WaitTimeout)
            if not slow_probe:
                if isinstance(exc, WaitTimeout):
                    self.breaker.failed(exc)
                self._discard_idle()
            raise
        finally:
            if conn is not None:
                if conn.closed or conn.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                    conn.close()
                else:
                    self._idle.put(conn)
            self._slots.release()

    def close(self) -> None:
        self._discard_idle()


def _app_name() -> str:
    return f"{service_name()}-{os.getpid()}"


def pool(app: Flask | None = None) -> Pool:
    """This process's pool for ``app`` (the current app by default), made on first use."""
    app = app or current_app._get_current_object()
    return app.extensions["snipkit.db"].get()


@contextmanager
def connection(timeout_s: float | None = None) -> Iterator[psycopg2.extensions.connection]:
    """A pooled autocommit connection; connection failures become a 503."""
    try:
        with pool().connection(timeout_s) as conn:
            yield conn
    except CONNECTION_ERRORS as exc:
        log.warning("postgresql unavailable: %s", first_line(exc))
        raise DependencyUnavailable("postgresql", first_line(exc)) from exc


@contextmanager
def transaction() -> Iterator[psycopg2.extensions.cursor]:
    """A cursor inside one transaction: committed on success, rolled back on error."""
    with connection() as conn:
        conn.autocommit = False
        try:
            with conn, conn.cursor() as cur:  # "with conn" commits or rolls back
                yield cur
        finally:
            if not conn.closed:
                conn.autocommit = True


#: How long readiness waits for PostgreSQL, each step: within the kubelet's probe timeout.
PROBE_TIMEOUT_S = 0.5


def init_app(app: Flask, *, required: bool = True) -> None:
    """Attach a per-process pool and a readiness check to ``app`` (``required=False``:
    PostgreSQL is reported but does not make the service unready)."""
    psycopg2.extensions.set_wait_callback(_wait)
    app.extensions["snipkit.db"] = PerProcess(lambda: Pool(app.config))
    log.debug("database %s", mask_url(app.config["DATABASE_URL"]))

    def probe() -> None:
        with app.app_context(), connection(PROBE_TIMEOUT_S) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")

    add_check(app, Check("postgresql", probe, required=required))
