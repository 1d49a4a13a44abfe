"""The kit's error handlers: JSON by default, a service's own pages where it asks for them."""

from __future__ import annotations

import pytest
from flask import Blueprint, make_response

import snipkit
from snipkit import DependencyUnavailable, errors

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


@pages.get("/page")
def page_that_fails():
    raise DependencyUnavailable("links")


@pages.get("/crash")
def page_that_crashes():
    raise RuntimeError("boom")


@api.get("/thing")
def api_that_fails():
    raise DependencyUnavailable("links")


def _page(status, code, message, details):
    return make_response(f"<h1>{status} {code}</h1><p>{details.get('dependency', '')}</p>"), status


@pytest.fixture
def app():
    app = snipkit.create_app("errors-test", __name__, [], {"METRICS_ENABLED": False})
    app.register_blueprint(pages)
    app.register_blueprint(api)
    return app


def test_without_pages_every_error_is_json(app):
    response = app.test_client().get("/page")
    assert response.status_code == 503
    assert response.get_json()["error"] == {
        "code": "dependency_unavailable",
        "message": "links is unavailable: did not answer",
        "dependency": "links",
    }


def test_page_blueprints_and_unmatched_urls_get_the_page(app):
    errors.render_pages(app, _page, blueprints=["pages"])
    client = app.test_client()
    failed = client.get("/page")
    assert failed.status_code == 503 and failed.mimetype == "text/html"
    assert failed.get_data(as_text=True) == "<h1>503 dependency_unavailable</h1><p>links</p>"
    assert client.get("/crash").get_data(as_text=True).startswith("<h1>500 internal_error</h1>")
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.get_data(as_text=True).startswith("<h1>404 not_found</h1>")
    wrong_method = client.post("/page")
    assert wrong_method.status_code == 405 and set(wrong_method.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
    assert wrong_method.mimetype == "text/html"


def test_other_blueprints_and_probes_stay_json(app):
    errors.render_pages(app, _page, blueprints=["pages"])
    client = app.test_client()
    assert client.get("/api/thing").get_json()["error"]["dependency"] == "links"
    assert client.get("/livez").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json()["status"] == "ready"
