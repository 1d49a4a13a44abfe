"""Adding a batch of click events to the ``stats`` tables, exactly once per click.

Every event carries the id redirect gave its click (events from before ids existed use
their stream entry's id instead). The batch's ids go into ``applied_clicks`` in the same
transaction as the counts, and only events whose id was new are counted. So a batch
delivered twice (the worker died after the commit but before XACK, and another worker
claimed it) adds nothing the second time, and neither does a second copy of one click
(a Redis call whose outcome redirect could not know, see redirect.clicks).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from psycopg2.extras import execute_values

from snipkit import db

log = logging.getLogger("stats.counting")

MAX_CODE_LENGTH = 64
# redirect's ids are 32 hex digits; anything else is not an id redirect made.
_CLICK_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def parse_id(entry_id: str) -> tuple[int, int]:
    """A stream id ``"<ms>-<seq>"`` as a pair that sorts like the id."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq)


@dataclass(frozen=True)
class Result:
    counted: int
    duplicates: int
    malformed: int


def _event(fields: dict | None) -> tuple[str, int] | None:
    """(code, click time in ms) of an event, None when it is not one redirect writes."""
    if not fields:
        return None
    code, at = fields.get("code"), fields.get("at", "")
    # isascii(): "²".isdigit() is True, and int() would then stop the worker on it.
    if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE_LENGTH or not (at.isascii() and at.isdigit()):
        return None
    return code, int(at)


def _click(entry_id: str, fields: dict | None) -> str:
    """The click an entry records: redirect's id, else (an older or malformed event) the entry's own."""
    click = (fields or {}).get("id")
    return f"click:{click}" if isinstance(click, str) and _CLICK_ID.fullmatch(click) else f"entry:{entry_id}"


def apply(entries: list[tuple[str, dict | None]]) -> Result:
    """Count ``entries`` (``(stream id, fields)`` as XREADGROUP returns them) in one transaction."""
    if not entries:
        return Result(counted=0, duplicates=0, malformed=0)
    # The first entry of each click in the batch stands for it; the others are duplicates.
    clicks: dict[str, tuple[int, tuple[str, int] | None]] = {}
    for entry_id, fields in entries:
        clicks.setdefault(_click(entry_id, fields), (parse_id(entry_id)[0], _event(fields)))
    with db.transaction() as cur:
        new = execute_values(
            cur,
            "INSERT INTO applied_clicks (click, stream_ms) VALUES %s ON CONFLICT DO NOTHING RETURNING click",
            sorted((click, stream_ms) for click, (stream_ms, _) in clicks.items()),
            page_size=len(clicks),
            fetch=True,
        )
        per_minute: Counter[tuple[str, int]] = Counter()
        last_click: dict[str, int] = {}
        malformed = 0
        for (click,) in new:
            event = clicks[click][1]
            if event is None:
                malformed += 1
                continue
            code, at = event
            per_minute[(code, at - at % 60_000)] += 1
            last_click[code] = max(at, last_click.get(code, 0))
        # Rows in one fixed order, so two workers updating the same links never deadlock.
        execute_values(
            cur,
            "INSERT INTO clicks_per_minute (code, minute, clicks) VALUES %s ON CONFLICT (code, minute)"
            " DO UPDATE SET clicks = clicks_per_minute.clicks + EXCLUDED.clicks",
            sorted((code, minute, n) for (code, minute), n in per_minute.items()),
            template="(%s, to_timestamp(%s / 1000.0), %s)",
            page_size=max(len(per_minute), 1),
        )
        totals: Counter[str] = Counter()
        for (code, _minute), n in per_minute.items():
            totals[code] += n
        execute_values(
            cur,
            "INSERT INTO link_totals (code, total, last_click_at) VALUES %s ON CONFLICT (code) DO UPDATE"
            " SET total = link_totals.total + EXCLUDED.total,"
            " last_click_at = greatest(link_totals.last_click_at, EXCLUDED.last_click_at)",
            sorted((code, n, last_click[code]) for code, n in totals.items()),
            template="(%s, %s, to_timestamp(%s / 1000.0))",
            page_size=max(len(totals), 1),
        )
    if malformed:
        log.warning("skipped %d malformed click events", malformed)
    counted = sum(totals.values())
    return Result(counted=counted, duplicates=len(entries) - len(new), malformed=malformed)


def prune(below: tuple[int, int], window_ms: int) -> int:
    """Forget the ids of clicks that can never be delivered again: every entry below
    ``below`` is acknowledged, and a second copy of one click enters the stream within
    ``window_ms`` of the first (STATS_DEDUP_WINDOW_S), so ids older than that before
    ``below`` have nothing left to meet."""
    with db.connection() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM applied_clicks WHERE stream_ms < %s", (below[0] - window_ms,))
        return cur.rowcount
