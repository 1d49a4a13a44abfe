"""What web's API clients send, seen by a stand-in that records every request."""

from __future__ import annotations

import pytest
from flask import Flask, request

import web


class Spy(list):
    """The (method, path) of every request a service that answers 404 to all received."""

    url: str


@pytest.fixture
def seen(serve):
    received = Spy()
    spy = Flask("spy")

    @spy.route("/", defaults={"_path": ""}, methods=["GET", "DELETE"])
    @spy.route("/<path:_path>", methods=["GET", "DELETE"])
    def record(_path):
        received.append((request.method, request.path))
        return {"error": {"code": "not_found"}}, 404

    received.url = serve(spy)
    return received


@pytest.mark.parametrize(("typed", "code"), [("%2E%2E", ".."), ("x%3Flimit=1", "x?limit=1"), ("%23top", "#top")])
def test_a_code_from_the_address_bar_stays_one_path_segment(seen, typed, code):
    settings = {"LINKS_URL": seen.url, "STATS_URL": seen.url, "SECRET_KEY": "k" * 40}
    client = web.create_app(settings).test_client()
    assert client.get(f"/links/{typed}").status_code == 404
    assert seen == [("GET", f"/api/links/{code}")]
