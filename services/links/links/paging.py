"""Pages of the link listing: ``limit`` and the opaque ``cursor`` that continues a page."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime

from flask import request

from snipkit import ApiError

from .store import Link

MAX_PAGE = 100
DEFAULT_PAGE = 20
# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses or
# reads as another number. Ids are bigint, so at most 19 digits.
_LIMIT = re.compile(r"[0-9]{1,3}")
_ID = re.compile(r"[0-9]{1,19}")
_MAX_ID = 2**63 - 1


def args() -> tuple[int, tuple[datetime, int] | None]:
    """``(limit, after)`` from the query string, ``after`` the (created_at, id) of the
    previous page's last link; a bad ``limit`` or ``cursor`` is a 400. An empty
    ``cursor=`` is the first page, as if it were absent."""
    raw_limit = request.args.get("limit", str(DEFAULT_PAGE))
    if not _LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_PAGE:
        raise ApiError(400, "invalid_limit", f"limit must be a whole number from 1 to {MAX_PAGE}")
    cursor = request.args.get("cursor", "")
    if not cursor:
        return int(raw_limit), None
    return int(raw_limit), _after(cursor)


def _after(cursor: str) -> tuple[datetime, int]:
    try:
        created_at, link_id = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii").split("|")
        after = datetime.fromisoformat(created_at), int(link_id)
    except (ValueError, binascii.Error):
        raise _invalid() from None
    if not _ID.fullmatch(link_id) or after[1] > _MAX_ID:
        raise _invalid()
    return after


def _invalid() -> ApiError:
    return ApiError(400, "invalid_cursor", "cursor is not one this API returned")


def cursor(link: Link) -> str:
    """Where the next page starts: after this link, in the list's order."""
    return base64.urlsafe_b64encode(f"{link.created_at.isoformat()}|{link.id}".encode()).decode().rstrip("=")
