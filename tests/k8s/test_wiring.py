"""References between objects that the API server accepts and that fail only at run
time, each shown to catch the mistake it guards against."""

from __future__ import annotations

import base64

import pytest

from snipdev.kube import wiring
from snipdev.kube.render import container, find

from .conftest import OVERLAYS

#: The port snipkit.gunicorn_conf binds when PORT is unset.
DEFAULT_PORT = 8080


def check_all(objects: list[dict], overlay: str) -> list[str]:
    return [
        *wiring.services(objects),
        *wiring.ingresses(objects),
        *wiring.urls(objects),
        *wiring.references(objects, OVERLAYS[overlay]["external_secrets"]),
        *wiring.bound_ports(objects, DEFAULT_PORT),
        *wiring.image_versions(objects),
    ]


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_overlay_is_wired(rendered, overlay):
    assert check_all(rendered[overlay], overlay) == []


def test_the_default_port_is_the_gunicorn_configs():
    from snipkit import gunicorn_conf

    assert next(s.default for s in gunicorn_conf.SETTINGS if s.name == "PORT") == DEFAULT_PORT


def generated(objects: list[dict], kind: str, prefix: str) -> dict:
    """A generated ConfigMap or Secret, whose name ends in a content hash."""
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"].startswith(prefix + "-"))


def web_config(objects: list[dict]) -> dict:
    return generated(objects, "ConfigMap", "web-config")["data"]


def named(items: list[dict], name: str, field: str = "name") -> dict:
    return next(item for item in items if item[field] == name)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def links_container(objects: list[dict]) -> dict:
    return container(find(objects, "Deployment", "links"), "links")


# (what is broken, overlay, how, the problem expected)
MISTAKES = [
    (
        "migration Job on another version than its service",
        "prod",
        lambda o: container(find(o, "Job", "links-db-upgrade"), "db-upgrade").update(image="links:v0.0.9"),
        "image links runs at 2 versions: links:v0.0.9 in Job/links-db-upgrade container db-upgrade; links:v0.1.0 in",
    ),
    (
        "backup with another pg_dump than the server's",
        "prod",
        lambda o: container(find(o, "CronJob", "backup"), "backup").update(image="postgres:15-bookworm"),
        "image postgres runs at 2 versions: postgres:15-bookworm in CronJob/backup container backup; "
        "postgres:16.11-bookworm in Deployment/toolbox container postgres, StatefulSet/postgres container postgres",
    ),
    (
        "Service selector with a typo",
        "dev",
        lambda o: find(o, "Service", "links")["spec"].update(selector={"app": "link"}),
        "Service/links: selector {'app': 'link'} matches no pod template",
    ),
    (
        "targetPort name nobody declares",
        "dev",
        lambda o: find(o, "Service", "links")["spec"]["ports"][0].update(targetPort="web"),
        "Service/links: targetPort web is not a declared container port",
    ),
    (
        "Ingress to a Service that does not exist",
        "prod",
        lambda o: named(find(o, "Ingress", "snip")["spec"]["rules"][0]["http"]["paths"], "/r/", "path")["backend"][
            "service"
        ].update(name="redirects"),
        "Ingress/snip: /r/ goes to missing Service redirects",
    ),
    (
        "URL of a Service that does not exist",
        "dev",
        lambda o: web_config(o).update(STATS_URL="http://stats:8080"),
        "Deployment/web container web: STATS_URL names host stats, which is no Service of the overlay",
    ),
    (
        "URL on a port the Service does not expose",
        "dev",
        lambda o: web_config(o).update(LINKS_URL="http://links:8000"),
        "Deployment/web container web: LINKS_URL uses port 8000, which Service links does not expose",
    ),
    (
        "database URL in a dev Secret naming the wrong host",
        "dev",
        lambda o: generated(o, "Secret", "redirect-db")["data"].update(url=b64("postgresql://redirect:x@pg:5432/snip")),
        "Deployment/redirect container redirect: DATABASE_URL names host pg, which is no Service of the overlay",
    ),
    (
        "database URL file in a dev Secret naming the wrong port",
        "dev",
        lambda o: generated(o, "Secret", "links-db")["data"].update(url=b64("postgresql://links:x@postgres:5433/snip")),
        "Deployment/links container links: DATABASE_URL uses port 5433, which Service postgres does not expose",
    ),
    (
        "settings file on no mounted volume",
        "prod",
        lambda o: named(links_container(o)["env"], "DATABASE_URL_FILE").update(value="/etc/snip/url"),
        "Deployment/links container links: DATABASE_URL_FILE names /etc/snip/url, which is on no mounted volume",
    ),
    (
        "loopback URL with no sidecar listening",
        "staging",
        lambda o: container(find(o, "Deployment", "redirect"), "pgbouncer")["ports"][0].update(containerPort=6543),
        "Deployment/redirect container redirect: DATABASE_URL points at localhost:6432, "
        "which no container of the pod declares",
    ),
    (
        "ConfigMap nobody generates",
        "dev",
        lambda o: links_container(o)["envFrom"].append({"configMapRef": {"name": "links-settings"}}),
        "Deployment/links container links: ConfigMap links-settings does not exist in the overlay",
    ),
    (
        "Secret key that is not there",
        "dev",
        lambda o: named(container(find(o, "Deployment", "web"), "web")["env"], "SECRET_KEY")["valueFrom"][
            "secretKeyRef"
        ].update(key="secret_key"),
        "has no key secret_key",
    ),
    (
        "Secret that is neither generated nor created by hand",
        "prod",
        lambda o: named(find(o, "Deployment", "links")["spec"]["template"]["spec"]["volumes"], "database")[
            "secret"
        ].update(secretName="links-database"),
        "Deployment/links volume database: Secret links-database does not exist in the overlay",
    ),
    (
        "PORT that is not the container port",
        "prod",
        lambda o: named(links_container(o)["env"], "PORT").update(value="8000"),
        "Deployment/links container links: binds port 8000 but its container port named http is [8080]",
    ),
    (
        "gunicorn bound elsewhere on the command line",
        "prod",
        lambda o: links_container(o)["command"].insert(1, "--bind=0.0.0.0:8000"),
        "Deployment/links container links: gunicorn does not run with -c python:snipkit.gunicorn_conf alone",
    ),
]


@pytest.mark.parametrize(("mistake", "overlay", "change", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_check_catches_its_mistake(broken, mistake, overlay, change, expected):
    objects = broken(overlay)
    change(objects)
    problems = check_all(objects, overlay)
    assert any(expected in p for p in problems), problems
