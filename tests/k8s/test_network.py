"""The network policies let through every connection the suite's settings make, DNS
and the ingress controller's traffic, and each of those is shown to be caught when
dropped. (Default deny drops everything else.)"""

from __future__ import annotations

import pytest

from snipdev.kube import network
from snipdev.kube.render import find

#: Admin processes that have REDIS_URL only because their service's create_app requires
#: it: `db upgrade` and `links seed-demo` never open Redis, so the policies rightly give
#: them no way there.
NEVER_OPEN_REDIS = {"links-db-upgrade", "stats-db-upgrade", "redirect-db-upgrade", "links-seed-demo"}
#: Connections made without a *_URL setting: the backup's libpq variables (PGHOST).
LIBPQ_FLOWS = {network.Flow("backup", "postgres", 5432)}


def configured_not_used(flow: network.Flow) -> bool:
    return flow.source in NEVER_OPEN_REDIS and flow.service == "redis"


@pytest.fixture(scope="module")
def flows(rendered):
    """The connections the dev overlay's settings make: all its Secrets are rendered."""
    return {flow for flow in network.needed_flows(rendered["dev"]) if not configured_not_used(flow)} | LIBPQ_FLOWS


def test_the_flows_are_the_architectures(flows):
    assert {(f.source, f.service) for f in flows} == {
        ("web", "links"),
        ("web", "stats-api"),
        *((app, store) for app in ("links", "redirect", "stats-worker") for store in ("postgres", "redis")),
        # stats-api reads PostgreSQL only: it is given no Redis settings, and may not reach it.
        ("stats-api", "postgres"),
        *((f"{service}-db-upgrade", "postgres") for service in ("links", "stats", "redirect")),
        ("links-purge", "postgres"),
        ("links-purge", "redis"),
        ("stats-purge", "postgres"),
        ("links-seed-demo", "postgres"),
        ("stats-seed-demo", "postgres"),
        ("backup", "postgres"),
        ("toolbox", "postgres"),
        ("toolbox", "redis"),
    }


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_policies_let_every_needed_flow_through(rendered, flows, overlay):
    assert any(o["kind"] == "NetworkPolicy" for o in rendered[overlay])
    assert network.dropped(rendered[overlay], flows) == []


def ingress_peers(objects: list[dict], policy: str) -> list[dict]:
    return find(objects, "NetworkPolicy", policy)["spec"]["ingress"][0]["from"]


MISTAKES = [
    (
        "store missing from a service's egress",
        lambda o: find(o, "NetworkPolicy", "links")["spec"]["egress"].pop(),
        "links -> redis:6379: dropped by the egress policies of links",
    ),
    (
        "client missing from a store's ingress",
        lambda o: ingress_peers(o, "postgres").pop(0),
        "links -> postgres:5432: dropped by the ingress policies of postgres",
    ),
    (
        "policy port that is no container port",
        lambda o: find(o, "NetworkPolicy", "links")["spec"]["ingress"][0]["ports"][0].update(port="web"),
        "web -> links:8080: dropped by the ingress policies of links",
    ),
    (
        "admin processes shut out of PostgreSQL",
        lambda o: ingress_peers(o, "postgres").pop(),
        "backup -> postgres:5432: dropped by the ingress policies of postgres",
    ),
    (
        "no Redis for links' purge",
        lambda o: o.remove(find(o, "NetworkPolicy", "admin-redis")),
        "links-purge -> redis:6379: dropped by the egress policies of links-purge",
    ),
    (
        "no DNS",
        lambda o: o.remove(find(o, "NetworkPolicy", "allow-dns")),
        "web -> cluster DNS: dropped by the egress policies of web",
    ),
    (
        "ingress controller shut out",
        lambda o: ingress_peers(o, "redirect").pop(1),
        "ingress controller -> redirect (/r/): dropped by the ingress policies of redirect",
    ),
]


@pytest.mark.parametrize(("mistake", "change", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_dropped_flow_is_caught(broken, flows, mistake, change, expected):
    objects = broken("prod")
    change(objects)
    assert expected in network.dropped(objects, flows)
