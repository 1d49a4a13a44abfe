"""The HTML pages web answers errors with, registered through
:func:`snipkit.errors.render_pages`: the kit still logs and picks the status, this only
words it for people. No page ever shows a stack trace or an internal message."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template

from . import clients

# What people are told about each dependency web calls.
DEPENDENCIES = {
    clients.LINKS: "the links service, which stores short links",
    clients.STATS: "the statistics service, which counts clicks",
}

_PAGES = {
    400: ("This request could not be accepted", "Please go back, reload the page and try again."),
    404: ("Page not found", "There is nothing at this address. It may have been deleted, or the link mistyped."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too much data", "The form sent more data than snip accepts."),
    503: ("Temporarily unavailable", "Part of snip is not answering right now. Please try again in a minute."),
}
_FALLBACK = ("Something went wrong", "snip could not handle this request. Please try again in a minute.")
# CSRF failures are 400s whose cause a person can act on, so they get their own words.
_CSRF = (
    "Your form expired",
    "For your security, forms are valid for a limited time and only in the browser that opened them. "
    "Reload the page and submit the form again.",
)


def render(status: int, code: str, message: str, details: dict[str, Any]):
    """The error page for ``status``; a 503 names the dependency that did not answer."""
    title, advice = _CSRF if code == "csrf_failed" else _PAGES.get(status, _FALLBACK)
    dependency = details.get("dependency")
    page = render_template(
        "error.html",
        status=status,
        title=title,
        advice=advice,
        dependency=dependency,
        dependency_text=DEPENDENCIES.get(dependency, dependency),
    )
    return make_response(page), status
