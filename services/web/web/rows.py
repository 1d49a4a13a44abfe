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


def _total(link: Link, totals: dict[str, Totals] | None) -> int | None:
    """The count to show: None when the counts are unavailable, 0 for a link stats-api
    has not counted a click of."""
    if totals is None:
        return None
    return totals[link.code].total if link.code in totals else 0


def init_app(app: Flask) -> None:
    """Offer ``link_rows(links, totals)`` to templates."""

    @lru_cache(maxsize=KEPT)
    def render(link: Link, total: int | None, is_expired: bool, script_root: str) -> Markup:
        template = app.jinja_env.get_template("_link_row.html")
        # Safe: an .html template autoescapes every value it inserts.
        return Markup(template.render(link=link, total=total, expired=is_expired))  # noqa: S704

    def link_rows(links: list[Link], totals: dict[str, Totals] | None) -> Markup:
        """The rows of ``links``, in one call from the template (a call from a template
        costs more than finding a row here)."""
        root = request.script_root
        return Markup("").join(render(link, _total(link, totals), expired(link.expires_at), root) for link in links)

    app.jinja_env.globals["link_rows"] = link_rows
