"""Data at scale: ``links`` links and ten counted clicks per link, bulk-loaded with COPY
into a sandbox's tables (never through the APIs, which would take hours at a million).

Link ``i`` (0-based) is the ``i``-th created, so ids and ``created_at`` grow with it as
they would through the API. Its code is a bijection of ``i`` written in base62, seven
characters like the codes links generates, so neighbouring links land far apart in the
code index, as random codes do. Popularity is Zipf's law with exponent 1 by index: link
``i`` gets clicks in proportion to ``1 / (i + 1)``, spread over distinct minutes of the
last 30 days, so the stats tables hold what stats-worker would have written for them.
The same law picks the codes that the measured requests ask for (:func:`zipf_sample`).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta

import psycopg2

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CODE_LENGTH = 7
SPACE = len(ALPHABET) ** CODE_LENGTH
# Coprime with 62 (so i -> i * STRIDE mod SPACE is a bijection): consecutive indexes
# get codes that share no prefix.
STRIDE = 1_000_000_007
CLICKS_PER_LINK = 10
HISTORY = timedelta(days=30)
_MINUTE = timedelta(minutes=1)
_MINUTES = HISTORY // _MINUTE
# Rows are handed to COPY in chunks of about this many bytes.
_CHUNK = 1 << 20


def code(i: int) -> str:
    """The code of link ``i``: seven base62 characters, distinct for every ``i < SPACE``."""
    n = (i * STRIDE) % SPACE
    chars = []
    for _ in range(CODE_LENGTH):
        n, digit = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


def _weights(links: int) -> Iterator[float]:
    return (1 / (i + 1) for i in range(links))


def totals(links: int, clicks: int) -> list[int]:
    """Clicks per link, Zipf by index, every link clicked at least once; they add up to
    about ``clicks`` (the rounding of the long tail adds a little)."""
    harmonic = sum(_weights(links))
    return [max(1, round(clicks * w / harmonic)) for w in _weights(links)]


def zipf_sample(links: int, count: int, seed: int) -> list[int]:
    """``count`` link indexes drawn with Zipf's law (index ``i`` with weight ``1/(i+1)``)."""
    cumulative = list(itertools.accumulate(_weights(links)))
    rng = random.Random(seed)  # noqa: S311 - traffic, not secrets
    top = cumulative[-1]
    return [bisect.bisect_left(cumulative, rng.random() * top) for _ in range(count)]


class _CopySource:
    """A file-like ``read()`` over lines made on demand, for ``copy_expert``: the rows
    stream into COPY without being held in memory or written to disk."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        want = _CHUNK if size is None or size < 0 else size
        while len(self._buffer) < want:
            chunk = "".join(itertools.islice(self._lines, 4096))
            if not chunk:
                break
            self._buffer += chunk.encode()
        out, self._buffer = self._buffer[:want], self._buffer[want:]
        return out


def _link_rows(links: int, now: datetime) -> Iterator[str]:
    # Creation times spread evenly over the history, oldest first.
    step = HISTORY / links
    first = now - HISTORY
    for i in range(links):
        created = (first + i * step).isoformat()
        yield f"{code(i)}\thttps://example.com/articles/{i}?utm_source=newsletter&utm_medium=email\t{created}\n"


def _spread(i: int, total: int) -> tuple[int, int, int]:
    """Link ``i``'s ``total`` clicks fall in ``rows`` distinct minutes, ``spacing``
    minutes apart, the latest ``phase`` minutes before the last one."""
    rows = min(total, _MINUTES)
    spacing = _MINUTES // rows
    return rows, spacing, i % spacing


def _minute_rows(counts: list[int], last_minute: datetime) -> Iterator[str]:
    """Each link's clicks per minute, as evenly filled as the total allows."""
    # Millions of rows share 43,200 minutes: each is formatted once.
    minutes = [(last_minute - back * _MINUTE).isoformat() for back in range(_MINUTES)]
    for i, total in enumerate(counts):
        rows, spacing, phase = _spread(i, total)
        per_row, extra = divmod(total, rows)
        name = code(i)
        for k in range(rows):
            yield f"{name}\t{minutes[k * spacing + phase]}\t{per_row + (1 if k < extra else 0)}\n"


def _total_rows(counts: list[int], last_minute: datetime) -> Iterator[str]:
    for i, total in enumerate(counts):
        _rows, _spacing, phase = _spread(i, total)
        yield f"{code(i)}\t{total}\t{(last_minute - phase * _MINUTE).isoformat()}\n"


def load(database_admin_url: str, links: int, clicks_per_link: int = CLICKS_PER_LINK) -> dict:
    """Fill an empty, migrated database with ``links`` links and their clicks; returns
    what was loaded. VACUUM ANALYZE afterwards, as autovacuum would in time: the
    planner then has statistics and index-only scans their visibility map."""
    now = datetime.now(UTC)
    last_minute = now.replace(second=0, microsecond=0)
    counts = totals(links, links * clicks_per_link)
    with closing(psycopg2.connect(database_admin_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.copy_expert("COPY links.links (code, url, created_at) FROM STDIN", _CopySource(_link_rows(links, now)))
            cur.copy_expert(
                "COPY stats.link_totals (code, total, last_click_at) FROM STDIN",
                _CopySource(_total_rows(counts, last_minute)),
            )
            cur.copy_expert(
                "COPY stats.clicks_per_minute (code, minute, clicks) FROM STDIN",
                _CopySource(_minute_rows(counts, last_minute)),
            )
            cur.execute("VACUUM ANALYZE links.links, stats.link_totals, stats.clicks_per_minute")
            cur.execute("SELECT count(*) FROM stats.clicks_per_minute")
            minute_rows = cur.fetchone()[0]
    return {"links": links, "clicks": sum(counts), "minute_rows": minute_rows}


#: The tables the scale series reports the size of.
TABLES = ("links.links", "stats.link_totals", "stats.clicks_per_minute")


def sizes(database_admin_url: str) -> dict[str, dict]:
    """Bytes on disk of each table in :data:`TABLES` (heap and TOAST) and of each of its indexes."""
    with closing(psycopg2.connect(database_admin_url)) as conn, conn.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(
                "SELECT pg_table_size(%s::regclass), coalesce(json_object_agg(i.indexrelid::regclass::text,"
                " pg_relation_size(i.indexrelid)) FILTER (WHERE i.indexrelid IS NOT NULL), '{}')"
                " FROM (SELECT %s::regclass AS t) AS x LEFT JOIN pg_index i ON i.indrelid = x.t",
                (table, table),
            )
            table_bytes, indexes = cur.fetchone()
            out[table] = {"table_bytes": table_bytes, "indexes": indexes}
        return out
