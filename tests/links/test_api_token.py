"""With API_TOKEN set, creating and deleting need ``Authorization: Bearer <token>``;
reading does not. Without it (make dev, most tests) writes are open, as logged at start."""

from __future__ import annotations

import json

import pytest

import links
from snipkit import ConfigError

TOKEN = "a-token-for-the-tests-that-is-32-chars-or-more"


@pytest.fixture
def guarded(app):
    app.config["API_TOKEN"] = TOKEN
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_write_without_the_token_is_refused_with_a_401(guarded):
    for headers in ({}, bearer("wrong-token"), {"Authorization": TOKEN}):
        response = guarded.post("/api/links", json={"url": "https://e.example"}, headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert guarded.get("/api/links").get_json()["items"] == []


def test_with_the_token_links_are_made_and_deleted_and_anyone_may_read(guarded):
    code = guarded.post("/api/links", json={"url": "https://e.example"}, headers=bearer(TOKEN)).get_json()["code"]
    assert guarded.get(f"/api/links/{code}").status_code == 200
    assert guarded.delete(f"/api/links/{code}").status_code == 401
    assert guarded.get(f"/api/links/{code}").status_code == 200, "an anonymous DELETE deletes nothing"
    assert guarded.delete(f"/api/links/{code}", headers=bearer(TOKEN)).status_code == 204


def test_the_token_comes_from_the_environment_or_a_file_and_must_be_long(monkeypatch, tmp_path, sandbox, capsys):
    for name, value in {"DATABASE_URL": sandbox.urls["links"], "REDIS_URL": sandbox.redis_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://snip.test")
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n")
    monkeypatch.setenv("API_TOKEN_FILE", str(secret))
    assert links.create_app().config["API_TOKEN"] == TOKEN
    monkeypatch.delenv("API_TOKEN_FILE")
    monkeypatch.setenv("API_TOKEN", "short")
    with pytest.raises(ConfigError) as error:
        links.create_app()
    assert error.value.problems == ["API_TOKEN: must be at least 32 characters; make one with: openssl rand -hex 32"]
    monkeypatch.delenv("API_TOKEN")
    capsys.readouterr()
    links.create_app()
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(e["message"].startswith("API_TOKEN is not set") and e["level"] == "WARNING" for e in logged)
