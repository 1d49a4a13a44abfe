"""Every parameter of the stats API, fed the inputs that once made a service answer 500
(see the ``hostile`` strategies): each is refused with a JSON 400, or answered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stats


@pytest.fixture(scope="module")
def client(sandbox):
    return stats.create_app({"DATABASE_URL": sandbox.urls["stats"]}).test_client()


@pytest.fixture(scope="module")
def sent(tally):
    return lambda: tally("stats-api: hostile requests (Hypothesis)")


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/stats", "codes"),
        ("/api/stats/top", "limit"),
        ("/api/stats/abc", "window"),
        ("/api/stats/abc", "granularity"),
    ],
)
@given(data=st.data())
def test_every_query_parameter(client, hostile, no_5xx, sent, path, parameter, data):
    sent()
    no_5xx(client.get(f"{path}?{parameter}={hostile.in_url(data.draw(hostile.text))}"))


@given(data=st.data())
def test_the_code_in_the_path(client, hostile, no_5xx, sent, data):
    sent()
    no_5xx(client.get(f"/api/stats/{hostile.in_url(data.draw(hostile.text))}"))
