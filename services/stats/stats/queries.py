"""Every SQL statement stats-api runs: reads of what stats-worker counted."""

from __future__ import annotations

from datetime import datetime, timedelta

from snipkit import db


def totals(codes: list[str]) -> dict[str, tuple[int, datetime | None]]:
    """``code -> (total, last click)`` for each of ``codes``; codes never clicked get ``(0, None)``."""
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT code, total, last_click_at FROM link_totals WHERE code = ANY(%s)", (codes,))
        found = {code: (total, last) for code, total, last in cur.fetchall()}
    return {code: found.get(code, (0, None)) for code in codes}


def top(limit: int) -> list[tuple[str, int, datetime]]:
    """The most clicked links, most clicks first."""
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT code, total, last_click_at FROM link_totals ORDER BY total DESC, code LIMIT %s",
            (limit,),
        )
        return cur.fetchall()


def link(code: str, first: datetime, step: timedelta) -> tuple[int, datetime | None, dict[datetime, int]]:
    """Total, last click, and clicks per ``step`` (a minute or an hour) from ``first`` on
    (empty buckets absent), read from one snapshot so the series always adds up to what
    the total says, even while stats-worker commits."""
    unit = "hour" if step >= timedelta(hours=1) else "minute"
    with db.transaction() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT total, last_click_at FROM link_totals WHERE code = %s", (code,))
        total, last = cur.fetchone() or (0, None)
        cur.execute(
            "SELECT date_trunc(%s, minute, 'UTC') AS bucket, sum(clicks)::bigint FROM clicks_per_minute"
            " WHERE code = %s AND minute >= %s GROUP BY bucket",
            (unit, code, first),
        )
        return total, last, dict(cur.fetchall())
