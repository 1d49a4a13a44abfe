"""PostgreSQL's max_connections, against every connection the suite can open at each
overlay's largest size: each pod's pools (or its PgBouncer's) at the autoscalers'
maximums, the admin Jobs, and what PostgreSQL keeps for its superuser."""

from __future__ import annotations

import pytest

from snipdev.kube.render import container, find
from snipkit import db

#: PostgreSQL's default, when the server is given no -c max_connections.
DEFAULT_MAX_CONNECTIONS = 100
#: superuser_reserved_connections' default.
RESERVED = 3
#: The one-off and scheduled admin Jobs (three migrations, two purges, the backup) at once.
ADMIN_JOBS = 6
POOL = next(s for s in db.SETTINGS if s.name == "DB_POOL_SIZE").default


def env(c: dict, name: str, default=None):
    return next((e["value"] for e in c.get("env", []) if e["name"] == name and "value" in e), default)


def most_pods(objects: list[dict], name: str) -> int:
    hpa = next((o for o in objects if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == name), None)
    return hpa["spec"]["maxReplicas"] if hpa else find(objects, "Deployment", name)["spec"].get("replicas", 1)


def connections_of(objects: list[dict], name: str) -> int:
    """Server connections one Deployment can hold at its largest."""
    spec = find(objects, "Deployment", name)["spec"]["template"]["spec"]
    bouncer = next((c for c in spec.get("initContainers", []) if c["name"] == "pgbouncer"), None)
    if bouncer:
        per_pod = int(env(bouncer, "DEFAULT_POOL_SIZE"))
    else:
        app = container(find(objects, "Deployment", name), name)
        workers = 1 if name == "stats-worker" else int(env(app, "WEB_CONCURRENCY"))
        per_pod = workers * int(env(app, "DB_POOL_SIZE", POOL))
    return per_pod * most_pods(objects, name)


def max_connections(objects: list[dict]) -> int:
    args = container(find(objects, "StatefulSet", "postgres"), "postgres").get("args", [])
    values = [a.split("=", 1)[1] for a in args if a.startswith("max_connections=")]
    return int(values[-1]) if values else DEFAULT_MAX_CONNECTIONS


def needed(objects: list[dict]) -> int:
    users = ["links", "redirect", "stats-api", "stats-worker"]
    return sum(connections_of(objects, name) for name in users) + ADMIN_JOBS + RESERVED


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_postgres_takes_every_connection_at_the_largest_scale(rendered, overlay):
    assert needed(rendered[overlay]) <= max_connections(rendered[overlay])


def test_prod_at_postgres_default_would_run_out(broken):
    """The check above, on a broken copy: prod's PostgreSQL at its default maximum."""
    objects = broken("prod")
    container(find(objects, "StatefulSet", "postgres"), "postgres").pop("args")
    assert needed(objects) > max_connections(objects) == DEFAULT_MAX_CONNECTIONS
