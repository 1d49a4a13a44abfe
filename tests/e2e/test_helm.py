"""The Helm chart `make chart` generates from the released prod overlay: its render with
the default values is the overlay's render, but for what Helm itself needs
(scripts/snipdev/snipdev/kube/chart.py says each). Needs only the helm binary
(`scripts/cluster/build.sh tools`), not the cluster: it runs with the e2e tests because
CI builds that binary beside the cluster's."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from e2ekit import crds, deploy, helm, secrets
from e2ekit.incluster import Client
from e2ekit.kube import MAKE_CLUSTER_KUBECONFIG, ROOT
from e2ekit.load import Load

from .conftest import push_images

IMAGES = ("links", "redirect", "stats", "web")
DIGESTS = {name: "sha256:" + hashlib.sha256(name.encode()).hexdigest() for name in IMAGES}
NAMESPACE = "snip-prod"
REGISTRY = os.environ.get("E2E_REGISTRY", "localhost:5001")
#: make cluster's: its registry speaks plain HTTP, which skopeo is told here.
REGISTRIES_CONF = MAKE_CLUSTER_KUBECONFIG.parent / "registries.conf"


@pytest.fixture(scope="module")
def chart(tmp_path_factory):
    if helm.binary() is None:
        pytest.fail("no helm: `scripts/cluster/build.sh tools` builds it from its Go module")
    where = tmp_path_factory.mktemp("chart", numbered=True)
    render = helm.pinned_render(where / "release", DIGESTS)
    return render, helm.generate(render, "v1.2.3", where / "snip")


def objects(text: str) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(text) if o}


def what_helm_changes(render: dict[tuple[str, str], dict]) -> dict[tuple[str, str], dict]:
    """The overlay's render as the chart should install it, written out apart from the
    generator: no Namespaces (Helm installs into one), cluster-wide names prefixed with
    the release's namespace, a migration Job per revision, the backups' claim kept."""
    expected = {}
    for (kind, name), obj in render.items():
        if kind == "Namespace":
            continue
        if kind in ("ClusterRole", "ClusterRoleBinding"):
            name = obj["metadata"]["name"] = f"{NAMESPACE}-{name}"
            if kind == "ClusterRoleBinding":
                obj["roleRef"]["name"] = f"{NAMESPACE}-{obj['roleRef']['name']}"
        if kind == "Job":
            name = obj["metadata"]["name"] = f"{name}-1"
        if kind == "PersistentVolumeClaim":
            obj["metadata"].setdefault("annotations", {})["helm.sh/resource-policy"] = "keep"
        expected[(kind, name)] = obj
    return expected


def test_the_charts_default_render_is_the_overlays_render(chart):
    render, folder = chart
    rendered = objects(helm.run("template", "snip", str(folder), "--namespace", NAMESPACE, "--skip-tests"))
    expected = what_helm_changes(objects(render.read_text()))
    assert sorted(rendered) == sorted(expected)
    for key, obj in expected.items():
        assert rendered[key] == obj, key


def test_the_charts_images_are_the_release_digests(chart):
    _, folder = chart
    rendered = helm.run("template", "snip", str(folder), "--namespace", NAMESPACE)
    for name, digest in DIGESTS.items():
        assert f"image: registry.example/snip/{name}@{digest}\n" in rendered, name


def test_helm_test_runs_the_smoke_test(chart):
    _, folder = chart
    hooks = objects(helm.run("template", "snip", str(folder), "--namespace", NAMESPACE)).values()
    tests = [o for o in hooks if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    assert [(t["kind"], t["metadata"]["name"]) for t in tests] == [("Pod", "smoke-test")]
    assert tests[0]["spec"]["containers"][0]["command"] == ["sh", "/opt/smoke-test/smoke.sh"]
    # Gone once passed, so that helm uninstall leaves no pod; kept when failed, to read.
    assert tests[0]["metadata"]["annotations"]["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"


def test_another_host_reaches_the_ingress_and_links_short_urls(chart):
    _, folder = chart
    args = ("template", "snip", str(folder), "--namespace", "shop", "--set", "host=snip.test")
    rendered = objects(helm.run(*args))
    ingress = rendered[("Ingress", "snip")]
    assert [r["host"] for r in ingress["spec"]["rules"]] == ["snip.test"]
    config = next(o for (kind, name), o in rendered.items() if kind == "ConfigMap" and name.startswith("links-config-"))
    assert "https://snip.test" in yaml.safe_dump(config["data"])
    links = rendered[("Deployment", "links")]
    assert config["metadata"]["name"] in yaml.safe_dump(links), "links' pods roll onto the new ConfigMap"
    assert {o["metadata"].get("namespace") for o in rendered.values()} == {"shop", "snip-logging", None}
    assert "snip-prod" not in helm.run(*args), "every reference to the namespace follows the release's"


# On the cluster: `make chart` for two versions, then install, upgrade, history, rollback,
# test and uninstall, as docs/kubernetes.md has users do.

#: Bounds for a 2-core node: prod's rollout, the migrations included.
ROLLOUT_S = 600
#: Requests a second of the load kept up through the upgrade and the rollback.
LOAD_RATE = 10
#: The share of the nodes' unrequested CPU for prod's requests (tests/e2e/test_prod.py
#: scales them alike): the rest is for a rollout's surge pods, and others' workloads.
CPU_SHARE = 0.4


def free_cpu(kube) -> int:
    """Millicores of the nodes' allocatable CPU that no running pod requests."""
    allocatable = sum(deploy.millicores(n["status"]["allocatable"]["cpu"]) for n in kube.json("get", "nodes")["items"])
    requested = 0
    for pod in kube.json("get", "pods", "--all-namespaces")["items"]:
        if pod["status"].get("phase") in ("Succeeded", "Failed") or not pod["spec"].get("nodeName"):
            continue
        spec = pod["spec"]
        for c in spec["containers"] + [c for c in spec.get("initContainers", []) if c.get("restartPolicy") == "Always"]:
            requested += deploy.millicores(c.get("resources", {}).get("requests", {}).get("cpu", "0"))
    return allocatable - requested


def make_chart(version: str, env: dict[str, str]) -> tuple[Path, Path]:
    """`make chart VERSION=...`: the packaged chart and the release render it came from."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "chart.sh")],
        env=env | {"VERSION": version},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise AssertionError(f"make chart VERSION={version}: {done.stderr[-3000:]}")
    package = ROOT / done.stdout.split()[-1]
    render = package.parent / f"snip-{version}.yaml"
    return package, render


def second_version(first: str, second: str, env: dict[str, str]) -> None:
    """Tag ``second``: the images of ``first`` in Docker's manifest format (podman pushes
    OCI's), so every digest differs and an upgrade rolls every pod, as a release's does.
    A rebuild would not do: podman's layer cache returns the same image for a new
    version label."""
    conf = ("--registries-conf", env["CONTAINERS_REGISTRIES_CONF"]) if "CONTAINERS_REGISTRIES_CONF" in env else ()
    for image in IMAGES:
        source, target = (f"docker://{env['REGISTRY']}/{image}:{tag}" for tag in (first, second))
        subprocess.run(["skopeo", *conf, "copy", "--format", "v2s2", source, target], check=True, capture_output=True)


def fitted_chart(render: Path, version: str, where: Path, budget: int) -> Path:
    """make chart's chart for this node: the same release render, CPU requests scaled to
    ``budget`` millicores by one factor (replicas, limits and all else prod's own)."""
    objects = [o for o in yaml.safe_load_all(render.read_text()) if o]
    factor = deploy.fit_cpu_requests(deploy.Deployed("prod", objects, {}), budget)
    print(f"e2e: the chart's CPU requests scaled by {factor:.2f} to fit {budget} m")
    fitted = where / f"fitted-{version}.yaml"
    fitted.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return helm.generate(fitted, version, where / f"snip-{version}")


@pytest.fixture(scope="module")
def release(kube, run_id, tmp_path_factory):
    """Two versions of the suite, pushed and packaged; the namespaces the release uses,
    made as for kubectl apply -k; the release uninstalled and the namespaces removed after."""
    env = {**os.environ, "REGISTRY": f"{REGISTRY}/snip", "KUBECONFIG": str(kube.kubeconfig)}
    if REGISTRIES_CONF.is_file():
        env["CONTAINERS_REGISTRIES_CONF"] = str(REGISTRIES_CONF)
    where = tmp_path_factory.mktemp("helm")
    budget = int(free_cpu(kube) * CPU_SHARE)
    charts = []
    first, second = f"v0.1.0-{run_id}", f"v0.2.0-{run_id}"
    push_images(first)
    second_version(first, second, env)
    for version in (first, second):
        package, render = make_chart(version, env)
        assert package.is_file(), package
        charts.append(fitted_chart(render, version, where, budget))
    namespace, logging = f"{run_id}-helm", f"{run_id}-helm-logging"
    kube.apply(crds.monitoring_crds())
    for obj in yaml.safe_load_all(render.read_text()):
        if obj and obj["kind"] == "Namespace":
            obj["metadata"]["name"] = {"snip-prod": namespace, "snip-logging": logging}[obj["metadata"]["name"]]
            kube.apply([obj])
    secrets.create_by_hand(kube, namespace)
    env = {**env, "HELM_NAMESPACE": namespace}
    made = {"charts": charts, "namespace": namespace, "logging": logging, "env": env}
    made["before"] = everything_in(kube, made)
    yield made
    helm.run("uninstall", "snip", "--ignore-not-found", "--wait", env=env)
    for ns in (namespace, logging):
        kube.run("delete", "namespace", ns, "--ignore-not-found", "--wait=true", timeout=300)


#: What `helm uninstall` leaves (docs/kubernetes.md, Deploying with Helm): the data.
KEPT = {("PersistentVolumeClaim", n) for n in ("backups", "data-postgres-0", "data-redis-0")}
KINDS = "all,configmaps,secrets,persistentvolumeclaims,ingresses,networkpolicies,serviceaccounts,roles,rolebindings"


def everything_in(kube, release) -> set[tuple[str, str]]:
    return {
        (o["kind"], o["metadata"]["name"])
        for ns in (release["namespace"], release["logging"])
        for o in kube.json("get", KINDS, "-n", ns)["items"]
    }


def served_images(kube, namespace: str) -> set[str]:
    return {
        c["image"]
        for d in kube.get("deployments", namespace)
        for c in d["spec"]["template"]["spec"]["containers"]
        if c["image"].startswith(REGISTRY)
    }


def chart_name(chart: Path) -> str:
    """How helm history names a chart: its name and version (Chart.yaml)."""
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    return f"{meta['name']}-{meta['version']}"


def chart_images(chart: Path) -> set[str]:
    text = "".join(p.read_text() for p in (chart / "templates").glob("deployment-*.yaml"))
    return {line.split("image: ", 1)[1] for line in text.splitlines() if f"image: {REGISTRY}" in line}


def rolled_out(kube, release, step: str) -> float:
    started = time.monotonic()
    kube.wait_for(f"helm {step} rolled out", lambda: deploy.progress(kube, release["namespace"]), ROLLOUT_S)
    took = time.monotonic() - started
    print(f"e2e figures helm: {step}_rollout_s={took:.0f}")
    return took


def test_helm_install_upgrade_history_rollback_test_uninstall(kube, release):
    env, namespace = release["env"], release["namespace"]
    first, second = release["charts"]
    # Resources are watched by the test (deploy.progress): the logging agent's image has
    # no stand-in on make cluster, and Helm's --wait would wait for its pods forever.
    install = ("--set", f"logging.namespace={release['logging']}", "--wait=hookOnly", "--timeout=10m")
    assert chart_images(first).isdisjoint(chart_images(second)), "the second version's digests are new"
    helm.run("install", "snip", str(first), *install, env=env)
    rolled_out(kube, release, "install")
    assert served_images(kube, namespace) == chart_images(first)
    assert all("@sha256:" in image for image in chart_images(first)), "images pinned by digest"

    # A steady load from inside the namespace through the upgrade and the rollback, every
    # request counted (as tests/e2e/test_scenarios.py does for a rolling update).
    client = Client(kube, namespace, next(i for i in chart_images(first) if "/links@" in i))
    plan = {"codes": client.run("api", "create", "8"), "requests": ["redirect", "links_read"]}
    with Load(client, plan, LOAD_RATE) as upgrade:
        helm.run("upgrade", "snip", str(second), "--reuse-values", "--wait=hookOnly", "--timeout=10m", env=env)
        rolled_out(kube, release, "upgrade")
    assert upgrade.result["failed"] == 0, upgrade.result["failures"]
    print(f"e2e figures helm: upgrade_requests={upgrade.result['requests']} failed={upgrade.result['failed']}")
    assert served_images(kube, namespace) == chart_images(second)
    jobs = {
        j["metadata"]["name"] for j in kube.get("jobs", namespace) if j["metadata"]["name"].endswith("-db-upgrade-2")
    }
    assert len(jobs) == 3, "the upgrade ran each service's migrations"

    history = json.loads(helm.run("history", "snip", "--output", "json", env=env))
    assert [(h["revision"], h["chart"]) for h in history] == [(1, chart_name(first)), (2, chart_name(second))]

    with Load(client, plan, LOAD_RATE) as rollback:
        helm.run("rollback", "snip", "1", "--wait=hookOnly", "--timeout=10m", env=env)
        rolled_out(kube, release, "rollback")
    client.close()
    assert rollback.result["failed"] == 0, rollback.result["failures"]
    print(f"e2e figures helm: rollback_requests={rollback.result['requests']} failed={rollback.result['failed']}")
    assert served_images(kube, namespace) == chart_images(first)
    assert [h["revision"] for h in json.loads(helm.run("history", "snip", "--output", "json", env=env))] == [1, 2, 3]

    assert "Succeeded" in helm.run("test", "snip", "--timeout=5m", env=env)

    helm.run("uninstall", "snip", "--wait", "--timeout=5m", env=env)

    # The pods go after their owners, each after its grace period (preStop pauses).
    def only_the_data() -> tuple[bool, str]:
        left = everything_in(kube, release) - release["before"]
        return left == KEPT, str(sorted(left))

    kube.wait_for("helm uninstall leaving only the data", only_the_data, 180)
