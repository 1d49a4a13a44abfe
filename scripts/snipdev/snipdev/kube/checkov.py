"""checkov's Kubernetes checks on rendered objects, offline (scripts/checkov.sh): Pod
Security settings, limits (requests only when a container has no resources:
policy.requests covers the rest), probes configured, image tags, service account tokens,
the default namespace (``scripts/checkov.sh --list --framework kubernetes``).

One checkov process judges many renderings at once: it takes seconds to start.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from snipdev import ROOT

from .render import dump

#: Off everywhere, by policy; scripts/scan.sh says why.
SKIPPED = ("CKV_K8S_15", "CKV_K8S_43")


def resource_id(obj: dict) -> str:
    """How checkov names an object: ``Deployment.snip-prod.links``."""
    return f"{obj['kind']}.{obj['metadata'].get('namespace', 'default')}.{obj['metadata']['name']}"


def failed(renderings: dict[str, list[dict]]) -> dict[tuple[str, str], set[str]]:
    """The check IDs that fail, by (rendering's label, resource id). An object found in
    several renderings (the overlays and components share most of the base) is judged
    once, under the first label that has it."""
    seen: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for label, objects in renderings.items():
            unique = {json.dumps(o, sort_keys=True): o for o in objects}
            kept = [o for key, o in unique.items() if key not in seen]
            seen.update(unique)
            (Path(tmp) / f"{label}.yaml").write_text(dump(kept))
        skip = ",".join(SKIPPED)
        done = subprocess.run(
            [
                str(ROOT / "scripts" / "checkov.sh"),
                "--framework",
                "kubernetes",
                "--skip-check",
                skip,
                "-d",
                tmp,
                "-o",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    # Exit status 1 means findings; anything else, or no JSON, is checkov failing.
    if done.returncode not in (0, 1) or not done.stdout.startswith(("{", "[")):
        raise RuntimeError(f"checkov exited with {done.returncode}: {done.stderr[-2000:]}")
    reports = json.loads(done.stdout)
    found: dict[tuple[str, str], set[str]] = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for result in report.get("results", {}).get("failed_checks", []):
            label = Path(result["file_path"]).stem
            found.setdefault((label, result["resource"]), set()).add(result["check_id"])
    return found
