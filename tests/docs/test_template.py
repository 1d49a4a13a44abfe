"""docs/template.md, followed as written on a copy of the repository: "Add a service"
and "Rename the suite". After each, the overlays render, the lint passes and the tests
that check manifests, Skaffold and the docs pass and pick the change up; after adding
``hello``, ``make dev`` serves it too.

The guide's blocks are steps: one whose info string names a path (```` ```python
services/hello/hello/api.py ````) is a file to write; a ``sh`` block is run with bash
from the copy's top folder; any other block (``text``) only shows something. "Check it"
(the full ``make lint``, ``make render``, ``make test``) is not run here: these tests run
the parts the change touches, which keeps them to a minute or so.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from snipdev import ROOT
from snipdev.embedded import free_port, scratch_folder
from testkit.processes import wait_until

from .conftest import in_copy_env

pytestmark = pytest.mark.slow

GUIDE = ROOT / "docs" / "template.md"
BIN = Path(sys.executable).parent
#: The tests of tests/k8s that look at every service, and the settings table of docs/local.md.
MANIFEST_TESTS = [
    "tests/k8s/test_apps.py",
    "tests/k8s/test_policy.py",
    "tests/k8s/test_skaffold.py",
    "tests/k8s/test_network.py",
    "tests/k8s/test_wiring.py",
    "tests/docs/test_configuration.py",
]


def steps(section: str) -> list[tuple[str, str | None, str]]:
    """(language, path or None, body) of each fenced block of the guide's ``section``."""
    text = GUIDE.read_text().split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    text = text.split("\n### 6. Check it\n", 1)[0]
    return [
        (lang, path, body) for lang, path, body in re.findall(r"^```(\w+)(?: (\S+))?\n(.*?)^```$", text, re.M | re.S)
    ]


def follow(root: Path, section: str) -> None:
    for lang, path, body in steps(section):
        if path:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(body)
        elif lang == "sh":
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=root, capture_output=True, text=True)
            assert done.returncode == 0, f"step failed:\n{body}\n{done.stderr}"


def run(root: Path, *command: str, timeout: float = 300) -> str:
    done = subprocess.run(command, cwd=root, env=in_copy_env(root), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def rendered(root: Path, overlay: str) -> str:
    return run(root, "kubectl", "kustomize", str(root / "kustomize" / "overlays" / overlay))


def lint(root: Path) -> None:
    run(root, str(BIN / "ruff"), "check", ".")
    run(root, str(BIN / "ruff"), "format", "--check", ".")


def test_a_service_added_by_the_guide_is_rendered_linted_tested_and_served(repo):
    follow(repo, "Add a service")
    for overlay in ("dev", "staging", "prod"):
        assert "name: hello\n" in rendered(repo, overlay) and "image: hello" in rendered(repo, overlay)
    assert "hello:v0.1.0" in rendered(repo, "prod")
    lint(repo)
    report = run(repo, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "tests/hello", *MANIFEST_TESTS)
    for picked_up in (
        "tests/hello/test_api.py::test_the_greeting_is_the_setting PASSED",
        "test_manifests_match_the_code[dev-hello] PASSED",
        "test_manifests_match_the_code[prod-hello] PASSED",
        "test_one_artifact_per_image PASSED",
    ):
        assert picked_up in report
    served_by_make_dev(repo)


def served_by_make_dev(root: Path) -> None:
    """The copy's ``make dev`` starts hello with the others and answers on its port."""
    env = {k: v for k, v in in_copy_env(root).items() if k not in {"DATABASE_URL", "REDIS_URL", "LOG_FORMAT"}}
    env = {k: v for k, v in env.items() if not k.startswith("TEST_")}
    with scratch_folder("snip-template-") as state:
        ports = {name: str(free_port()) for name in ("WEB_PORT", "LINKS_PORT", "REDIRECT_PORT", "HELLO_PORT")}
        ports |= {"STATS_API_PORT": str(free_port()), "STATS_WORKER_PORT": str(free_port())}
        env |= ports | {"SNIP_STATE_DIR": str(state), "DEV_POSTGRES_PORT": str(free_port())}
        env["DEV_REDIS_PORT"] = str(free_port())
        log = state / "dev.log"
        with open(log, "wb") as out:
            dev = subprocess.Popen(
                [sys.executable, "-m", "snipdev.dev"], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:

            def greeting():
                try:
                    return requests.get(f"http://127.0.0.1:{ports['HELLO_PORT']}/api/hello", timeout=2).json()
                except requests.RequestException:
                    return None

            assert wait_until(greeting, 120, "hello, started by make dev") == {"message": "hello"}
        finally:
            dev.send_signal(signal.SIGINT)
            status = dev.wait(60)
        assert status == 0, log.read_text()[-3000:]


def test_the_suite_renamed_by_the_guide_renders_lints_and_passes_its_checks(repo):
    follow(repo, "Rename the suite")
    dev = rendered(repo, "dev")
    assert "namespace: acme-dev" in dev and "snip-dev" not in dev
    assert "app.kubernetes.io/part-of: acme" in dev
    lint(repo)
    tests = [*MANIFEST_TESTS, "tests/web/test_style.py"]
    run(repo, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *tests)
