"""snipkit.errors: every error is JSON with the right status; a 5xx is logged with its request id."""

from __future__ import annotations

import json

import pytest

import snipkit
from snipkit import ApiError


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
