"""Third-party images at a release with the fixes for the known vulnerabilities below:
a pin older than the fix fails here (docs/kubernetes.md says how pins are kept current)."""

from __future__ import annotations

import re

import pytest

from snipdev.kube.render import workloads

#: image name -> (release series, first release of that series with the fix, what it fixes)
FIXED_IN = {
    "postgres": ((16,), (16, 7), "CVE-2025-1094, libpq quoting"),
    "redis": ((7, 4), (7, 4, 6), "CVE-2025-49844, Lua use-after-free"),
}


def version(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"v?(\d+(?:\.\d+)*)", tag).group(1).split("."))


def too_old(objects: list[dict]) -> list[str]:
    problems = []
    for obj, pod in workloads(objects):
        for c in pod["spec"].get("containers", []) + pod["spec"].get("initContainers", []):
            name, _, tag = c["image"].rpartition(":")
            if name not in FIXED_IN:
                continue
            series, fixed, why = FIXED_IN[name]
            if version(tag)[: len(series)] == series and version(tag) < fixed:
                problems.append(f"{obj['metadata']['name']}: {c['image']} predates {'.'.join(map(str, fixed))} ({why})")
    return problems


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_no_image_predates_its_security_fixes(rendered, overlay):
    assert too_old(rendered[overlay]) == []


def test_an_old_pin_is_caught(broken):
    objects = broken("prod")
    statefulset = next(o for o in objects if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "redis")
    statefulset["spec"]["template"]["spec"]["containers"][0]["image"] = "redis:7.4.1-bookworm"
    assert too_old(objects) == ["redis: redis:7.4.1-bookworm predates 7.4.6 (CVE-2025-49844, Lua use-after-free)"]
