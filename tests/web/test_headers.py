"""Every web response tells the browser to keep web's pages to themselves: no framing,
no script or style but web's own files, no guessed types, no page address sent to the
sites links point to."""

from __future__ import annotations

import re

import pytest
import requests


@pytest.mark.parametrize("path", ["/", "/links/no-such-link", "/livez", "/static/snip.css"])
def test_every_response_carries_the_browser_protections(client, path):
    with client.get(path) as response:  # a static file is streamed: closing it closes the file
        headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["style-src"] == policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_pages_need_nothing_the_policy_forbids(client, links_url):
    # No inline script or style, nothing from another origin: what the policy blocks.
    code = requests.post(f"{links_url}/api/links", json={"url": "https://csp.example/"}, timeout=5).json()["code"]
    for path in ("/", f"/links/{code}"):
        page = client.get(path).get_data(as_text=True)
        assert "style=" not in page and "<style" not in page and "<script>" not in page
        assert re.findall(r"<script[^>]*>", page) == re.findall(r'<script src="/static/[\w.]+" defer>', page)
        assert 'href="/static/snip.css"' in page
