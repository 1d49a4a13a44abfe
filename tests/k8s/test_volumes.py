"""Volumes of the stateful pods: ownership changed only when needed, and PostgreSQL's
shared memory not capped at a container's 64 MB /dev/shm."""

from __future__ import annotations

import pytest

from snipdev.kube.render import container, find, workloads


def slow_restarts(objects: list[dict]) -> list[str]:
    """Pods that chown a persistent volume on every start (fsGroup without OnRootMismatch)."""
    return [
        obj["metadata"]["name"]
        for obj, pod in workloads(objects)
        if "fsGroup" in pod["spec"].get("securityContext", {})
        and (obj["kind"] == "StatefulSet" or any("persistentVolumeClaim" in v for v in pod["spec"].get("volumes", [])))
        and pod["spec"]["securityContext"].get("fsGroupChangePolicy") != "OnRootMismatch"
    ]


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_persistent_volumes_are_chowned_only_when_needed(rendered, overlay):
    assert slow_restarts(rendered[overlay]) == []


def test_a_missing_policy_is_caught(broken):
    objects = broken("prod")
    find(objects, "StatefulSet", "postgres")["spec"]["template"]["spec"]["securityContext"].pop("fsGroupChangePolicy")
    assert slow_restarts(objects) == ["postgres"]


def test_postgres_has_a_memory_backed_dev_shm(rendered):
    statefulset = find(rendered["prod"], "StatefulSet", "postgres")
    mount = next(m for m in container(statefulset, "postgres")["volumeMounts"] if m["mountPath"] == "/dev/shm")  # noqa: S108 - a mount point, not a file
    volume = next(v for v in statefulset["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    assert volume["emptyDir"]["medium"] == "Memory"
