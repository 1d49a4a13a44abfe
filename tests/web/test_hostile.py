"""web's forms, query parameters and paths, fed the inputs that once made links answer
500 (see the ``hostile`` strategies), which web showed as "links is not answering":
every one now gets a page that is not a 5xx, against the real links and stats APIs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stats
import web

from .conftest import SECRET

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def client(sandbox, serve, links_url):
    stats_url = serve(stats.create_app({"DATABASE_URL": sandbox.urls["stats"]}))
    return web.create_app({"LINKS_URL": links_url, "STATS_URL": stats_url, "SECRET_KEY": SECRET}).test_client()


@pytest.fixture(scope="module")
def sent(tally):
    return lambda: tally("web: hostile requests (Hypothesis)")


@given(data=st.data())
def test_the_shorten_form(client, hostile, no_5xx, sent, data):
    token = _TOKEN.search(client.get("/").get_data(as_text=True)).group(1)
    fields = {"url": data.draw(hostile.url), "code": data.draw(hostile.text), "expires_at": data.draw(hostile.when)}
    form = "&".join(f"{name}={hostile.in_url(value)}" for name, value in {"csrf_token": token, **fields}.items())
    sent()
    no_5xx(client.post("/links", data=form, content_type="application/x-www-form-urlencoded"), json_errors=False)


@given(data=st.data())
def test_query_parameters_and_paths(client, hostile, no_5xx, sent, data):
    value = hostile.in_url(data.draw(hostile.text))
    path = data.draw(st.sampled_from([f"/?cursor={value}", f"/links/{value}", f"/links/abc?range={value}"]))
    sent()
    no_5xx(client.get(path), json_errors=False)
