"""Query parameters of the stats API: each bad one is a 400 that names it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import request

from snipkit import ApiError, keys

_WINDOW = re.compile(r"^([1-9][0-9]{0,4})([mhd])$")
_LIMIT = re.compile(r"[0-9]{1,3}")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
GRANULARITIES = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1)}
MAX_WINDOW = timedelta(days=90)
# Enough for the longest window per hour (90 x 24), so every window the API allows has a
# granularity that serves it; per minute that is 36 hours.
MAX_POINTS = MAX_WINDOW // GRANULARITIES["hour"]
DEFAULT_WINDOW = "24h"
# Up to this window the default series is per minute; beyond it, per hour.
MINUTE_SERIES_UP_TO = timedelta(hours=6)
MAX_LIMIT = 100
MAX_CODES = 100


def invalid(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{parameter}: {message}", parameter=parameter)


def only(*known: str) -> None:
    """Refuse a parameter the endpoint does not take, as links refuses an unknown field:
    a misspelt ``windw=7d`` would otherwise quietly answer for the default window."""
    for name in request.args:
        if name not in known:
            takes = ", ".join(known) or "no parameters"
            raise invalid(name, f"unknown parameter; this endpoint takes {takes}")


def code(value: str, parameter: str = "code") -> str:
    if not keys.CODE.fullmatch(value):
        raise invalid(parameter, "a code is 1-64 letters, digits, '_' or '-'")
    return value


@dataclass(frozen=True)
class Series:
    window: str
    span: timedelta
    granularity: str
    step: timedelta

    @property
    def points(self) -> int:
        return -(-self.span // self.step)  # ceiling division


def series() -> Series:
    """``window`` (``60m``, ``24h``, ``7d``; at most 90 days) and ``granularity``."""
    window = request.args.get("window", DEFAULT_WINDOW)
    match = _WINDOW.fullmatch(window)
    if not match:
        raise invalid("window", "must be a number followed by m, h or d, e.g. 60m, 24h, 7d")
    span = int(match[1]) * _UNITS[match[2]]
    if span > MAX_WINDOW:
        raise invalid("window", f"must be at most {MAX_WINDOW.days}d")
    default = "minute" if span <= MINUTE_SERIES_UP_TO else "hour"
    granularity = request.args.get("granularity", default)
    if granularity not in GRANULARITIES:
        raise invalid("granularity", "must be minute or hour")
    chosen = Series(window, span, granularity, GRANULARITIES[granularity])
    if chosen.points > MAX_POINTS:
        raise invalid("granularity", f"{window} per {granularity} is more than {MAX_POINTS} points; use hour")
    return chosen


def limit(default: int = 10) -> int:
    raw = request.args.get("limit", str(default))
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not _LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise invalid("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def codes() -> list[str]:
    """``codes=a,b,c``: 1 to 100 codes, duplicates ignored, order kept."""
    raw = request.args.get("codes", "")
    wanted = list(dict.fromkeys(part for part in raw.split(",") if part))
    if not wanted:
        raise invalid("codes", "give one or more codes separated by commas, e.g. codes=abc,xyz")
    if len(wanted) > MAX_CODES:
        raise invalid("codes", f"at most {MAX_CODES} codes per request")
    return [code(c, "codes") for c in wanted]
