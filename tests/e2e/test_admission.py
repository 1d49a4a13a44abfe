"""The API server as the manifests' checker: every overlay passes a server-side dry run
(schema validation, strict about unknown fields, and every pod template within Pod
Security "restricted"), and it refuses each deliberately broken copy, naming the field.
Nothing runs: only the run's own namespaces are created, and removed at the end."""

from __future__ import annotations

import copy
import subprocess

import pytest
import yaml

from e2ekit import crds, deploy

OVERLAYS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def overlays(kube, run_id):
    """Each overlay rendered for namespaces of this module's own, which exist with their
    ServiceAccounts (a dry run is refused for a missing namespace, a pod's for a missing
    ServiceAccount, and for nothing else than what it checks)."""
    kube.apply(crds.monitoring_crds())
    run = f"{run_id}-admission"
    rendered = {name: deploy.render(name, run, {}) for name in OVERLAYS}
    try:
        for deployed in rendered.values():
            kube.apply([o for o in deployed.objects if o["kind"] == "Namespace"])
            kube.apply([o for o in deployed.objects if o["kind"] == "ServiceAccount"])
        yield rendered
    finally:
        for deployed in rendered.values():
            deploy.delete(kube, run, deployed)


def dry_run(kube, objects: list[dict]) -> subprocess.CompletedProcess:
    """A server-side apply that changes nothing, with its warnings (kubectl prints them
    on stderr, where Kube.apply drops them)."""
    return subprocess.run(
        [
            *(kube.kubectl, "--kubeconfig", str(kube.kubeconfig)),
            "apply",
            "--server-side",
            "--dry-run=server",
            "-f",
            "-",
        ],
        input=yaml.safe_dump_all(objects, sort_keys=False),
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_admitted_and_every_pod_template_is_restricted(kube, overlays, overlay):
    objects = [o for o in overlays[overlay].objects if o["kind"] not in ("Namespace", "ServiceAccount")]
    done = dry_run(kube, objects)
    assert done.returncode == 0, done.stderr
    # The namespaces warn on "restricted" too: a workload whose pods would be refused
    # is itself admitted, with this warning.
    assert "would violate PodSecurity" not in done.stderr, done.stderr


def links_pod(deployed: deploy.Deployed) -> dict:
    """The Pod that links' ReplicaSet would create: Pod Security admission judges pods."""
    template = copy.deepcopy(deployed.named("Deployment", "links")["spec"]["template"])
    metadata = {**template["metadata"], "name": "e2e-admission-links", "namespace": deployed.namespace}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]}


def app(pod: dict) -> dict:
    return next(c for c in pod["spec"]["containers"] if c["name"] == "links")


# (what is broken, how, what the API server's refusal names)
POD_MISTAKES = [
    ("root user", lambda p: p["spec"]["securityContext"].update(runAsUser=0), "runAsUser=0"),
    ("runAsNonRoot unset", lambda p: p["spec"]["securityContext"].pop("runAsNonRoot"),
     "securityContext.runAsNonRoot=true"),
    ("privilege escalation", lambda p: app(p)["securityContext"].pop("allowPrivilegeEscalation"),
     "securityContext.allowPrivilegeEscalation=false"),
    # With allowPrivilegeEscalation true too: privileged with it false is invalid, before Pod Security.
    ("privileged", lambda p: app(p)["securityContext"].update(privileged=True, allowPrivilegeEscalation=True),
     "securityContext.privileged=true"),
    ("capabilities kept", lambda p: app(p)["securityContext"].pop("capabilities"), "securityContext.capabilities.drop"),
    ("capability added", lambda p: app(p)["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
     "securityContext.capabilities.add"),
    ("no seccomp profile", lambda p: p["spec"]["securityContext"].pop("seccompProfile"),
     "securityContext.seccompProfile"),
    ("hostPath volume", lambda p: p["spec"]["volumes"].append({"name": "host", "hostPath": {"path": "/"}}),
     'restricted volume type "hostPath"'),
    ("host network", lambda p: p["spec"].update(hostNetwork=True), "hostNetwork=true"),
    ("mount of an undeclared volume", lambda p: app(p)["volumeMounts"].append({"name": "nope", "mountPath": "/x"}),
     'name: Not found: "nope"'),
]  # fmt: skip


def test_the_unbroken_pod_is_admitted(kube, overlays):
    done = dry_run(kube, [links_pod(overlays["prod"])])
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("mistake", "change", "field"), POD_MISTAKES, ids=[m[0] for m in POD_MISTAKES])
def test_each_broken_pod_is_refused_naming_the_field(kube, overlays, mistake, change, field):
    pod = links_pod(overlays["prod"])
    change(pod)
    done = dry_run(kube, [pod])
    assert done.returncode != 0, f"{mistake}: admitted"
    assert field in done.stderr, done.stderr


def test_an_unknown_field_and_an_unknown_api_version_are_refused(kube, overlays):
    links = overlays["prod"].named("Deployment", "links")
    typo = copy.deepcopy(links)
    typo["spec"]["selecter"] = typo["spec"]["selector"]
    done = dry_run(kube, [typo])
    assert done.returncode != 0 and "selecter" in done.stderr, done.stderr
    done = dry_run(kube, [{**links, "apiVersion": "apps/v2"}])
    assert done.returncode != 0 and "apps/v2" in done.stderr, done.stderr
