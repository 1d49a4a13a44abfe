"""The stats read API: one link's series, the top links, and totals for a list of codes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify

from . import params, queries

bp = Blueprint("stats", __name__, url_prefix="/api/stats")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _floor(moment: datetime, step) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return moment - (moment - epoch) % step


@bp.get("")
def batch():
    """Totals for ``codes=a,b,c`` (the web page's list of recent links)."""
    params.only("codes")
    found = queries.totals(params.codes())
    items = {code: {"total": total, "last_click_at": _iso(last)} for code, (total, last) in found.items()}
    return jsonify(items=items)


@bp.get("/top")
def top():
    """The most clicked links: ``limit`` of them (default 10)."""
    params.only("limit")
    rows = queries.top(params.limit())
    return jsonify(items=[{"code": code, "total": total, "last_click_at": _iso(last)} for code, total, last in rows])


@bp.get("/<code>")
def link(code: str):
    """Total, last click and a zero-filled series over ``window`` per ``granularity``."""
    params.only("window", "granularity")
    params.code(code)
    wanted = params.series()
    # The series ends with the bucket now falls in, and has exactly ``points`` buckets.
    first = _floor(datetime.now(UTC), wanted.step) - (wanted.points - 1) * wanted.step
    total, last, counts = queries.link(code, first, wanted.step)
    starts = (first + i * wanted.step for i in range(wanted.points))
    return jsonify(
        code=code,
        total=total,
        last_click_at=_iso(last),
        granularity=wanted.granularity,
        window=wanted.window,
        series=[{"start": _iso(start), "count": counts.get(start, 0)} for start in starts],
    )
