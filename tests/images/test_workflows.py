"""The GitHub workflows cannot run here, so they are checked as far as they can be:
actionlint passes, and every `make` they run names a target the Makefile documents
(a renamed target would otherwise break CI only once pushed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent

# Where a command starts, optional VAR=value, `make`, its options and assignments, the target.
MAKE_CALL = re.compile(r"(?:^|[;&|(]|\$\()\s*(?:\w+=\S*\s+)*make(?:\s+-\S+|\s+\w+=\S+)*\s+([a-z][\w-]*)", re.M)


def documented_targets() -> set[str]:
    """The targets `make help` lists: those with a `## description`."""
    return set(re.findall(r"^([a-z][a-z0-9-]*):.*## ", (ROOT / "Makefile").read_text(), re.MULTILINE))


def make_targets(script: str) -> list[str]:
    return MAKE_CALL.findall(script)


def called_targets(workflow_text: str) -> set[str]:
    """Every make target the workflow's `run:` steps call."""
    jobs = yaml.safe_load(workflow_text).get("jobs", {}).values()
    scripts = [step["run"] for job in jobs for step in job.get("steps", []) if "run" in step]
    return {target for script in scripts for target in make_targets(script)}


def test_make_calls_are_found_in_any_position():
    script = 'make lint\nVAR=1 make -s services | jq .\necho "$(make -s services)"\ncd x && make test'
    assert make_targets(script) == ["lint", "services", "services", "test"]


def test_a_missing_target_is_caught():
    called = called_targets("jobs:\n  a:\n    steps:\n      - run: make lint && make no-such-target\n")
    assert called - documented_targets() == {"no-such-target"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflows_call_only_documented_make_targets(path):
    missing = called_targets(path.read_text()) - documented_targets()
    assert not missing, f"{path.name} runs make targets the Makefile lacks: {missing}"


def test_the_workflows_run_the_makefile():
    called = set().union(*(called_targets(path.read_text()) for path in WORKFLOWS))
    # The kind job's smoke test is skaffold verify's, inside make e2e; make chart renders
    # the release manifests (make release-manifests) and packages them.
    assert {"lint", "test", "image-test", "images", "chart", "e2e"} <= called


def test_actionlint_passes():
    result = subprocess.run(
        [BIN / "actionlint", "-shellcheck", BIN / "shellcheck", *WORKFLOWS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
