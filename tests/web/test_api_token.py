"""web holds links' token (LINKS_API_TOKEN) and sends it with its writes: a form creates
and deletes, while the same writes sent to links without it are refused."""

from __future__ import annotations

import re

import pytest
import requests

import links
import web

from .conftest import SECRET

TOKEN = "a-token-web-and-links-share-0123456789"
_TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def guarded_links_url(links_config, serve):
    return serve(links.create_app({**links_config, "API_TOKEN": TOKEN}))


def form_token(client, path: str) -> str:
    return _TOKEN_FIELD.search(client.get(path).get_data(as_text=True)).group(1)


def test_web_writes_with_the_token_and_nobody_else_can(guarded_links_url, stats_double):
    client = web.create_app(
        {"LINKS_URL": guarded_links_url, "STATS_URL": stats_double.url, "SECRET_KEY": SECRET, "LINKS_API_TOKEN": TOKEN}
    ).test_client()
    made = client.post("/links", data={"csrf_token": form_token(client, "/"), "url": "https://token.example/"})
    assert made.status_code == 303
    code = made.headers["Location"].rsplit("/", 1)[1]
    anonymous = requests.delete(f"{guarded_links_url}/api/links/{code}", timeout=5)
    assert anonymous.status_code == 401
    page = f"/links/{code}"
    deleted = client.post(f"{page}/delete", data={"csrf_token": form_token(client, page)})
    assert deleted.status_code == 303
    assert requests.get(f"{guarded_links_url}/api/links/{code}", timeout=5).status_code == 404
    refused = requests.post(f"{guarded_links_url}/api/links", json={"url": "https://x.example/"}, timeout=5)
    assert refused.status_code == 401
