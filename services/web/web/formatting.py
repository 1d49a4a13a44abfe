"""Template filters that turn the APIs' values into text for people."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask


# A link's times never change, and every visitor of the home page sees the same recent
# links: each time is parsed and formatted once, not once per page view.
@lru_cache(maxsize=4096)
def when(value: str | None, empty: str = "never") -> str:
    """An ISO 8601 time from an API as ``27 Nov 2026, 09:30 UTC``; ``empty`` for None."""
    if not value:
        return empty
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%-d %b %Y, %H:%M UTC")


def expired(value: str | None) -> bool:
    """Whether an ISO 8601 expiry time from an API has passed (redirect then answers 410)."""
    return bool(value) and datetime.fromisoformat(value.replace("Z", "+00:00")) <= datetime.now(UTC)


def number(value: int) -> str:
    """A count with thousands separators: ``12,345``."""
    return f"{value:,}"


def sentence(value: str) -> str:
    """``value`` with its first letter capitalised and the rest as written (``ISO`` stays)."""
    return value[:1].upper() + value[1:]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
    app.jinja_env.tests["expired"] = expired
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["sentence"] = sentence
