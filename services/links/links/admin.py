"""The links service's admin commands: ``links purge`` and ``links seed-demo``.

Both run in the service's own image (a CronJob, a Job, ``make purge``/``make seed``),
log JSON lines, can run twice with the same result, and exit 1 with one clear line when
PostgreSQL or Redis fails them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from snipkit import demo
from snipkit.admin import reported

from . import invalidation, store

log = logging.getLogger("links.admin")


def purge(now: datetime, batch_size: int) -> tuple[int, int]:
    """Delete the links expired at ``now`` and the idempotency keys older than
    ``IDEMPOTENCY_KEY_TTL_HOURS``, ``batch_size`` rows per statement; return both counts.

    Each batch is its own short transaction, so the purge never holds many locks for
    long, however much is due. A batch is deleted from the redirect cache exactly as a
    link deleted through the API is, or not at all (Redis down: the purge stops, and
    the next run finds the batch still due).
    """
    links = 0
    while codes := store.delete_expired(now, batch_size, invalidation.forget):
        links += len(codes)
        if len(codes) < batch_size:
            break
    older_than = now - timedelta(hours=current_app.config["IDEMPOTENCY_KEY_TTL_HOURS"])
    idempotency_keys = 0
    while (deleted := store.delete_idempotency_keys(older_than, batch_size)) > 0:
        idempotency_keys += deleted
        if deleted < batch_size:
            break
    return links, idempotency_keys


def seed_demo(now: datetime) -> list[str]:
    """Insert the demo links (:data:`snipkit.demo.LINKS`) whose codes are free; return
    the codes inserted. A code already in use, demo or not, is never overwritten."""
    rows = [
        (
            link.code,
            link.url,
            now - timedelta(days=link.age_days),
            None if link.expires_in_days is None else now + timedelta(days=link.expires_in_days),
        )
        for link in demo.LINKS
    ]
    return store.insert_missing(rows)


@click.command("purge")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def purge_command(batch_size: int) -> None:
    """Delete expired links and old idempotency keys, in short batches."""
    with reported("purge"):
        links, idempotency_keys = purge(datetime.now(UTC), batch_size)
    log.info("purged", extra={"expired_links": links, "idempotency_keys": idempotency_keys})


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the workshop's demo links; links already there are kept as they are."""
    with reported("seed-demo"):
        inserted = seed_demo(datetime.now(UTC))
    log.info(
        "demo links seeded",
        extra={"inserted": inserted, "already_present": len(demo.LINKS) - len(inserted)},
    )


COMMANDS = [purge_command, seed_demo_command]
