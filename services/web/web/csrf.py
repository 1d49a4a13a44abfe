"""CSRF protection for every form: a signed token tied to the visitor's session.

Why this design, and not Flask-WTF: the whole mechanism fits on one screen, with no
dependency beyond itsdangerous, which Flask already uses to sign its session cookie.

- The session (Flask's signed, HttpOnly, SameSite=Lax cookie) holds a random secret.
- Each rendered form carries a token: ``{session secret, form action, form nonce}``
  signed with ``SECRET_KEY`` and time-stamped. A token is accepted only with the session
  it was made for, so a token an attacker fetched for *their own* session is useless in
  a forged form posted from the victim's browser; only at the address its form posts to,
  so the token of one link's delete form cannot delete another link; and it expires
  after ``MAX_AGE_S``.
- The nonce is fresh per rendered form, which makes it a natural ``Idempotency-Key``:
  a form submitted twice (a double click, a reload after a timeout) creates one link.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, current_app, g, request, session
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup

from snipkit import ApiError

FIELD = "csrf_token"
MAX_AGE_S = 2 * 60 * 60
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="snip-csrf")


def _session_secret() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def token(action: str) -> str:
    """A new token for one form posting to ``action``, valid for this session for ``MAX_AGE_S`` seconds."""
    return _serializer().dumps({"s": _session_secret(), "a": action, "n": secrets.token_urlsafe(16)})


def field(action: str) -> Markup:
    """The hidden ``<input>`` every form includes: ``{{ csrf_field(action) }}`` in a
    template, with the same address as the form's ``action``."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token(action))


def _refuse(reason: str) -> ApiError:
    return ApiError(400, "csrf_failed", reason)


def check() -> None:
    """Refuse an unsafe request whose form token is missing, forged, expired or made for
    another session; on success ``g.form_nonce`` identifies the submitted form."""
    submitted = request.form.get(FIELD)
    if not submitted:
        raise _refuse("the form was sent without its security token")
    try:
        data = _serializer().loads(submitted, max_age=MAX_AGE_S)
    except BadData:
        raise _refuse("the form's security token is invalid or has expired") from None
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(str(data.get("s", "")), expected):
        raise _refuse("the form's security token belongs to another session")
    if data.get("a") != request.script_root + request.path:
        raise _refuse("the form's security token was made for another form")
    g.form_nonce = data["n"]


def idempotency_key() -> str:
    """The ``Idempotency-Key`` for the API call a checked form makes: one per rendered form."""
    return f"web-form-{g.form_nonce}"


def init_app(app: Flask) -> None:
    """Check the token on every unsafe request and offer ``csrf_field()`` to templates."""

    @app.before_request
    def _check_unsafe_requests():
        if request.method in _UNSAFE:
            check()

    app.jinja_env.globals["csrf_field"] = field
