"""snipkit.errors: every error is JSON with the right status; a 5xx is logged with its request id;
a service for people can answer its pages' errors with HTML (``render_pages``)."""

from __future__ import annotations

import json

import pytest
from flask import Blueprint, make_response

import snipkit
from snipkit import ApiError, DependencyUnavailable, body, errors


@pytest.fixture
def app():
    app = snipkit.create_app("errors-test", __name__, [], {"METRICS_ENABLED": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/gone")
    def gone():
        raise ApiError(410, "gone", "it is gone", code_hint="x")

    return app


def test_unexpected_error_is_a_json_500_logged_with_its_request_id(app, capsys):
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {"code": "internal_error", "message": "the server failed to handle this request"}
    }
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    entry = next(e for e in logged if e["message"] == "unhandled error")
    assert entry["request_id"] == "req-500" and entry["level"] == "ERROR"
    assert "RuntimeError: secret internals" in entry["exception"]


def test_api_error_keeps_status_code_and_details(app):
    response = app.test_client().get("/gone")
    assert response.status_code == 410
    assert response.get_json() == {"error": {"code": "gone", "message": "it is gone", "code_hint": "x"}}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("get", "/nowhere", 404, "not_found"), ("post", "/livez", 405, "method_not_allowed")],
)
def test_flask_errors_are_json(app, method, path, status, code):
    response = getattr(app.test_client(), method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


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
def paged_app(app):
    """The app with a page blueprint and a JSON API blueprint, as web has."""
    app.register_blueprint(pages)
    app.register_blueprint(api)
    return app


def test_without_pages_every_error_is_json(paged_app):
    response = paged_app.test_client().get("/page")
    assert response.status_code == 503
    assert response.get_json()["error"] == {
        "code": "dependency_unavailable",
        "message": "links is unavailable: did not answer",
        "dependency": "links",
    }


def test_page_blueprints_and_unmatched_urls_get_the_page(paged_app):
    errors.render_pages(paged_app, _page, blueprints=["pages"])
    client = paged_app.test_client()
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


def test_other_blueprints_and_probes_stay_json(paged_app):
    errors.render_pages(paged_app, _page, blueprints=["pages"])
    client = paged_app.test_client()
    assert client.get("/api/thing").get_json()["error"]["dependency"] == "links"
    assert client.get("/livez").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json()["status"] == "ready"


def test_a_body_over_the_limit_is_a_413_that_says_the_limit():
    app = snipkit.create_app("errors-test", __name__, [], {"METRICS_ENABLED": False, "MAX_BODY_BYTES": 2048})
    app.post("/echo")(lambda: body.json_object())
    response = app.test_client().post("/echo", data="x" * 4096, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {
        "error": {
            "code": "request_entity_too_large",
            "message": "the body is larger than 2048 bytes, the most accepted here",
        }
    }
