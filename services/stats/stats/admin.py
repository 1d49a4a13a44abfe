"""The stats service's admin commands: ``stats purge`` and ``stats seed-demo``.

Both run in the service's own image (a CronJob, a Job, ``make purge``/``make seed``),
log JSON lines, can run twice with the same result, and exit 1 with one clear line when
PostgreSQL fails them. Each writes the ``stats`` schema only.
"""

from __future__ import annotations

import logging
import math
import random
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from psycopg2.extras import execute_values

from snipkit import db, demo
from snipkit.admin import reported

log = logging.getLogger("stats.admin")


def purge(now: datetime, batch_size: int) -> int:
    """Delete the per-minute click counts older than ``RETENTION_DAYS`` before ``now``,
    ``batch_size`` rows per statement (each its own short transaction); return how many.

    The running totals (``link_totals``) are all-time counts and stay: a link's total
    still includes its purged minutes, only its series no longer reaches back that far.
    """
    cutoff = now - timedelta(days=current_app.config["RETENTION_DAYS"])
    removed = 0
    while True:
        with db.connection() as conn, conn.cursor() as cur:
            cur.execute(
                "DELETE FROM clicks_per_minute WHERE (code, minute) IN (SELECT code, minute FROM clicks_per_minute"
                " WHERE minute < %s LIMIT %s FOR UPDATE SKIP LOCKED)",
                (cutoff, batch_size),
            )
            deleted = cur.rowcount
        removed += deleted
        if deleted < batch_size:
            return removed


def history(link: demo.DemoLink, now: datetime) -> dict[datetime, int]:
    """A believable click history for ``link``: clicks per minute from its creation to
    ``now``, busier by day than by night (UTC) and fading as the link ages. The same
    link gets the same pattern on every run: the random generator is seeded with its code."""
    rng = random.Random(link.code)  # noqa: S311 - demo data, not secrets: repeatable on purpose
    hour = (now - timedelta(days=link.age_days)).replace(minute=0, second=0, microsecond=0)
    minutes: dict[datetime, int] = {}
    for age_hours in range(link.age_days * 24):
        daytime = 0.2 + math.sin(math.pi * hour.hour / 24) ** 2
        fading = 1 / (1 + age_hours / 72)
        expected = link.weight * daytime * (0.3 + fading)
        for _ in range(rng.randint(0, round(2 * expected))):
            minute = hour + timedelta(minutes=rng.randrange(60))
            minutes[minute] = minutes.get(minute, 0) + 1
        hour += timedelta(hours=1)
    return minutes


def seed_demo(now: datetime) -> list[str]:
    """Give each demo link with no clicks counted yet a click history; return their codes.

    A link that already has a total (a real click, or an earlier seed) is left alone, so
    running twice adds nothing. Minutes and total go in one transaction per link, so the
    total is always the sum of its minutes.
    """
    seeded = []
    for link in demo.LINKS:
        minutes = history(link, now)
        if not minutes:
            continue
        with db.transaction() as cur:
            cur.execute(
                "INSERT INTO link_totals (code, total, last_click_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (code) DO NOTHING RETURNING code",
                (link.code, sum(minutes.values()), max(minutes) + timedelta(seconds=30)),
            )
            if cur.fetchone() is None:
                continue
            execute_values(
                cur,
                "INSERT INTO clicks_per_minute (code, minute, clicks) VALUES %s",
                [(link.code, minute, n) for minute, n in sorted(minutes.items())],
            )
        seeded.append(link.code)
    return seeded


@click.command("purge")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def purge_command(batch_size: int) -> None:
    """Delete per-minute click counts older than RETENTION_DAYS, in short batches."""
    with reported("purge"):
        removed = purge(datetime.now(UTC), batch_size)
    log.info("purged", extra={"click_minutes": removed, "retention_days": current_app.config["RETENTION_DAYS"]})


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load a click history for the workshop's demo links that have none yet."""
    with reported("seed-demo"):
        seeded = seed_demo(datetime.now(UTC))
    log.info("demo click history seeded", extra={"seeded": seeded})


COMMANDS = [purge_command, seed_demo_command]
