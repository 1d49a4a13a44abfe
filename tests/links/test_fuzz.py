"""Requests generated from the OpenAPI document, valid and malformed, never get a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode

import links
from links.openapi import DOCUMENT

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=40, deterministic=True
)


@pytest.fixture(scope="module")
def fuzz_app(links_config):
    return links.create_app(links_config)


@schema.parametrize()
def test_no_request_gets_a_server_error(case, fuzz_app, fuzz):
    fuzz(case, fuzz_app, "links")
