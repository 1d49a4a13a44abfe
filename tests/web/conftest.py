"""web against a real links API (real PostgreSQL and Redis) and the stats double,
both over real HTTP: web's clients are exercised exactly as in production."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

import links
import web
from snipdev.embedded import free_port

SECRET = "test-secret-key-that-is-long-enough-0123456789"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def links_url(links_config, serve):
    """A links API on this run's database, served over HTTP for the whole run."""
    return serve(links.create_app(links_config))


@pytest.fixture
def down_url():
    """A URL where nothing listens: a dependency that is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def make_app(links_url, stats_double):
    """``make_app(LINKS_URL=..., STATS_URL=...)``: web with some dependency swapped."""

    def build(**overrides):
        settings = {"LINKS_URL": links_url, "STATS_URL": stats_double.url, "SECRET_KEY": SECRET}
        return web.create_app({**settings, **overrides})

    return build


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def uncached(make_app):
    """A visitor of a web that fetches the recent links for every visit (a row's test
    changes a link behind web's back and looks again at once)."""
    return make_app(RECENT_CACHE_S=0).test_client()


@pytest.fixture
def token():
    """``token(client, path)``: the CSRF token of the first form on the page at ``path``."""

    def read(client, path: str = "/") -> str:
        page = client.get(path)
        assert page.status_code == 200, page.get_data(as_text=True)
        return _TOKEN.search(page.get_data(as_text=True)).group(1)

    return read


@pytest.fixture
def new_link(links_url):
    """``new_link()``: a link made through the links API, behind web's back; its JSON."""

    def create() -> dict:
        body = {"url": f"https://new.example/{uuid.uuid4().hex}", "code": f"n{uuid.uuid4().hex[:10]}"}
        response = requests.post(f"{links_url}/api/links", json=body, timeout=5)
        assert response.status_code == 201, response.text
        return response.json()

    return create
