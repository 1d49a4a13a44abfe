"""Request ids: accept ``X-Request-ID`` or make one, return it, and log it on every line."""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request

from .logs import request_id_var

HEADER = "X-Request-ID"
# A caller's id is kept only if it is short and plain, so it cannot forge log fields.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return request_id_var.get()


def init_app(app: Flask) -> None:
    @app.before_request
    def _take_request_id():
        incoming = request.headers.get(HEADER, "")
        rid = incoming if _VALID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
        request_id_var.set(rid)

    @app.after_request
    def _return_request_id(response):
        rid = g.get("request_id")
        if rid:
            response.headers[HEADER] = rid
        return response

    @app.teardown_request
    def _forget_request_id(_exc):
        request_id_var.set(None)
