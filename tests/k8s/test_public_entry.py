"""What faces the internet, per overlay: the Ingress routes web's pages and short links
only (the APIs are for web, inside the cluster), takes requests and responses whole
before a pod sees them, names its IngressClass, serves HTTPS outside dev (where web's
session cookie travels over HTTPS only), and only the controller's and Prometheus's
namespaces get past the network policies."""

from __future__ import annotations

import pytest
import yaml

import web
from snipdev.kube import render
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


def setting(objects: list[dict], name: str, app: str = "web") -> str | None:
    """The value ``app``'s container gets for ``name``, from its env or its ConfigMaps."""
    app_container = container(find(objects, "Deployment", app), app)
    for variable in app_container.get("env", []):
        if variable["name"] == name:
            return variable.get("value")
    for source in app_container.get("envFrom", []):
        if "configMapRef" not in source:
            continue
        config = find(objects, "ConfigMap", source["configMapRef"]["name"])
        if name in config.get("data", {}):
            return config["data"][name]
    return None


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_the_session_cookie_is_secure_outside_dev(rendered, overlay):
    assert setting(rendered[overlay], "SESSION_COOKIE_SECURE") == "true"


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_ingress_names_its_class(rendered, overlay):
    # Without one, only a controller marked as the cluster's default serves it, and
    # kind's ingress-nginx (like most installs) is not marked.
    for ing in ingresses(rendered[overlay]):
        assert ing["spec"].get("ingressClassName") == "nginx", ing["metadata"]["name"]


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_https_outside_dev_covers_the_public_host(rendered, overlay):
    objects = rendered[overlay]
    public = setting(objects, "PUBLIC_BASE_URL", app="links")
    assert public.startswith("https://")
    for ing in ingresses(objects):
        tls = ing["spec"].get("tls", [])
        covered = {host for entry in tls for host in entry["hosts"]}
        assert {rule["host"] for rule in ing["spec"]["rules"]} <= covered
        assert public.removeprefix("https://") in covered
        assert all(entry.get("secretName") == "snip-tls" for entry in tls)


def namespace_peers(objects: list[dict]) -> dict[str, set[str]]:
    """Namespace name -> the apps whose policies let that namespace in."""
    peers: dict[str, set[str]] = {}
    for policy in (o for o in objects if o["kind"] == "NetworkPolicy"):
        app = policy["spec"]["podSelector"].get("matchLabels", {}).get("app")
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                name = peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                if name and app:
                    peers.setdefault(name, set()).add(app)
    return peers


def patched_namespace(overlay: str, patch: str) -> str:
    """The namespace an overlay's peers-*.yaml names (its replace operation's value)."""
    operations = yaml.safe_load((render.OVERLAYS / overlay / patch).read_text())
    return next(op["value"] for op in operations if op["op"] == "replace")


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_from_outside_the_suite_only_the_controller_and_prometheus_get_in(rendered, overlay):
    controller = patched_namespace(overlay, "peers-ingress-controller.yaml")
    monitoring = patched_namespace(overlay, "peers-monitoring.yaml")
    assert namespace_peers(rendered[overlay]) == {
        # The Ingress's two backends, no API (test_the_public_entry_serves_web_and_short_links_only).
        controller: {"web", "redirect"},
        monitoring: {"web", "links", "redirect", "stats-api", "stats-worker"},
    }
