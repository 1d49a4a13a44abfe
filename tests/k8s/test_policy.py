"""The rules every overlay follows: checkov's, on every overlay and component, and the
suite's own (snipdev.kube.policy); each shown to catch the mistake it guards against,
by its check ID or field, on the object broken."""

from __future__ import annotations

import copy
import time

import pytest

from snipdev import ROOT
from snipdev.kube import checkov, policy, render
from snipdev.kube.render import container, find

from .conftest import OVERLAYS

AUTOSCALED = {"redirect", "web"}


def pod_spec(obj: dict) -> dict:
    return next(pod for _o, pod in render.workloads([obj]))["spec"]


# (what is broken, overlay, the object broken, how, the checkov check that catches it)
CHECKOV_MISTAKES = [
    ("writable root filesystem", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["securityContext"].update(readOnlyRootFilesystem=False), "CKV_K8S_22"),
    ("writable root filesystem for file sync in dev", "dev", ("Deployment", "links"),
     lambda o: container(o, "links")["securityContext"].update(readOnlyRootFilesystem=False), "CKV_K8S_22"),
    ("writable root filesystem in dev's copy step", "dev", ("Deployment", "links"),
     lambda o: container(o, "copy-source")["securityContext"].pop("readOnlyRootFilesystem"), "CKV_K8S_22"),
    ("no memory limit on dev's copy step", "dev", ("Deployment", "links"),
     lambda o: container(o, "copy-source")["resources"].pop("limits"), "CKV_K8S_13"),
    ("no CPU limit", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["resources"]["limits"].pop("cpu"), "CKV_K8S_11"),
    ("no memory limit", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["resources"]["limits"].pop("memory"), "CKV_K8S_13"),
    # A missing request beside a limit is the suite's own rule (policy.requests): checkov lets it pass.
    ("no requests and no limits", "prod", ("Deployment", "links"),
     lambda o: container(o, "links").pop("resources"), "CKV_K8S_10"),
    ("root user", "prod", ("Deployment", "links"),
     lambda o: pod_spec(o)["securityContext"].update(runAsUser=0), "CKV_K8S_40"),
    ("no seccomp profile", "prod", ("Deployment", "links"),
     lambda o: pod_spec(o)["securityContext"].pop("seccompProfile"), "CKV_K8S_31"),
    ("capabilities kept", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["securityContext"].pop("capabilities"), "CKV_K8S_37"),
    ("capability added", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["securityContext"]["capabilities"].update(add=["NET_ADMIN"]), "CKV_K8S_25"),
    ("privilege escalation", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["securityContext"].pop("allowPrivilegeEscalation"), "CKV_K8S_20"),
    ("privilege escalation in an init container", "prod", ("Deployment", "links"),
     lambda o: container(o, "wait-for-schema")["securityContext"].pop("allowPrivilegeEscalation"), "CKV_K8S_20"),
    ("privileged container", "prod", ("Deployment", "links"),
     lambda o: container(o, "links")["securityContext"].update(privileged=True), "CKV_K8S_16"),
    ("host network", "prod", ("Deployment", "links"), lambda o: pod_spec(o).update(hostNetwork=True), "CKV_K8S_19"),
    ("host PID namespace", "prod", ("Deployment", "links"), lambda o: pod_spec(o).update(hostPID=True), "CKV_K8S_17"),
    ("host IPC namespace", "prod", ("Deployment", "links"), lambda o: pod_spec(o).update(hostIPC=True), "CKV_K8S_18"),
    ("service account token mounted", "prod", ("Deployment", "links"),
     lambda o: pod_spec(o).pop("automountServiceAccountToken"), "CKV_K8S_38"),
    ("latest tag in prod", "prod", ("Deployment", "links"),
     lambda o: container(o, "links").update(image="links:latest"), "CKV_K8S_14"),
    ("untagged image in prod", "prod", ("Deployment", "links"),
     lambda o: container(o, "links").update(image="links"), "CKV_K8S_14"),
    ("no readiness probe", "prod", ("Deployment", "links"),
     lambda o: container(o, "links").pop("readinessProbe"), "CKV_K8S_9"),
    ("no liveness probe", "prod", ("Deployment", "links"),
     lambda o: container(o, "links").pop("livenessProbe"), "CKV_K8S_8"),
    ("the default namespace", "staging", ("Deployment", "links"),
     lambda o: o["metadata"].update(namespace="default"), "CKV_K8S_21"),
    ("CronJob with no memory limit", "prod", ("CronJob", "backup"),
     lambda o: container(o, "backup")["resources"]["limits"].pop("memory"), "CKV_K8S_13"),
]  # fmt: skip


def broken_variants(rendered: dict[str, list[dict]]) -> list[dict]:
    """One broken copy of its object per mistake, each under a name of its own."""
    variants = []
    for i, (_what, overlay, (kind, name), change, _check) in enumerate(CHECKOV_MISTAKES):
        obj = copy.deepcopy(find(rendered[overlay], kind, name))
        change(obj)
        obj["metadata"]["name"] = f"{name}-broken-{i}"
        variants.append(obj)
    return variants


def postgres_next() -> list[dict]:
    """The swap-database scenario's second server, in dev's namespace, as it applies it."""
    objects = render.render(ROOT / "scripts" / "scenarios" / "postgres-next")
    for obj in objects:
        obj["metadata"]["namespace"] = OVERLAYS["dev"]["namespace"]
    return objects


@pytest.fixture(scope="module")
def judged(rendered, rendered_components) -> tuple[dict, list[dict]]:
    """checkov's failures on every overlay, component and broken copy: one run."""
    variants = broken_variants(rendered)
    renderings = {
        **rendered,
        **{f"component-{name}": objects for name, objects in rendered_components.items()},
        "scenario-postgres-next": postgres_next(),
        "broken": variants,
    }
    started = time.monotonic()
    failed = checkov.failed(renderings)
    print(f"checkov judged {sum(map(len, renderings.values()))} objects in {time.monotonic() - started:.1f} s")
    return failed, variants


def accepted(label: str) -> set[str]:
    """Findings that are the rendering's, not the manifests': dev and the base leave the
    suite's images untagged (Skaffold and the overlays' `images:` tag them), and the base
    names no namespace (every overlay sets one)."""
    if label.startswith("component-"):
        return {"CKV_K8S_14", "CKV_K8S_21"}
    return {"CKV_K8S_14"} if label == "dev" else set()


def test_checkov_passes_every_overlay_and_component(judged):
    failed, _variants = judged
    unexpected = {key: checks - accepted(key[0]) for key, checks in failed.items() if key[0] != "broken"}
    assert {key: checks for key, checks in unexpected.items() if checks} == {}


@pytest.mark.parametrize("i", range(len(CHECKOV_MISTAKES)), ids=[m[0] for m in CHECKOV_MISTAKES])
def test_checkov_catches_each_mistake(judged, i):
    failed, variants = judged
    assert CHECKOV_MISTAKES[i][-1] in failed.get(("broken", checkov.resource_id(variants[i])), set())


def check_all(objects: list[dict], overlay: str) -> list[policy.Finding]:
    problems = [
        *policy.requests(objects),
        *policy.app_runtime(objects),
        *policy.namespaces(objects, OVERLAYS[overlay]["namespace"]),
        *policy.availability(objects, AUTOSCALED),
        *policy.admin_jobs(objects),
    ]
    return problems if overlay == "dev" else problems + policy.no_committed_secrets(objects)


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_overlay_follows_the_suites_rules(rendered, overlay):
    assert check_all(rendered[overlay], overlay) == []


def links(o: list[dict]) -> dict:
    return find(o, "Deployment", "links")


def cronjob(o: list[dict], name: str) -> dict:
    return find(o, "CronJob", name)["spec"]


def migration_pod(o: list[dict]) -> dict:
    return find(o, "Job", "links-db-upgrade")["spec"]["template"]["spec"]


def dev_secret_in_prod(o: list[dict]) -> None:
    secret = next(s for s in render.render(render.OVERLAYS / "dev") if s["kind"] == "Secret")
    o.append({**secret, "metadata": {**secret["metadata"], "name": "links-db", "namespace": "snip-prod"}})


# (what is broken, overlay, how, the object and field found at fault)
MISTAKES = [
    ("CronJob runs overlap", "prod", lambda o: cronjob(o, "backup").update(concurrencyPolicy="Allow"),
     ("CronJob.snip-prod.backup", "spec.concurrencyPolicy")),
    ("CronJob with no starting deadline", "prod", lambda o: cronjob(o, "links-purge").pop("startingDeadlineSeconds"),
     ("CronJob.snip-prod.links-purge", "spec.startingDeadlineSeconds")),
    ("CronJob keeping every finished Job", "prod",
     lambda o: cronjob(o, "stats-purge").pop("successfulJobsHistoryLimit"),
     ("CronJob.snip-prod.stats-purge", "spec.successfulJobsHistoryLimit")),
    ("CronJob's Job with no deadline", "prod",
     lambda o: cronjob(o, "backup")["jobTemplate"]["spec"].pop("activeDeadlineSeconds"),
     ("CronJob.snip-prod.backup", "spec.jobTemplate.spec.activeDeadlineSeconds")),
    ("Job that is never cleaned up", "prod",
     lambda o: find(o, "Job", "links-db-upgrade")["spec"].pop("ttlSecondsAfterFinished"),
     ("Job.snip-prod.links-db-upgrade", "spec.ttlSecondsAfterFinished")),
    ("Job retried forever", "dev", lambda o: find(o, "Job", "stats-seed-demo")["spec"].pop("backoffLimit"),
     ("Job.snip-dev.stats-seed-demo", "spec.backoffLimit")),
    ("Job with a sidecar that is no native sidecar", "prod",
     lambda o: migration_pod(o)["containers"].append(
         {**container(find(o, "Deployment", "redirect"), "pgbouncer"), "restartPolicy": None}
     ),
     ("Job.snip-prod.links-db-upgrade", "spec.template.spec.containers")),
    ("admin process with no scratch space", "prod",
     lambda o: container(find(o, "Deployment", "toolbox"), "links").update(volumeMounts=[]),
     ("Deployment.snip-prod.toolbox", "containers[links].volumeMounts[/tmp]")),
    ("a limit and no CPU request", "prod",
     lambda o: container(links(o), "links")["resources"]["requests"].pop("cpu"),
     ("Deployment.snip-prod.links", "containers[links].resources.requests.cpu")),
    ("no memory request on dev's copy step", "dev",
     lambda o: container(links(o), "copy-source")["resources"]["requests"].pop("memory"),
     ("Deployment.snip-dev.links", "containers[copy-source].resources.requests.memory")),
    ("readiness on the liveness path", "prod",
     lambda o: container(links(o), "links")["readinessProbe"]["httpGet"].update(path="/livez"),
     ("Deployment.snip-prod.links", "containers[links].readinessProbe.httpGet.path")),
    ("metrics directory on the read-only root", "prod",
     lambda o: container(links(o), "links").update(
         volumeMounts=[m for m in container(links(o), "links")["volumeMounts"] if m["name"] != "metrics"]
     ),
     ("Deployment.snip-prod.links", "containers[links].volumeMounts[/var/run/metrics]")),
    ("grace period shorter than the drain", "prod",
     lambda o: links(o)["spec"]["template"]["spec"].update(terminationGracePeriodSeconds=25),
     ("Deployment.snip-prod.links", "spec.template.spec.terminationGracePeriodSeconds")),
    ("no preStop pause", "prod", lambda o: container(links(o), "links").pop("lifecycle"),
     ("Deployment.snip-prod.links", "containers[links].lifecycle.preStop")),
    ("no scrape annotations", "prod", lambda o: links(o)["spec"]["template"]["metadata"].pop("annotations"),
     ("Deployment.snip-prod.links", "spec.template.metadata.annotations[prometheus.io/scrape]")),
    ("no topology spread", "prod", lambda o: links(o)["spec"]["template"]["spec"].pop("topologySpreadConstraints"),
     ("Deployment.snip-prod.links", "spec.template.spec.topologySpreadConstraints")),
    ("another overlay's namespace", "staging", lambda o: links(o)["metadata"].update(namespace="snip-prod"),
     ("Deployment.snip-prod.links", "metadata.namespace")),
    ("a namespace that does not enforce restricted", "prod",
     lambda o: find(o, "Namespace", "snip-prod")["metadata"]["labels"].update(
         {"pod-security.kubernetes.io/enforce": "baseline"}
     ),
     ("Namespace.default.snip-prod", "metadata.labels[pod-security.kubernetes.io/enforce]")),
    ("a committed Secret outside dev", "prod", dev_secret_in_prod, ("Secret.snip-prod.links-db", "kind")),
    ("several replicas and no disruption budget", "prod",
     lambda o: links(o)["spec"]["template"]["metadata"]["labels"].update(app="links-v2"),
     ("Deployment.snip-prod.links", "PodDisruptionBudget")),
    ("replicas fixed under an autoscaler", "prod",
     lambda o: find(o, "Deployment", "redirect")["spec"].update(replicas=3),
     ("Deployment.snip-prod.redirect", "spec.replicas")),
    ("a missing autoscaler", "prod", lambda o: o.remove(find(o, "HorizontalPodAutoscaler", "web")),
     ("Deployment.snip-prod.web", "HorizontalPodAutoscaler")),
]  # fmt: skip


@pytest.mark.parametrize(("mistake", "overlay", "change", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_rule_catches_its_mistake(broken, mistake, overlay, change, expected):
    objects = broken(overlay)
    change(objects)
    assert expected in check_all(objects, overlay)
