"""The manifests against the services' code: probe and Ingress paths are routes, and
every command a container runs is one the image has, for every service of services/."""

from __future__ import annotations

import pytest

from snipdev import ROOT, database
from snipdev.kube import apps
from snipdev.kube.render import container, find, image_name
from snipdev.services import services

PACKAGES = services()


def check_all(objects: list[dict], package: str) -> list[str]:
    try:
        return [
            *apps.probe_paths(objects, package),
            *apps.ingress_paths(objects, package),
            *apps.commands(objects, package),
        ]
    except apps.NotInstalled:
        pytest.fail(f"package {package} is not installed: scripts/bootstrap.sh installs every services/*")


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_manifests_match_the_code(rendered, overlay, package):
    assert check_all(rendered[overlay], package) == []


@pytest.mark.parametrize("service", database.SCHEMA_OWNERS)
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_schema_owner_has_a_role_and_a_migration_job(rendered, overlay, service):
    """A service whose package ships migrations gets its role from provision.sh and its
    `db upgrade` Job on every deploy (admin-jobs/db-upgrade.yaml)."""
    provision = (ROOT / "k8s" / "postgres" / "provision.sh").read_text()
    assert f"{service.upper()}_DB_PASSWORD" in provision, f"provision.sh makes no role for {service}"
    jobs = {o["metadata"]["name"]: o for o in rendered[overlay] if o["kind"] == "Job"}
    assert f"{service}-db-upgrade" in jobs, f"no Job {service}-db-upgrade runs {service}'s migrations"
    assert container(jobs[f"{service}-db-upgrade"], "db-upgrade")["command"][:3] == [service, "db", "upgrade"]


def test_every_image_runs_its_own_package(rendered):
    running = {
        (image_name(c["image"]), apps.package_of(c))
        for _obj, _pod, c in apps.app_containers(rendered["prod"])
        if c["command"] != apps.IDLE
    }
    assert running == {(package, package) for package in PACKAGES}


def links_container(objects: list[dict]) -> dict:
    return container(find(objects, "Deployment", "links"), "links")


def migration(objects: list[dict]) -> dict:
    return container(find(objects, "Job", "links-db-upgrade"), "db-upgrade")


# (what is broken, how, the problem expected); links is the service on every branch.
MISTAKES = [
    (
        "probe path that is no route",
        lambda o: links_container(o)["readinessProbe"]["httpGet"].update(path="/ready"),
        "Deployment/links container links: readinessProbe path /ready is no route of links",
    ),
    (
        "Ingress path the backend does not serve",
        lambda o: find(o, "Ingress", "snip")["spec"]["rules"][0]["http"]["paths"].append(
            {
                "path": "/links",
                "pathType": "Prefix",
                "backend": {"service": {"name": "links", "port": {"name": "http"}}},
            }
        ),
        "Ingress/snip: /links reaches links, which has no route under it",
    ),
    (
        "sub-command the CLI does not have",
        lambda o: migration(o).update(command=["links", "db", "migrate"]),
        "Job/links-db-upgrade container db-upgrade: `links db migrate` is not a command of links",
    ),
    (
        "schema wait with a sub-command the CLI does not have",
        lambda o: container(find(o, "Deployment", "links"), "wait-for-schema").update(
            command=["links", "db", "await", "--timeout", "300"]
        ),
        "Deployment/links container wait-for-schema: `links db await` is not a command of links",
    ),
    (
        "console script of another image",
        lambda o: migration(o).update(command=["flask", "db", "upgrade"]),
        "Job/links-db-upgrade container db-upgrade: flask is no console script of links",
    ),
    (
        "image of another service",
        lambda o: container(find(o, "Deployment", "redirect"), "redirect").update(image="links:v0.1.0"),
        "Deployment/redirect container redirect: gunicorn app module redirect.wsgi does not exist in links",
    ),
    (
        "gunicorn app module that does not exist",
        lambda o: links_container(o)["command"].__setitem__(-1, "links.app:app"),
        "Deployment/links container links: gunicorn app module links.app does not exist in links",
    ),
]


@pytest.mark.parametrize(("mistake", "change", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_check_catches_its_mistake(broken, mistake, change, expected):
    objects = broken("prod")
    change(objects)
    assert expected in check_all(objects, "links")
