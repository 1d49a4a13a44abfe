"""The home page's recent links, fetched once per ``RECENT_CACHE_S`` and shared.

Every visitor of the home page sees the same first page of recent links, and its two API
calls (the page from ``links``, its counts from ``stats-api``) were over half of the
page's CPU here. So each process keeps the last first page it fetched for
``RECENT_CACHE_S`` seconds (1 by default; 0 fetches for every visitor): under load, one
fetch per second serves every visitor of that process.

What it costs: a link created or deleted through another process shows on the others'
home pages up to ``RECENT_CACHE_S`` later, as a click shows in its count once the stats
worker has counted it. A visitor never misses their own change: creating or deleting
notes the time in their session, and their home page reads past the cache for as long.
Older pages (``?cursor=``) are fetched every time, and so is a page whose counts were
unavailable, so the counts come back as soon as ``stats-api`` does.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, session

from snipkit import DependencyUnavailable, config

from . import clients

log = logging.getLogger("web.recent")

SIZE = 20
SETTING = config.Setting(
    "RECENT_CACHE_S",
    config.number(0),
    1.0,
    doc="seconds every visitor of a web process shares one fetch of the home page's recent links (0: none)",
)
_WROTE = "wrote_at"


def init_app(app: Flask) -> None:
    # (monotonic deadline, the page kept); one tuple, so threads swap it whole. A
    # deadline of 0 has passed: nothing is kept yet.
    app.extensions["web.recent"] = (0.0, None)


def fetch(cursor: str | None) -> dict:
    """A page of recent links with click totals; totals are None when stats is down."""
    page = clients.links().page(SIZE, cursor)
    recent = {"items": page.items, "next_cursor": page.next_cursor, "totals": None}
    try:
        recent["totals"] = clients.stats().totals([link.code for link in page.items])
    except DependencyUnavailable as exc:
        log.warning("listing links without click counts: %s", exc.message)
    return recent


def first_page() -> dict:
    """The first page, from this process's copy while it is fresh and the visitor has
    changed nothing since it might have been fetched."""
    keep = current_app.config["RECENT_CACHE_S"]
    deadline, kept = current_app.extensions["web.recent"]
    now = time.monotonic()
    if now < deadline and time.time() - session.get(_WROTE, 0) > keep:
        return kept
    recent = fetch(None)
    if keep and recent["totals"] is not None:
        current_app.extensions["web.recent"] = (now + keep, recent)
    return recent


def wrote() -> None:
    """Note that this visitor just created or deleted a link."""
    if current_app.config["RECENT_CACHE_S"]:
        session[_WROTE] = time.time()
