"""The home page's rows of recent links, each rendered once for what it shows.

Every visitor of the home page sees the same recent links, and a row changes only when
its link's click count does, or the link expires. Rendering the twenty rows was most of
the page's template time (about 0.9 of 1.4 ms of CPU here), so each row's HTML is kept,
keyed by everything it shows: the link, its count (None when stats-api is down), whether
it has expired, and the path the app is mounted at (its links start with it). A new
count is a new key; the least recently shown rows are dropped first.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, request
from markupsafe import Markup

from .clients import Link, Totals
from .formatting import expired

#: Rows kept per process: many pages' worth, at about 600 bytes each.
KEPT = 4096


def init_app(app: Flask) -> None:
    """Offer ``link_row(link, totals)`` to templates."""

    @lru_cache(maxsize=KEPT)
    def render(link: Link, total: int | None, is_expired: bool, script_root: str) -> Markup:
        template = app.jinja_env.get_template("_link_row.html")
        # Safe: an .html template autoescapes every value it inserts.
        return Markup(template.render(link=link, total=total, expired=is_expired))  # noqa: S704

    def link_row(link: Link, totals: dict[str, Totals] | None) -> Markup:
        """The row of ``link``; ``totals`` is None when the counts are unavailable, and a
        link stats-api does not know has no clicks yet."""
        total = None if totals is None else (totals[link.code].total if link.code in totals else 0)
        return render(link, total, expired(link.expires_at), request.script_root)

    app.jinja_env.globals["link_row"] = link_row
