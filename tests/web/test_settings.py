"""web refuses to start without its settings, and with a guessable SECRET_KEY."""

from __future__ import annotations

import pytest

import web
from snipkit import ConfigError


def test_every_missing_setting_is_named(monkeypatch):
    for name in ("LINKS_URL", "STATS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    with pytest.raises(ConfigError) as error:
        web.create_app()
    assert [problem.split(":")[0] for problem in error.value.problems] == ["LINKS_URL", "STATS_URL", "SECRET_KEY"]


def test_a_short_secret_key_is_refused_without_echoing_it(monkeypatch):
    monkeypatch.setenv("LINKS_URL", "http://links:8080")
    monkeypatch.setenv("STATS_URL", "http://stats-api:8080")
    monkeypatch.setenv("SECRET_KEY", "hunter2")
    with pytest.raises(ConfigError) as error:
        web.create_app()
    (problem,) = error.value.problems
    assert problem.startswith("SECRET_KEY: must be at least 32 characters") and "hunter2" not in problem


def test_the_session_cookie_is_httponly_lax_and_secure_when_asked(make_app):
    cookie = make_app(SESSION_COOKIE_SECURE=True).test_client().get("/").headers["Set-Cookie"]
    assert cookie.startswith("snip_session=")
    assert {"HttpOnly", "Secure", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}
    assert "Secure" not in make_app().test_client().get("/").headers["Set-Cookie"]
