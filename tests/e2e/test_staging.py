"""Staging's shape on a real cluster: the pgbouncer sidecar, the network policies and the
monitoring objects (with the Prometheus Operator's CRDs), credentials made by the
commands docs/kubernetes.md gives, then the click path through the Services."""

from __future__ import annotations

import pytest

from e2ekit import crds, deploy, secrets, skaffold

ROLLOUT_S = 420
CLICKS = 5


@pytest.fixture(scope="module")
def monitoring_crds(kube):
    kube.apply(crds.monitoring_crds())
    for crd in crds.MONITORING_CRDS:
        kube.run("wait", "--for=condition=Established", f"crd/{crd}.monitoring.coreos.com", "--timeout=60s")


@pytest.fixture(scope="module")
def staging(kube, deployer, images, run_id, monitoring_crds):
    deployed = deployer(
        deploy.render("staging", run_id, images), before=lambda d: secrets.create_by_hand(kube, d.namespace)
    )
    kube.wait_for("the staging overlay rolled out", lambda: deploy.progress(kube, deployed.namespace), ROLLOUT_S)
    return deployed


def test_staging_rolls_out_and_serves_the_click_path(staging, client_in):
    client_in(staging.namespace).click_path(CLICKS)


def test_redirect_reaches_postgres_through_its_pgbouncer_sidecar(kube, staging):
    pods = kube.get("pods", staging.namespace, selector="app=redirect")
    assert pods
    for pod in pods:
        sidecar = next(s for s in pod["status"]["initContainerStatuses"] if s["name"] == "pgbouncer")
        assert sidecar["started"] and sidecar["ready"], sidecar
        assert sidecar["restartCount"] == 0, f"pgbouncer restarted {sidecar['restartCount']} times"


def test_the_monitoring_objects_are_admitted(kube, staging):
    assert kube.get("servicemonitors", staging.namespace)
    assert kube.get("prometheusrules", staging.namespace)


def test_a_sidecar_listening_on_loopback_only_never_passes_its_probes(kube, deployer, images, run_id, monitoring_crds):
    """The check above, on a deliberately broken copy: PgBouncer on 127.0.0.1 (as the
    component once had it), where the kubelet's probes, sent to the pod IP, cannot reach it."""
    broken = deploy.render("staging", f"{run_id}-b", images)
    sidecar = next(
        c
        for c in broken.named("Deployment", "redirect")["spec"]["template"]["spec"]["initContainers"]
        if c["name"] == "pgbouncer"
    )
    next(e for e in sidecar["env"] if e["name"] == "LISTEN_ADDR")["value"] = "127.0.0.1"
    deployer(broken, before=lambda d: secrets.create_by_hand(kube, d.namespace))

    def restarted() -> tuple[bool, str]:
        statuses = [
            s
            for p in kube.get("pods", broken.namespace, selector="app=redirect")
            for s in p["status"].get("initContainerStatuses", [])
            if s["name"] == "pgbouncer"
        ]
        return any(s["restartCount"] > 0 for s in statuses), str(statuses)

    try:
        kube.wait_for("the kubelet restarting the unreachable sidecar", restarted, ROLLOUT_S)
        assert not any(
            p["status"].get("containerStatuses", [{}])[0].get("ready")
            for p in kube.get("pods", broken.namespace, selector="app=redirect")
        )
    finally:
        # Its CPU requests are the node's: the next test's pods must find room.
        deploy.delete(kube, f"{run_id}-b", broken)


def test_skaffold_verify_runs_its_smoke_test_in_the_namespace(kube, staging):
    assert "smoke test passed" in skaffold.run_verify(kube, staging.namespace)
