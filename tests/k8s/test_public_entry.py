"""What faces the internet, per overlay: the Ingress takes requests and responses whole
before a pod sees them, and web's session cookie travels over HTTPS only outside dev."""

from __future__ import annotations

import pytest

from snipdev.kube.render import container, find

from .conftest import OVERLAYS

BUFFERING = {
    "nginx.ingress.kubernetes.io/proxy-request-buffering": "on",
    "nginx.ingress.kubernetes.io/proxy-buffering": "on",
    "nginx.ingress.kubernetes.io/proxy-body-size": "16k",
}


def ingresses(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["kind"] == "Ingress"]


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_ingress_takes_requests_and_responses_whole(rendered, overlay):
    for ing in ingresses(rendered[overlay]):
        annotations = ing["metadata"].get("annotations", {})
        assert {name: annotations.get(name) for name in BUFFERING} == BUFFERING, ing["metadata"]["name"]


def web_setting(objects: list[dict], name: str) -> str | None:
    """The value web's container gets for ``name``, from its env or its ConfigMaps."""
    web_container = container(find(objects, "Deployment", "web"), "web")
    for variable in web_container.get("env", []):
        if variable["name"] == name:
            return variable.get("value")
    for source in web_container.get("envFrom", []):
        config = find(objects, "ConfigMap", source["configMapRef"]["name"])
        if name in config.get("data", {}):
            return config["data"][name]
    return None


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_the_session_cookie_is_secure_outside_dev(rendered, overlay):
    assert web_setting(rendered[overlay], "SESSION_COOKIE_SECURE") == "true"
