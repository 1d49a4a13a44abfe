"""Versioned SQL migrations per service, applied by an admin command, never at start-up.

Each service ships ``<package>/migrations/NNNN.name.sql`` and gets
``<service> db upgrade`` / ``db status``. yoyo-migrations records what has
been applied; a PostgreSQL advisory lock around the whole run makes two concurrent runs
(two Job pods, a Job and a developer) safe: the second waits, then finds nothing to do.
Unlike a lock row, an advisory lock dies with its connection, so a crashed run never
leaves the database locked.
"""

from __future__ import annotations

import logging
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import psycopg2
from flask import Flask, current_app

from .config import mask_url

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
    """Add ``flask db upgrade`` and ``flask db status`` for this service's migrations."""
    group = click.Group("db", help="Manage this service's database schema.")

    @group.command("upgrade")
    def upgrade_command():
        """Apply pending migrations (safe to run twice, or twice at once)."""
        dsn = current_app.config["DATABASE_URL"]
        name = current_app.config["SERVICE_NAME"]
        try:
            applied = upgrade(dsn, directory, name)
        except Exception as exc:  # noqa: BLE001 - any failure is reported as one clear line
            log.error(
                "migration failed on %s: %s", mask_url(dsn), str(exc).strip().splitlines()[0] if str(exc) else exc
            )
            sys.exit(1)
        log.info("migrations applied" if applied else "schema up to date", extra={"applied": applied})

    @group.command("status")
    def status_command():
        """List pending migrations; exit 1 when any are pending."""
        dsn = current_app.config["DATABASE_URL"]
        try:
            todo = pending(dsn, directory)
        except psycopg2.Error as exc:
            log.error("cannot read schema status from %s: %s", mask_url(dsn), str(exc).strip().splitlines()[0])
            sys.exit(1)
        log.info("pending migrations" if todo else "schema up to date", extra={"pending": todo})
        sys.exit(1 if todo else 0)

    app.cli.add_command(group)
