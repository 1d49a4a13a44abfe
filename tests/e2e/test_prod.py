"""The prod overlay on a real cluster: every object admitted in its namespaces, every pod
of the suite Ready, the click path served; the logging agent where its image can run."""

from __future__ import annotations

import pytest

from e2ekit import crds, deploy, secrets, skaffold

ROLLOUT_S = 600
CLICKS = 5
#: Prod's CPU requests add up to several cores. On a cluster with less to give, each is
#: scaled down by one factor to fit this share of the nodes' allocatable CPU; replicas,
#: limits, probes, policies and everything else are prod's own.
CPU_SHARE = 0.6


@pytest.fixture(scope="module")
def prod(kube, deployer, images, run_id):
    kube.apply(crds.monitoring_crds())
    deployed = deploy.render("prod", run_id, images)
    allocatable = sum(deploy.millicores(n["status"]["allocatable"]["cpu"]) for n in kube.json("get", "nodes")["items"])
    factor = deploy.fit_cpu_requests(deployed, int(allocatable * CPU_SHARE))
    print(f"e2e: prod's CPU requests scaled by {factor:.2f} to fit {allocatable} m of allocatable CPU")
    deployer(deployed, before=lambda d: (secrets.create_by_hand(kube, d.namespace), elasticsearch_secret(kube, d)))
    kube.wait_for("the prod overlay rolled out", lambda: deploy.progress(kube, deployed.namespace), ROLLOUT_S)
    return deployed


def elasticsearch_secret(kube, deployed) -> None:
    """The logging agent's Secret, of the shape components/logging/README.md has users make
    (no Elasticsearch runs here: the agent starts, and has nowhere to ship)."""
    kube.apply(
        [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "elasticsearch", "namespace": deployed.namespaces["snip-logging"]},
                "stringData": {"username": "snip-logs", "password": "e2e-unused", "ca.crt": ""},
            }
        ]
    )


def test_prod_rolls_out_and_serves_the_click_path(prod, client_in):
    client_in(prod.namespace).click_path(CLICKS)


def test_every_prod_workload_runs_its_replicas(kube, prod):
    for d in kube.get("deployments", prod.namespace):
        want = d["spec"].get("replicas", 1)
        assert d["status"].get("readyReplicas", 0) == want, (d["metadata"]["name"], d["status"])


def test_the_logging_agent_runs_where_its_image_can(kube, prod):
    namespace = prod.namespaces["snip-logging"]
    agent = kube.get("daemonsets", namespace, "fluent-bit")[0]
    assert agent["status"]["desiredNumberScheduled"] >= 1, "the DaemonSet was admitted but schedules nothing"
    pods = kube.get("pods", namespace, selector="app=fluent-bit")
    waiting = {
        s.get("state", {}).get("waiting", {}).get("reason")
        for p in pods
        for s in p["status"].get("containerStatuses", [])
    }
    if waiting & {"ErrImagePull", "ImagePullBackOff"}:
        image = agent["spec"]["template"]["spec"]["containers"][0]["image"]
        pytest.skip(f"admitted, not run: no registry this cluster reaches serves {image}")

    def started() -> tuple[bool, str]:
        statuses = [
            s
            for p in kube.get("pods", namespace, selector="app=fluent-bit")
            for s in p["status"].get("containerStatuses", [])
        ]
        return bool(statuses) and all(s.get("started") for s in statuses), str(statuses)

    # Started, not Ready: its health check fails while it has no Elasticsearch to ship to.
    kube.wait_for("the logging agent started", started, ROLLOUT_S)


def test_skaffold_verify_runs_its_smoke_test_in_the_namespace(kube, prod):
    assert "smoke test passed" in skaffold.run_verify(kube, prod.namespace)
