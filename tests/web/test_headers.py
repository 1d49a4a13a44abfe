"""Every web response tells the browser to keep web's pages to themselves: no framing,
no script, no guessed types, no page address sent to the sites links point to."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/links/no-such-link", "/livez", "/static/snip.css"])
def test_every_response_carries_the_browser_protections(client, path):
    with client.get(path) as response:  # a static file is streamed: closing it closes the file
        headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_pages_need_nothing_the_policy_forbids(client):
    # No inline script or style, nothing from another origin: what the policy blocks.
    page = client.get("/").get_data(as_text=True)
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert 'href="/static/snip.css"' in page
