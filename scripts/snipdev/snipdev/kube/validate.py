"""Schema validation of rendered objects with kubernetes-validate, offline.

kubernetes-validate only warns when it has no schema for a kind, which would let a
mistyped apiVersion (``apps/v2``) through; here that is an error unless the kind is one
of the custom resources the suite knowingly uses.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from .render import dump

#: Custom resources whose CRDs the cluster's operators install; no schema ships for them.
CUSTOM_RESOURCES = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
}
_NO_SCHEMA = re.compile(r"Couldn't find schema for kind (\S+) with api version (\S+)")


def validate(renderings: dict[str, list[dict]], version: str) -> list[str]:
    """Problems in every rendering (label -> objects) for Kubernetes ``version``, strictly:
    unknown fields are errors. One kubernetes-validate process for all of them, and each
    object once: the overlays and components share most of the base."""
    seen: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for label, objects in renderings.items():
            unique = []
            for obj in objects:
                fingerprint = json.dumps(obj, sort_keys=True)
                if fingerprint not in seen:
                    seen.add(fingerprint)
                    unique.append(obj)
            path = Path(tmp) / f"{label}.yaml"
            path.write_text(dump(unique))
            files.append(str(path))
        done = subprocess.run(
            [sys.executable, "-m", "kubernetes_validate", "-k", version, "--strict", "--quiet", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
    problems = []
    for line in (done.stdout + done.stderr).splitlines():
        line = line.replace(tmp + "/", "")
        missing = _NO_SCHEMA.search(line)
        if missing and (missing.group(2), missing.group(1)) in CUSTOM_RESOURCES:
            continue
        if line.startswith(("ERROR", "WARN")) or missing:
            problems.append(line)
    if done.returncode != 0 and not problems:
        problems.append(f"kubernetes-validate exited with {done.returncode}: {done.stderr.strip()}")
    return problems
