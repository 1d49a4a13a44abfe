"""Versioned SQL migrations per service, applied by an admin command, never at start-up.

Each service ships ``<package>/migrations/NNNN.name.sql`` and gets
``<service> db upgrade`` / ``db status`` / ``db wait``. yoyo-migrations records what has
been applied; a PostgreSQL advisory lock around the whole run makes two concurrent runs
(two Job pods, a Job and a developer) safe: the second waits, then finds nothing to do.
Unlike a lock row, an advisory lock dies with its connection, so a crashed run never
leaves the database locked.
"""

from __future__ import annotations

import logging
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import psycopg2
from flask import Flask, current_app
from flask.cli import AppGroup

from .config import mask_url
from .errors import first_line

log = logging.getLogger("snipkit.migrations")


@contextmanager
def _advisory_lock(dsn: str, name: str, timeout_s: int) -> Iterator[None]:
    key = zlib.crc32(f"snip-migrations:{name}".encode())
    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SET lock_timeout = %s", (f"{timeout_s}s",))
            cur.execute("SELECT pg_advisory_lock(%s)", (key,))
        yield
    finally:
        conn.close()


def _backend(dsn: str):
    # Imported here: web processes register the CLI but never migrate, and start faster.
    from yoyo import get_backend

    # yoyo picks its driver from the scheme; "postgres://" is libpq's alias.
    if dsn.startswith("postgres://"):
        dsn = "postgresql://" + dsn[len("postgres://") :]
    return get_backend(dsn)


def pending(dsn: str, directory: Path) -> list[str]:
    """Ids of the migrations in ``directory`` not yet applied."""
    from yoyo import read_migrations

    backend = _backend(dsn)
    try:
        return [m.id for m in backend.to_apply(read_migrations(str(directory)))]
    finally:
        backend.connection.close()


def wait(dsn: str, directory: Path, timeout_s: float, interval_s: float = 2.0) -> list[str]:
    """Poll until no migration in ``directory`` is pending; return what is still pending
    when ``timeout_s`` runs out (empty: the schema is current).

    A database that does not answer yet counts as "not yet": on a fresh cluster the pods
    start before PostgreSQL does. Raises the last connection error if it never answered.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            todo = pending(dsn, directory)
        except psycopg2.OperationalError:
            if time.monotonic() >= deadline:
                raise
        else:
            if not todo or time.monotonic() >= deadline:
                return todo
        time.sleep(interval_s)


def upgrade(dsn: str, directory: Path, name: str, lock_timeout_s: int = 120) -> list[str]:
    """Apply every pending migration in ``directory``; return the ids applied (maybe none)."""
    from yoyo import read_migrations

    with _advisory_lock(dsn, name, lock_timeout_s):
        backend = _backend(dsn)
        try:
            # We hold the advisory lock, so a yoyo lock row can only be left by a crashed run.
            backend.break_lock()
            with backend.lock():
                todo = backend.to_apply(read_migrations(str(directory)))
                backend.apply_migrations(todo)
            return [m.id for m in todo]
        finally:
            backend.connection.close()


def register_cli(app: Flask, directory: Path) -> None:
    """Add ``db upgrade``, ``db status`` and ``db wait`` for this service's migrations."""
    # An AppGroup gives its commands an app context however they are invoked: through the
    # console script, and through app.test_cli_runner() in the tests.
    group = AppGroup("db", help="Manage this service's database schema.")

    @group.command("upgrade")
    def upgrade_command():
        """Apply pending migrations (safe to run twice, or twice at once)."""
        dsn = current_app.config["DATABASE_URL"]
        name = current_app.config["SERVICE_NAME"]
        try:
            applied = upgrade(dsn, directory, name)
        except Exception as exc:  # noqa: BLE001 - any failure is reported as one clear line
            log.error("migration failed on %s: %s", mask_url(dsn), first_line(exc))
            sys.exit(1)
        log.info("migrations applied" if applied else "schema up to date", extra={"applied": applied})

    @group.command("status")
    def status_command():
        """List pending migrations; exit 1 when any are pending."""
        dsn = current_app.config["DATABASE_URL"]
        try:
            todo = pending(dsn, directory)
        except psycopg2.Error as exc:
            log.error("cannot read schema status from %s: %s", mask_url(dsn), first_line(exc))
            sys.exit(1)
        log.info("pending migrations" if todo else "schema up to date", extra={"pending": todo})
        sys.exit(1 if todo else 0)

    @group.command("wait")
    @click.option("--timeout", default=300, show_default=True, help="Seconds to wait before giving up.")
    def wait_command(timeout: int):
        """Wait until no migration is pending (an init container runs this, so a new
        version's pods serve only once its migration Job has finished); exit 1 on timeout."""
        dsn = current_app.config["DATABASE_URL"]
        try:
            todo = wait(dsn, directory, timeout)
        except psycopg2.Error as exc:
            log.error("cannot read schema status from %s: %s", mask_url(dsn), first_line(exc))
            sys.exit(1)
        if todo:
            log.error(
                "migrations still pending after %d s: is the db-upgrade Job running?", timeout, extra={"pending": todo}
            )
            sys.exit(1)
        log.info("schema up to date")

    app.cli.add_command(group)
