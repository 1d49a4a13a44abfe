"""The pages: home (shorten a URL, recent links), a link's page (its clicks), delete.

Which page needs what (see "`web`: pages for people" in docs/architecture.md):
- home needs ``links``; without ``stats-api`` it still lists links, counts marked
  unavailable, because the list and the form are what people come for;
- a link's page is its click history, so without ``stats-api`` it is the 503 page,
  naming the statistics service, rather than a chart that would read as "no clicks";
- creating and deleting need ``links`` only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from . import chart, clients, csrf, recent

bp = Blueprint("pages", __name__)

FORM_FIELDS = ("url", "code", "expires_at")


def _expiry_for_api(value: str) -> str:
    """A form's ``datetime-local`` value (no zone; the form says UTC) as ISO 8601 UTC.
    Anything that does not parse goes to links as typed, so its message is shown."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _home(values: dict, errors: dict, status: int = 200):
    cursor = request.args.get("cursor")
    shown = recent.fetch(cursor) if cursor else recent.first_page()
    return render_template("home.html", values=values, errors=errors, recent=shown), status


@bp.get("/")
def home():
    return _home(values={}, errors={})


@bp.post("/links")
def create():
    values = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    fields = {name: value for name, value in values.items() if value}
    if "expires_at" in fields:
        fields["expires_at"] = _expiry_for_api(fields["expires_at"])
    try:
        link = clients.links().create(fields, csrf.idempotency_key())
    except clients.Rejected as rejected:
        # A fresh form (and so a fresh token and Idempotency-Key) is rendered with the
        # messages: the corrected form is a new request, not a replay of this one.
        return _home(values, rejected.fields, status=422)
    recent.wrote()
    flash(f"Your short link {link.short_url} is ready.", "success")
    return redirect(url_for("pages.link", code=link.code), code=303)


@bp.get("/links/<code>")
def link(code: str):
    found = clients.links().get(code)
    if found is None:
        abort(404)
    range_name = request.args.get("range", "day")
    if range_name not in chart.RANGES:
        abort(404)
    window, granularity, _bucket, _count = chart.RANGES[range_name]
    clicks = clients.stats().clicks(code, window, granularity)
    drawn = chart.build(clicks.get("series", []), range_name)
    return render_template("link.html", link=found, clicks=clicks, chart=drawn, range_name=range_name)


@bp.post("/links/<code>/delete")
def delete(code: str):
    deleted = clients.links().delete(code)
    recent.wrote()
    if deleted:
        flash(f"The short link {code} was deleted.", "success")
    else:
        flash(f"The short link {code} had already been deleted.", "info")
    return redirect(url_for("pages.home"), code=303)
