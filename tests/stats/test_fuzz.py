"""Requests generated from the stats OpenAPI document, valid and malformed, never get a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode

import stats
from stats.openapi import DOCUMENT

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=40, deterministic=True
)


@pytest.fixture(scope="module")
def fuzz_app(sandbox):
    return stats.create_app({"DATABASE_URL": sandbox.urls["stats"]})


@pytest.fixture(scope="module")
def sent(figure):
    count = {"requests": 0}
    yield count
    figure("stats-api: schemathesis requests", count["requests"])


@schema.parametrize()
def test_no_request_gets_a_server_error(case, fuzz_app, sent):
    sent["requests"] += 1
    response = case.call(app=fuzz_app)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"
    if response.status_code >= 400:
        assert response.json()["error"]["code"], "every error answers the JSON error shape"
