"""Skaffold itself on a real cluster, as docs/local-cluster.md and docs/kubernetes.md have
users run it: `skaffold build` pushing to the cluster's registry, `skaffold run` and
`skaffold verify` on the dev overlay, `skaffold dev` syncing an edited file into the
running pod and rebuilding on a dependency change, and `skaffold run -p staging` with
VERSION. Skaffold's namespaces are the overlays' own (snip-dev, snip-staging): the module
refuses to start while either exists, and removes both at its end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import UTC, datetime

import pytest

from e2ekit import crds, deploy, secrets, skaffold
from e2ekit.kube import ROOT

REGISTRY = os.environ.get("E2E_REGISTRY", "localhost:5001")
IMAGES = ("links", "redirect", "stats", "web")
NAMESPACES = ("snip-dev", "snip-staging")
#: Bounds stated for a 2-core machine building with podman: a cold build of the four
#: images takes about 6 minutes, a rollout of the dev overlay about 3.
BUILD_S = 1800
ROLLOUT_S = 600
#: An edited Python file served by the running pod: Skaffold notices it (it polls every
#: second), copies it in, and gunicorn --reload restarts its workers.
SYNC_S = 30
#: A pyproject.toml change: one image rebuilt, the migration Job run again, the pods rolled.
REBUILD_S = 900


@pytest.fixture(scope="module")
def docker_api(run_id):
    api = skaffold.DockerAPI.start(deploy.WORKDIR / run_id / "docker.sock")
    yield api
    api.stop()


@pytest.fixture(scope="module")
def sk(kube, docker_api, run_id):
    if skaffold.binary() is None:
        pytest.fail("no skaffold: `scripts/cluster/build.sh tools` builds it from its Go module")
    for namespace in NAMESPACES:
        if kube.run("get", "namespace", namespace, "--ignore-not-found", "-o", "name").strip():
            pytest.fail(f"namespace {namespace} exists: another Skaffold deploy uses it (`skaffold delete` it first)")
    tool = skaffold.Skaffold(kube, skaffold.workspace(deploy.WORKDIR / f"{run_id}-skaffold"), docker_api.env)
    yield tool
    for profile in ([], ["-p", "staging"]):
        subprocess.run([skaffold.binary(), "delete", *profile], cwd=tool.workspace, env=tool.environ(), timeout=300)
    for namespace in NAMESPACES:
        kube.run("delete", "namespace", namespace, "--ignore-not-found", "--wait=true", timeout=300)


def registry_has(repository: str, digest: str) -> bool:
    request = urllib.request.Request(
        f"http://{REGISTRY}/v2/{repository}/manifests/{digest}",
        method="HEAD",
        headers={
            "Accept": "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own registry
        return response.status == 200


def suite_images(kube, namespace: str) -> dict[str, set[str]]:
    """Deployment -> the images of its containers that are the suite's own."""
    found = {}
    for d in kube.get("deployments", namespace):
        spec = d["spec"]["template"]["spec"]
        found[d["metadata"]["name"]] = {
            c["image"] for c in spec["containers"] + spec.get("initContainers", []) if c["image"].startswith(REGISTRY)
        }
    return found


@pytest.fixture(scope="module")
def built(sk):
    """`skaffold build`: every image built and pushed; what it wrote to --file-output."""
    # Outside the workspace: an untracked file would make the gitCommit tags "-dirty".
    output = sk.workspace.with_name(f"{sk.workspace.name}-build.json")
    started = time.monotonic()
    # --push: on kind, Skaffold would otherwise load the images into the nodes instead. The
    # artifact cache stays on: `skaffold run` then deploys these very digests (podman's
    # builds are not reproducible, a rebuild would give others).
    build = ("build", f"--default-repo={REGISTRY}", "--push", f"--file-output={output}")
    sk.run(*build, timeout=BUILD_S)
    print(f"\ne2e figures skaffold: build_s={time.monotonic() - started:.0f}")
    return {b["imageName"]: b["tag"] for b in json.loads(output.read_text())["builds"]}


def test_skaffold_build_pushes_every_image_to_the_registry(built):
    assert sorted(built) == sorted(IMAGES)
    for name, reference in built.items():
        repository, digest = reference.split("@")[0].rsplit(":", 1)[0], reference.split("@")[1]
        assert repository == f"{REGISTRY}/{name}"
        assert registry_has(name, digest), f"{reference} is not in the registry"


@pytest.fixture(scope="module")
def dev_run(sk, kube, built):
    started = time.monotonic()
    sk.run("run", f"--default-repo={REGISTRY}", timeout=BUILD_S)
    kube.wait_for("skaffold run's dev overlay rolled out", lambda: deploy.progress(kube, "snip-dev"), ROLLOUT_S)
    print(f"\ne2e figures skaffold: run_ready_s={time.monotonic() - started:.0f}")


def test_skaffold_run_deploys_the_dev_overlay_with_what_it_built(kube, dev_run, built):
    for name, images in suite_images(kube, "snip-dev").items():
        assert images and images <= set(built.values()), (name, images)
    upgrades = [j for j in kube.get("jobs", "snip-dev") if j["metadata"]["name"].endswith("-db-upgrade")]
    assert len(upgrades) == 3 and all(j["status"].get("succeeded") == 1 for j in upgrades)


def test_skaffold_verify_passes_in_the_dev_namespace(sk, dev_run):
    assert "smoke test passed" in sk.run("verify", f"--default-repo={REGISTRY}", timeout=300)


def links_pods(kube) -> dict[str, int]:
    """The links pods serving now (name -> restarts of the app container)."""
    return {
        p["metadata"]["name"]: next(s["restartCount"] for s in p["status"]["containerStatuses"] if s["name"] == "links")
        for p in kube.get("pods", "snip-dev", selector="app=links")
        if "deletionTimestamp" not in p["metadata"] and p["status"]["phase"] == "Running"
    }


def served(kube, pod: str, path: str) -> str:
    """What links answers on ``path``, asked from inside its pod."""
    url = f"http://127.0.0.1:8080{path}"
    code = f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=5).read().decode())"
    return kube.run("-n", "snip-dev", "exec", pod, "-c", "links", "--", "python", "-c", code, check=False)


def namespace_exists(kube, name: str) -> bool:
    return bool(kube.run("get", "namespace", name, "--ignore-not-found", "-o", "name").strip())


def wait_log(log, text: str, timeout_s: float, since: int = 0) -> int:
    """Wait until skaffold's log has ``text`` after offset ``since``; its offset."""
    deadline = time.monotonic() + timeout_s
    while (at := log.read_text().find(text, since)) < 0:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"skaffold dev did not print {text!r} within {timeout_s:.0f} s:\n{log.read_text()[-3000:]}"
            )
        time.sleep(1)
    return at


def test_skaffold_dev_syncs_code_rebuilds_on_a_dependency_and_cleans_up(sk, kube, dev_run, run_id):
    # From nothing, as a user starts the day: on top of `skaffold run`'s deploy, dev's
    # run-id labels would roll every pod at once, twice the CPU requests of one deploy.
    sk.run("delete", timeout=300)
    kube.wait_for("skaffold delete removing snip-dev", lambda: (not namespace_exists(kube, "snip-dev"), ""), 300)
    log = deploy.WORKDIR / f"{run_id}-skaffold-dev.log"
    dev = sk.start("dev", f"--default-repo={REGISTRY}", "--port-forward=off", log=log)
    try:
        watching = wait_log(log, "Watching for changes...", BUILD_S)
        kube.wait_for("skaffold dev's deploy rolled out", lambda: deploy.progress(kube, "snip-dev"), ROLLOUT_S)
        before = links_pods(kube)

        # An edited Python file of a service: synced into the running pod, no rebuild.
        token = f"synced-{run_id}"
        api = sk.workspace / "services" / "links" / "links" / "api.py"
        api.write_text(
            api.read_text() + f'\n\n@bp.get("/e2e-sync")\ndef e2e_sync():\n    return {{"token": "{token}"}}\n'
        )
        edited = time.monotonic()
        pod = next(iter(before))
        kube.wait_for(
            "the edit served", lambda: (token in (seen := served(kube, pod, "/api/links/e2e-sync")), seen), SYNC_S, 0.5
        )
        sync_s = time.monotonic() - edited
        print(f"\ne2e figures skaffold-dev: sync_s={sync_s:.1f}")
        assert links_pods(kube) == before, "the same pods serve the change, not restarted"
        after_sync = log.read_text()[watching:]
        assert "Syncing 1 files for" in after_sync and "Building [" not in after_sync, after_sync

        # A dependency change: the image rebuilt, the migration Job re-run with it, the pods rolled.
        changed = datetime.now(UTC)
        mark = len(log.read_text())
        pyproject = sk.workspace / "services" / "links" / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.1"'))
        wait_log(log, "Building [links]...", 60, since=mark)
        wait_log(log, "Watching for changes...", REBUILD_S, since=mark)
        kube.wait_for("the rebuilt links rolled out", lambda: deploy.progress(kube, "snip-dev"), ROLLOUT_S)
        job = kube.get("jobs", "snip-dev", "links-db-upgrade")[0]
        image = job["spec"]["template"]["spec"]["containers"][0]["image"]
        assert datetime.fromisoformat(job["metadata"]["creationTimestamp"]) >= changed.replace(microsecond=0)
        assert job["status"].get("succeeded") == 1
        assert suite_images(kube, "snip-dev")["links"] == {image}, "links runs the image its migration ran"
        assert not set(links_pods(kube)) & set(before), "every links pod replaced"
    finally:
        # Ctrl-C, as in a terminal: Skaffold deletes what it deployed, the namespace included.
        os.killpg(dev.pid, signal.SIGINT)
        dev.wait(timeout=300)
    kube.wait_for("Ctrl-C removing snip-dev", lambda: (not namespace_exists(kube, "snip-dev"), ""), 300)


@pytest.fixture(scope="module")
def staging_run(sk, kube, run_id):
    """`VERSION=... skaffold run -p staging`, after what docs/kubernetes.md has users do
    first: the namespace, the Secrets; and the Prometheus Operator's CRDs."""
    kube.apply(crds.monitoring_crds())
    for crd in crds.MONITORING_CRDS:
        kube.run("wait", "--for=condition=Established", f"crd/{crd}.monitoring.coreos.com", "--timeout=60s")
    kube.run("apply", "-f", str(ROOT / "kustomize" / "overlays" / "staging" / "namespace.yaml"))
    secrets.create_by_hand(kube, "snip-staging")
    version = f"v0.0.0-{run_id}"
    sk.run("run", "-p", "staging", f"--default-repo={REGISTRY}", timeout=BUILD_S, VERSION=version)
    kube.wait_for("staging rolled out", lambda: deploy.progress(kube, "snip-staging"), ROLLOUT_S)
    return version


def test_skaffold_run_staging_tags_pushes_and_deploys_the_version(kube, staging_run):
    images = suite_images(kube, "snip-staging")
    assert {"links", "redirect", "stats-api", "stats-worker", "web"} <= set(images)
    for name, references in images.items():
        assert references, name
        for reference in references:
            tagged, digest = reference.split("@")
            repository, tag = tagged.rsplit(":", 1)
            # The toolbox runs every service's image; the others their own.
            assert repository in {f"{REGISTRY}/{image}" for image in IMAGES} and tag == staging_run, (name, reference)
            assert digest.startswith("sha256:") and registry_has(repository.split("/", 1)[1], digest)
    redirect = kube.get("deployments", "snip-staging", "redirect")[0]["spec"]["template"]["spec"]
    assert any(c["name"] == "pgbouncer" for c in redirect["initContainers"]), "staging's shape: the sidecar"


def test_skaffold_verify_passes_in_the_staging_namespace(sk, staging_run):
    assert "smoke test passed" in sk.run("verify", "-p", "staging", f"--default-repo={REGISTRY}", timeout=300)
