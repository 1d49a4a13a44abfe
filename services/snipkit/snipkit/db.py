"""PostgreSQL: one small connection pool per worker process, opened after fork.

libpq connections must not cross a fork, so the pool is created lazily in the process
that first uses it (a gunicorn worker), never at import time. Connections are in
autocommit mode: single statements need no transaction, and an idle transaction left
open costs throughput. ``transaction()`` opens one explicitly where several statements
must commit together.

When PostgreSQL restarts, every pooled connection is dead. The first request to notice
drops the whole idle pool, so later requests reconnect instead of failing one by one;
the service recovers without a restart.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions
from flask import Flask, current_app

from .admin import first_line
from .config import Setting, integer, mask_url, url
from .errors import DependencyUnavailable
from .health import Check, add_check
from .logs import service_name

log = logging.getLogger("snipkit.db")

SETTINGS = [
    Setting("DATABASE_URL", url("postgresql", "postgres"), secret=True, doc="libpq URL of this service's role"),
    Setting("DB_POOL_SIZE", integer(1, 100), 4, doc="connections per worker process"),
    Setting("DB_STATEMENT_TIMEOUT_MS", integer(1), 5000),
    Setting("DB_CONNECT_TIMEOUT_S", integer(1, 60), 3),
]

# Errors that mean "this connection (or the server) is gone", not "this query is wrong".
CONNECTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


class Pool:
    """A fixed-size, thread-safe pool of autocommit connections for one process.

    psycopg2's own pools close returned connections whenever more than ``minconn`` are
    open, which reconnects on nearly every request under load; this one keeps them.
    """

    def __init__(self, dsn: str, size: int, statement_timeout_ms: int, connect_timeout_s: int):
        self.dsn = dsn
        self.size = size
        self._options = f"-c statement_timeout={statement_timeout_ms}"
        self._connect_timeout = connect_timeout_s
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self.pid = os.getpid()

    def _connect(self):
        conn = psycopg2.connect(
            self.dsn, connect_timeout=self._connect_timeout, options=self._options, application_name=_app_name()
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
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """Lend a connection; a broken one is closed instead of returned."""
        if not self._slots.acquire(timeout=self._connect_timeout):
            raise DependencyUnavailable("postgresql", "all connections are busy")
        conn = None
        try:
            conn = self._take_idle() or self._connect()
            yield conn
        except CONNECTION_ERRORS:
            if conn is not None:
                conn.close()
                conn = None
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
    state = app.extensions["snipkit.db"]
    current = state.get("pool")
    if current is None or current.pid != os.getpid():
        with state["lock"]:
            current = state.get("pool")
            if current is None or current.pid != os.getpid():
                cfg = app.config
                current = Pool(
                    cfg["DATABASE_URL"],
                    cfg["DB_POOL_SIZE"],
                    cfg["DB_STATEMENT_TIMEOUT_MS"],
                    cfg["DB_CONNECT_TIMEOUT_S"],
                )
                state["pool"] = current
    return current


@contextmanager
def connection() -> Iterator[psycopg2.extensions.connection]:
    """A pooled autocommit connection; connection failures become a 503."""
    try:
        with pool().connection() as conn:
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


def init_app(app: Flask) -> None:
    """Attach a per-process pool and a readiness check to ``app``."""
    app.extensions["snipkit.db"] = {"lock": threading.Lock(), "pool": None}
    log.debug("database %s", mask_url(app.config["DATABASE_URL"]))

    def probe() -> None:
        with app.app_context(), connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")

    add_check(app, Check("postgresql", probe))
