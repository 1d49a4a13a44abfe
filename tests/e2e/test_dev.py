"""The dev overlay on a real cluster: it rolls out, serves the click path, survives the
re-deploy every `skaffold dev` rebuild makes, and its namespace enforces Pod Security."""

from __future__ import annotations

import pytest

from e2ekit import deploy, skaffold

#: Bounds stated for a 2-core machine pulling from a local registry; a cloud cluster's
#: first image pull can take longer, so they are generous.
ROLLOUT_S = 420
CLICKS = 5


@pytest.fixture(scope="module")
def dev(kube, deployer, images, run_id):
    deployed = deployer(deploy.render("dev", run_id, images))
    kube.wait_for("the dev overlay rolled out", lambda: deploy.progress(kube, deployed.namespace), ROLLOUT_S)
    return deployed


def test_dev_overlay_rolls_out_and_serves_the_click_path(dev, client_in):
    client_in(dev.namespace).click_path(CLICKS)


def test_pod_security_rejects_a_privileged_pod(kube, dev):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "e2e-privileged", "namespace": dev.namespace},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.35", "securityContext": {"privileged": True}}]},
    }
    with pytest.raises(Exception, match='violates PodSecurity "restricted'):
        kube.apply([pod], "--dry-run=server")


def test_a_redeploy_with_rebuilt_images_succeeds_and_reruns_the_migrations(kube, deployer, dev, rebuilt_images, run_id):
    # What every `skaffold dev` rebuild does: its deploy hooks, then the same overlay with
    # every image under a new tag.
    again = deploy.render("dev", run_id, rebuilt_images)
    # Without the hooks, the API server refuses the finished Jobs' new pod template.
    with pytest.raises(Exception, match="field is immutable"):
        kube.apply(again.objects, "--dry-run=server")
    skaffold.run_deploy_hooks(kube, dev.namespace)
    kube.apply(again.objects)
    kube.wait_for("the re-deploy rolled out", lambda: deploy.progress(kube, dev.namespace), ROLLOUT_S)

    for d in kube.get("deployments", dev.namespace):
        name = d["metadata"]["name"]
        if d["spec"].get("replicas", 1) == 0:
            continue  # the toolbox, scaled up only for `kubectl exec`
        pods = kube.get("pods", dev.namespace, selector=f"app={name}")
        serving = [p for p in pods if p["status"]["phase"] == "Running" and "deletionTimestamp" not in p["metadata"]]
        running = {c["image"] for p in serving for c in p["spec"]["containers"]}
        assert running and running <= set(rebuilt_images.values()) | third_party(running), (name, running)
    upgrades = [j for j in kube.get("jobs", dev.namespace) if j["metadata"]["name"].endswith("db-upgrade")]
    assert upgrades, "no migration Job after the re-deploy"
    for job in upgrades:
        image = job["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image in rebuilt_images.values(), f"{job['metadata']['name']} ran {image}, not the new image"
        assert job["status"].get("succeeded") == 1


def third_party(images: set[str]) -> set[str]:
    """Images that are not the suite's (a sidecar's), which a rebuild does not change."""
    return {i for i in images if "/snip/" not in i}


def test_skaffold_verify_runs_its_smoke_test_in_the_namespace(kube, dev):
    assert "smoke test passed" in skaffold.run_verify(kube, dev.namespace)


def test_the_vault_agent_component_is_admitted(kube, dev, images, run_id):
    """Vault need not run: the API server admits the Deployment the component renders
    (the injector would then add its agent)."""
    links = deploy.render("dev", run_id, images, components=("vault-agent",)).named("Deployment", "links")
    kube.apply([links], "--dry-run=server")

    # A broken copy, as the component once rendered it: the Secret's volume deleted, but
    # still mounted by the init container.
    init = links["spec"]["template"]["spec"]["initContainers"]
    wait = next(c for c in init if c["name"] == "wait-for-schema")
    wait["volumeMounts"].append({"name": "database", "mountPath": "/var/run/secrets/snip/database"})
    with pytest.raises(Exception, match=r"volumeMounts.*Not found"):
        kube.apply([links], "--dry-run=server")
