"""Rendered manifests, once per run: every overlay, and every component on the base.

``kubectl kustomize`` renders offline; each rendering is shared by all the tests, which
must not change it (the tests of broken copies take a deep copy first).
"""

from __future__ import annotations

import copy
import shutil

import pytest

from snipdev.kube import render

#: What each overlay is for: its namespace, and the Secrets created by hand there
#: (docs/kubernetes.md gives the commands; test_docs checks they are the same).
HAND_MADE_SECRETS = {"postgres", "links-db", "redirect-db", "stats-db", "web"}
OVERLAYS = {
    "dev": {"namespace": "snip-dev", "external_secrets": set()},
    "staging": {"namespace": "snip-staging", "external_secrets": HAND_MADE_SECRETS},
    # The logging agent's Elasticsearch credentials (components/logging/README.md).
    "prod": {"namespace": "snip-prod", "external_secrets": HAND_MADE_SECRETS | {"elasticsearch"}},
}


@pytest.fixture(scope="session", autouse=True)
def _kubectl():
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is not on PATH: it renders the kustomizations (kubectl kustomize works offline)")


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict]]:
    return {name: render.render(render.OVERLAYS / name) for name in render.overlays()}


@pytest.fixture(scope="session")
def rendered_components(tmp_path_factory) -> dict[str, list[dict]]:
    return {name: render.render_component(name, tmp_path_factory.mktemp(name)) for name in render.components()}


@pytest.fixture
def broken(rendered):
    """A private copy of an overlay's objects, to break on purpose."""
    return lambda overlay: copy.deepcopy(rendered[overlay])
