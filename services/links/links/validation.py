"""Turning a create request's JSON into a checked :class:`NewLink`, or a 422 listing every problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from snipkit import ValidationError, urls

from . import codes

MAX_URL_LENGTH = 2048
FIELDS = {"url", "code", "expires_at"}


@dataclass(frozen=True)
class NewLink:
    url: str
    code: str | None
    expires_at: datetime | None


def _check_url(value: Any, own_url: str) -> str | None:
    if not isinstance(value, str) or not value:
        return "required: an http or https URL"
    if len(value) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    # The very conversion redirect applies: a URL accepted here can always be served.
    try:
        loops = urls.same_site(value, own_url)
    except ValueError as problem:
        return str(problem)
    if loops:
        # A short link to a short link of this shortener loops, one click per hop.
        return "must not point back at this link shortener"
    return None


def _parse_expiry(value: Any, now: datetime) -> tuple[datetime | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "must be an ISO 8601 date-time string"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, "must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z"
    if parsed.tzinfo is None:
        return None, "must include a time zone, e.g. Z or +02:00"
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:59:59-05:00 is a valid string, but past the year 9999 in UTC.
        return None, "must fall within the years 1 to 9999 in UTC"
    if in_utc <= now:
        return None, "must be in the future"
    return in_utc, None


def parse_new_link(data: dict[str, Any], own_url: str, now: datetime | None = None) -> NewLink:
    """Validate a create request body; raises a 422 :class:`ValidationError` naming each bad field.

    ``own_url`` is where this shortener serves its links (``PUBLIC_BASE_URL``): a link
    may not point there."""
    now = now or datetime.now(UTC)
    problems: dict[str, str] = {}
    for unknown in sorted(set(data) - FIELDS):
        problems[unknown] = "unknown field"
    url_problem = _check_url(data.get("url"), own_url)
    if url_problem:
        problems["url"] = url_problem
    code = data.get("code")
    if code is not None and (not isinstance(code, str) or not codes.is_valid(code)):
        problems["code"] = "must be 3-32 characters: letters, digits, '_' or '-'"
    expires_at, expiry_problem = _parse_expiry(data.get("expires_at"), now)
    if expiry_problem:
        problems["expires_at"] = expiry_problem
    if problems:
        raise ValidationError(problems)
    return NewLink(url=data["url"], code=code, expires_at=expires_at)
