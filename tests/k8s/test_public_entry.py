"""What faces the internet, per overlay: the Ingress routes web's pages and short links
only (the APIs are for web, inside the cluster), takes requests and responses whole
before a pod sees them, and web's session cookie travels over HTTPS only outside dev."""

from __future__ import annotations

import pytest

import web
from snipdev.kube.render import container, find

from .conftest import OVERLAYS

BUFFERING = {
    "nginx.ingress.kubernetes.io/proxy-request-buffering": "on",
    "nginx.ingress.kubernetes.io/proxy-buffering": "on",
    "nginx.ingress.kubernetes.io/proxy-body-size": "16k",
}


def ingresses(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["kind"] == "Ingress"]


def routed_to(objects: list[dict], path: str) -> str | None:
    """The Service a request for ``path`` reaches: the longest Prefix path that matches."""
    matching = [
        (len(p["path"]), p["backend"]["service"]["name"])
        for ing in ingresses(objects)
        for rule in ing["spec"]["rules"]
        for p in rule["http"]["paths"]
        if path.startswith(p["path"])
    ]
    return max(matching)[1] if matching else None


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_public_entry_serves_web_and_short_links_only(rendered, overlay):
    backends = {
        p["backend"]["service"]["name"]
        for ing in ingresses(rendered[overlay])
        for rule in ing["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert backends == {"web", "redirect"}


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_an_anonymous_delete_through_the_public_entry_is_refused(rendered, overlay):
    # It reaches web, which has no API (and refuses a form without its CSRF token first):
    # links' DELETE is never on the internet.
    assert routed_to(rendered[overlay], "/api/links/abc") == "web"
    assert routed_to(rendered[overlay], "/r/abc") == "redirect"
    app = web.create_app({"LINKS_URL": "http://links:8080", "STATS_URL": "http://stats:8080", "SECRET_KEY": "s" * 32})
    assert app.test_client().delete("/api/links/abc").status_code in (400, 404, 405)


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
