"""The rules every overlay follows, each shown to catch the mistake it guards against."""

from __future__ import annotations

import pytest

from snipdev.kube import policy
from snipdev.kube.render import container, find

from .conftest import OVERLAYS

AUTOSCALED = {"redirect", "web"}


def check_all(objects: list[dict], overlay: str) -> list[str]:
    settings = OVERLAYS[overlay]
    problems = [
        *policy.pod_security(objects),
        *policy.resources(objects),
        *policy.app_runtime(objects),
        *policy.service_accounts(objects),
        *policy.namespaces(objects, settings["namespace"]),
        *policy.availability(objects, AUTOSCALED),
        *policy.admin_jobs(objects),
    ]
    if overlay != "dev":
        problems += policy.pinned_images(objects) + policy.no_committed_secrets(objects)
    return problems


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_overlay_follows_every_rule(rendered, overlay):
    assert check_all(rendered[overlay], overlay) == []


def links(objects: list[dict]) -> dict:
    return find(objects, "Deployment", "links")


def links_pod(objects: list[dict]) -> dict:
    return links(objects)["spec"]["template"]


def links_container(objects: list[dict]) -> dict:
    return container(links(objects), "links")


def cronjob(objects: list[dict], name: str) -> dict:
    return find(objects, "CronJob", name)["spec"]


def migration_pod(objects: list[dict]) -> dict:
    return find(objects, "Job", "links-db-upgrade")["spec"]["template"]["spec"]


# (what is broken, overlay, how, the problem expected)
MISTAKES = [
    (
        "CronJob runs overlap",
        "prod",
        lambda o: cronjob(o, "backup").update(concurrencyPolicy="Allow"),
        "CronJob/backup: concurrencyPolicy is not Forbid",
    ),
    (
        "CronJob with no starting deadline",
        "prod",
        lambda o: cronjob(o, "links-purge").pop("startingDeadlineSeconds"),
        "CronJob/links-purge: no startingDeadlineSeconds",
    ),
    (
        "CronJob keeping every finished Job",
        "prod",
        lambda o: cronjob(o, "stats-purge").pop("successfulJobsHistoryLimit"),
        "CronJob/stats-purge: no successfulJobsHistoryLimit",
    ),
    (
        "CronJob's Job with no deadline",
        "prod",
        lambda o: cronjob(o, "backup")["jobTemplate"]["spec"].pop("activeDeadlineSeconds"),
        "CronJob/backup: no activeDeadlineSeconds",
    ),
    (
        "Job that is never cleaned up",
        "prod",
        lambda o: find(o, "Job", "links-db-upgrade")["spec"].pop("ttlSecondsAfterFinished"),
        "Job/links-db-upgrade: no ttlSecondsAfterFinished",
    ),
    (
        "Job retried forever",
        "dev",
        lambda o: find(o, "Job", "stats-seed-demo")["spec"].pop("backoffLimit"),
        "Job/stats-seed-demo: no backoffLimit",
    ),
    (
        "Job with a sidecar that is no native sidecar",
        "prod",
        lambda o: migration_pod(o)["containers"].append(
            {**container(find(o, "Deployment", "redirect"), "pgbouncer"), "restartPolicy": None}
        ),
        "Job/links-db-upgrade: runs containers db-upgrade, pgbouncer; the Job never completes while one keeps "
        "running: make the sidecar a native one (an init container with restartPolicy: Always)",
    ),
    (
        "admin process with no scratch space",
        "prod",
        lambda o: container(find(o, "Deployment", "toolbox"), "links").update(volumeMounts=[]),
        "Deployment/toolbox container links: no emptyDir mounted at /tmp",
    ),
    (
        "writable root filesystem",
        "prod",
        lambda o: links_container(o)["securityContext"].update(readOnlyRootFilesystem=False),
        "Deployment/links container links: readOnlyRootFilesystem is not true",
    ),
    (
        "writable root filesystem for file sync in dev",
        "dev",
        lambda o: links_container(o)["securityContext"].update(readOnlyRootFilesystem=False),
        "Deployment/links container links: readOnlyRootFilesystem is not true",
    ),
    (
        "writable root filesystem in dev's copy step",
        "dev",
        lambda o: container(links(o), "copy-source")["securityContext"].pop("readOnlyRootFilesystem"),
        "Deployment/links container copy-source: readOnlyRootFilesystem is not true",
    ),
    (
        "no memory limit on dev's copy step",
        "dev",
        lambda o: container(links(o), "copy-source")["resources"].pop("limits"),
        "Deployment/links container copy-source: no limits for cpu, memory",
    ),
    (
        "root user",
        "prod",
        lambda o: links_pod(o)["spec"]["securityContext"].update(runAsUser=0),
        "Deployment/links container links: runAsUser is not a numeric non-root user",
    ),
    (
        "no seccomp profile",
        "prod",
        lambda o: links_pod(o)["spec"]["securityContext"].pop("seccompProfile"),
        "Deployment/links container links: seccompProfile is not RuntimeDefault",
    ),
    (
        "capabilities kept",
        "prod",
        lambda o: links_container(o)["securityContext"].pop("capabilities"),
        "Deployment/links container links: capabilities do not drop ALL",
    ),
    (
        "privilege escalation",
        "prod",
        lambda o: links_container(o)["securityContext"].pop("allowPrivilegeEscalation"),
        "Deployment/links container links: allowPrivilegeEscalation is not false",
    ),
    (
        "no memory limit",
        "prod",
        lambda o: links_container(o)["resources"]["limits"].pop("memory"),
        "Deployment/links container links: no limits for memory",
    ),
    (
        "readiness on the liveness path",
        "prod",
        lambda o: links_container(o)["readinessProbe"]["httpGet"].update(path="/livez"),
        "Deployment/links container links: readinessProbe does not GET /readyz (got /livez)",
    ),
    (
        "metrics directory on the read-only root",
        "prod",
        lambda o: links_container(o).update(
            volumeMounts=[m for m in links_container(o)["volumeMounts"] if m["name"] != "metrics"]
        ),
        "Deployment/links container links: no emptyDir mounted at /var/run/metrics",
    ),
    (
        "grace period shorter than the drain",
        "prod",
        lambda o: links_pod(o)["spec"].update(terminationGracePeriodSeconds=20),
        "Deployment/links: terminationGracePeriodSeconds 20 is not longer than the preStop pause (5 s) "
        "plus GRACEFUL_TIMEOUT (20 s)",
    ),
    (
        "no preStop pause",
        "prod",
        lambda o: links_container(o).pop("lifecycle"),
        "Deployment/links container links: no preStop pause (exec sleep N)",
    ),
    (
        "no scrape annotations",
        "prod",
        lambda o: links_pod(o)["metadata"].pop("annotations"),
        "Deployment/links: pod template lacks prometheus.io scrape annotations",
    ),
    (
        "no topology spread",
        "prod",
        lambda o: links_pod(o)["spec"].pop("topologySpreadConstraints"),
        "Deployment/links: no topologySpreadConstraints",
    ),
    (
        "service account token mounted",
        "prod",
        lambda o: links_pod(o)["spec"].pop("automountServiceAccountToken"),
        "Deployment/links: pod automountServiceAccountToken is not false",
    ),
    (
        "latest tag in prod",
        "prod",
        lambda o: links_container(o).update(image="links:latest"),
        "Deployment/links container links: image links:latest is :latest",
    ),
    (
        "untagged image in prod",
        "prod",
        lambda o: links_container(o).update(image="links"),
        "Deployment/links container links: image links has no tag",
    ),
    (
        "wrong namespace",
        "staging",
        lambda o: links(o)["metadata"].update(namespace="default"),
        "Deployment/links: in namespace default, not snip-staging",
    ),
    (
        "several replicas and no disruption budget",
        "prod",
        lambda o: links_pod(o)["metadata"]["labels"].update(app="links-v2"),
        "Deployment/links: runs up to 3 replicas but no PodDisruptionBudget selects it",
    ),
    (
        "replicas fixed under an autoscaler",
        "prod",
        lambda o: find(o, "Deployment", "redirect")["spec"].update(replicas=3),
        "Deployment/redirect: sets replicas although an autoscaler owns the count",
    ),
]


@pytest.mark.parametrize(("mistake", "overlay", "change", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_rule_catches_its_mistake(broken, mistake, overlay, change, expected):
    objects = broken(overlay)
    change(objects)
    assert expected in check_all(objects, overlay)


def test_a_committed_secret_outside_dev_is_caught(broken, rendered):
    dev_secret = next(o for o in rendered["dev"] if o["kind"] == "Secret")
    objects = [*broken("prod"), {**dev_secret, "metadata": {**dev_secret["metadata"], "namespace": "snip-prod"}}]
    assert f"Secret/{dev_secret['metadata']['name']}: a Secret with committed values" in check_all(objects, "prod")


def test_a_namespace_that_does_not_enforce_restricted_is_caught(broken):
    objects = broken("prod")
    labels = find(objects, "Namespace", "snip-prod")["metadata"]["labels"]
    labels["pod-security.kubernetes.io/enforce"] = "baseline"
    expected = "Namespace/snip-prod: pod-security.kubernetes.io/enforce is baseline, not restricted"
    assert expected in check_all(objects, "prod")


def test_a_missing_autoscaler_is_caught(broken):
    objects = [o for o in broken("prod") if (o["kind"], o["metadata"]["name"]) != ("HorizontalPodAutoscaler", "web")]
    assert "Deployment/web: no HorizontalPodAutoscaler" in check_all(objects, "prod")
