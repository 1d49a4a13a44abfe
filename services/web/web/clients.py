"""The two APIs web talks to, over HTTP only, through the kit's :class:`ServiceClient`.

Each method returns records (:class:`Link`, :class:`Page`, :class:`Totals`) or plain
data, or raises: :class:`snipkit.DependencyUnavailable` when the service cannot be
reached or answers 5xx (web shows its 503 page, naming it), and :class:`Rejected` when
``links`` refuses a new link (web shows the messages on the form).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app

from snipkit import ApiError, DependencyUnavailable
from snipkit.health import Check, add_check
from snipkit.http import ServiceClient

LINKS = "links"
STATS = "stats-api"
# Readiness probes run one after the other and must answer within the kubelet's
# timeout even when both APIs hang: at most 2 x (0.3 + 0.3) s, with no retries.
_PROBE_TIMEOUT = (0.3, 0.3)


#: The key of a message about the whole form rather than one field.
FORM = "form"


# Records rather than the JSON's dicts: templates read ``link.code``, which Jinja tries
# as an attribute before a key, so on a dict every such lookup raised and caught an
# AttributeError first (about 250 per home page, a quarter of its rendering time).
@dataclass(frozen=True, slots=True)
class Link:
    """A link as the links API shows it (times are ISO 8601 strings)."""

    code: str
    url: str
    short_url: str
    created_at: str
    expires_at: str | None

    @classmethod
    def from_api(cls, item: dict) -> Link:
        return cls(item["code"], item["url"], item["short_url"], item["created_at"], item.get("expires_at"))


@dataclass(frozen=True, slots=True)
class Page:
    """A page of links, newest first; ``next_cursor`` asks for the next one."""

    items: list[Link]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Totals:
    """A link's click count and last click (None when it has none)."""

    total: int
    last_click_at: str | None


class Rejected(Exception):
    """``links`` refused a new link: a message per form field (``url``, ``code``, ...)
    or for the whole form (:data:`FORM`)."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(", ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields


def _code(code: str) -> str:
    """``code`` as one path segment, so a code typed into a URL cannot reach another
    route: ``?`` and ``#`` are escaped, and dots too, or ``..`` would climb a level."""
    return quote(code, safe="").replace(".", "%2E")


def _ok(response, name: str, *expected: int) -> Any:
    """The response's JSON when its status is one of ``expected``; a 503 for anything else."""
    if response.status_code in expected:
        return response.json() if response.content else None
    raise DependencyUnavailable(name, f"answered {response.status_code}")


class LinksApi:
    """The links REST API (services/links/links/openapi.py documents every shape)."""

    def __init__(self, base_url: str, token: str | None = None):
        self.http = ServiceClient(LINKS, base_url)
        # Writes carry links' token (snipkit.auth); reads need none.
        self._writes = {"Authorization": f"Bearer {token}"} if token else {}

    def page(self, limit: int = 20, cursor: str | None = None) -> Page:
        """A page of ``limit`` links, newest first, after ``cursor``."""
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = self.http.get("/api/links", params=params)
        if response.status_code == 400 and cursor:
            # The cursor came from the address bar: a bad one is the visitor's 400, not an outage.
            raise ApiError(400, "invalid_cursor", "there is no such page of links")
        found = _ok(response, LINKS, 200)
        return Page([Link.from_api(item) for item in found["items"]], found["next_cursor"])

    def get(self, code: str) -> Link | None:
        """The link with ``code``, or None when there is none."""
        response = self.http.get(f"/api/links/{_code(code)}")
        return None if response.status_code == 404 else Link.from_api(_ok(response, LINKS, 200))

    def create(self, fields: dict[str, str], idempotency_key: str) -> Link:
        """Create a link; the same key replays the first answer, so a resubmitted form
        creates one link. Raises :class:`Rejected` with a message per invalid field."""
        headers = {"Idempotency-Key": idempotency_key, **self._writes}
        response = self.http.post("/api/links", json=fields, headers=headers)
        if response.status_code in (200, 201):
            return Link.from_api(response.json())
        if response.status_code == 413:
            # A form within web's own limit can still make a larger JSON body (a control
            # character is 3 bytes in a form, 6 in JSON).
            raise Rejected({FORM: "the form holds more than links accepts: shorten the URL"})
        error = response.json().get("error", {}) if response.status_code in (409, 410, 422) else {}
        if error.get("code") == "validation_failed":
            raise Rejected(error["fields"])
        if error.get("code") == "code_taken":
            raise Rejected({"code": "that code is already taken: choose another"})
        if error.get("code") == "idempotency_key_reused":
            # A form page kept by the browser (Back) and sent again with other values.
            raise Rejected({FORM: "this form was already used for another link; it has been reset: send it again"})
        if error.get("code") == "link_deleted":
            # The same form sent again after the link it made was deleted.
            raise Rejected(
                {FORM: "this form made a link that has been deleted since; it has been reset: send it again"}
            )
        raise DependencyUnavailable(LINKS, f"answered {response.status_code}")

    def delete(self, code: str) -> bool:
        """Delete the link; False when it did not exist (already deleted)."""
        response = self.http.delete(f"/api/links/{_code(code)}", headers=self._writes)
        if response.status_code == 404:
            return False
        _ok(response, LINKS, 204)
        return True


class StatsApi:
    """The stats API: click totals and series per link."""

    def __init__(self, base_url: str):
        # Tighter than the kit's defaults: the home page only decorates its list with
        # counts, so a hanging stats-api may cost it ~3 s (two tries), not ~9 s.
        self.http = ServiceClient(STATS, base_url, timeout=(0.5, 1.0), retries=1)

    def clicks(self, code: str, window: str, granularity: str) -> dict:
        """``{"total", "last_click_at", "series": [{"start", "count"}], ...}`` for one link."""
        params = {"window": window, "granularity": granularity}
        response = self.http.get(f"/api/stats/{_code(code)}", params=params)
        if response.status_code == 404:
            # A link nobody has clicked yet may be unknown to stats: that is zero clicks.
            return {"code": code, "total": 0, "last_click_at": None, "series": []}
        return _ok(response, STATS, 200)

    def totals(self, codes: list[str]) -> dict[str, Totals]:
        """The click totals of the codes stats knows about."""
        if not codes:
            return {}
        found = _ok(self.http.get("/api/stats", params={"codes": ",".join(codes)}), STATS, 200)["items"]
        return {code: Totals(item["total"], item["last_click_at"]) for code, item in found.items()}


def _probe(name: str, base_url: str) -> Check:
    """A readiness check that reports whether ``name`` answers its ``/livez``."""
    http = ServiceClient(name, base_url, timeout=_PROBE_TIMEOUT, retries=0)
    return Check(name, lambda: _ok(http.get("/livez"), name, 200), required=False)


def init_app(app: Flask) -> None:
    """One client per API for the app. Both are reported by ``/readyz`` but neither is
    required: web answers with its own 503 page while one is down, which is better than
    the load balancer's bare error once every web pod has left the rotation."""
    app.extensions["web.links"] = LinksApi(app.config["LINKS_URL"], app.config["LINKS_API_TOKEN"])
    app.extensions["web.stats"] = StatsApi(app.config["STATS_URL"])
    add_check(app, _probe(LINKS, app.config["LINKS_URL"]))
    add_check(app, _probe(STATS, app.config["STATS_URL"]))


def links() -> LinksApi:
    return current_app.extensions["web.links"]


def stats() -> StatsApi:
    return current_app.extensions["web.stats"]
