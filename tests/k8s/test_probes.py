"""Readiness probes wait as long as /readyz may take: it checks each backing service in
turn, each bounded by its client's timeout. A probe that gives up sooner marks a pod
unready exactly when a backing service is merely slow."""

from __future__ import annotations

import pytest

from snipdev.kube.policy import servers
from snipkit import cache, db


def default(settings, name: str) -> float:
    return next(s for s in settings if s.name == name).default


#: The longest /readyz of a service using PostgreSQL and Redis: a new connection to each.
LONGEST_READYZ_S = default(db.SETTINGS, "DB_CONNECT_TIMEOUT_S") + default(cache.SETTINGS, "REDIS_TIMEOUT_S")


def short_probes(objects: list[dict]) -> list[str]:
    problems = []
    for obj, _pod, c in servers(objects):
        names = {e["name"] for e in c.get("env", [])}
        if "DATABASE_URL" not in names and "DATABASE_URL_FILE" not in names:
            continue
        probe = c.get("readinessProbe", {})
        timeout = probe.get("timeoutSeconds", 1)
        if timeout <= LONGEST_READYZ_S:
            problems.append(
                f"{obj['metadata']['name']}: readiness times out after {timeout} s, /readyz may take "
                f"{LONGEST_READYZ_S} s"
            )
    return problems


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_readiness_waits_for_the_slowest_readyz(rendered, overlay):
    assert short_probes(rendered[overlay]) == []


def test_the_default_timeout_is_caught(broken):
    objects = broken("dev")
    links = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "links")
    links["spec"]["template"]["spec"]["containers"][0]["readinessProbe"].pop("timeoutSeconds")
    assert short_probes(objects) == [f"links: readiness times out after 1 s, /readyz may take {LONGEST_READYZ_S} s"]
