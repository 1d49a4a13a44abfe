"""Pages of the link listing: ``limit`` and the opaque ``cursor`` that continues a page."""

from __future__ import annotations

import base64
import binascii
import re

from flask import request

from snipkit import ApiError

MAX_PAGE = 100
DEFAULT_PAGE = 20
# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses or
# reads as another number. Ids are bigint, so at most 19 digits.
_LIMIT = re.compile(r"[0-9]{1,3}")
_ID = re.compile(r"[0-9]{1,19}")
_MAX_ID = 2**63 - 1


def args() -> tuple[int, int | None]:
    """``(limit, before_id)`` from the query string; a bad ``limit`` or ``cursor`` is a 400.
    An empty ``cursor=`` is the first page, as if it were absent."""
    raw_limit = request.args.get("limit", str(DEFAULT_PAGE))
    if not _LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_PAGE:
        raise ApiError(400, "invalid_limit", f"limit must be a whole number from 1 to {MAX_PAGE}")
    cursor = request.args.get("cursor", "")
    if not cursor:
        return int(raw_limit), None
    return int(raw_limit), _before_id(cursor)


def _before_id(cursor: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii")
    except (ValueError, binascii.Error):
        decoded = ""
    if not _ID.fullmatch(decoded) or int(decoded) > _MAX_ID:
        raise ApiError(400, "invalid_cursor", "cursor is not one this API returned")
    return int(decoded)


def cursor(link_id: int) -> str:
    """The cursor of the page that starts after the link ``link_id``."""
    return base64.urlsafe_b64encode(str(link_id).encode()).decode().rstrip("=")
