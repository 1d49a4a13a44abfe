"""docs/workshop.md's local track, run as written: every command, in order, against a
suite started with its first command (``make dev``), on a copy of the repository (one
exercise edits a template). Each command must succeed, or fail where it is marked
``# fails``; the ``text`` block under a command is what it must have printed, line by
line, ``...`` standing for anything. The guide uses make dev's default ports; the suite
here has free ones, so port numbers are translated on the way in and out.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from snipdev import ROOT, settings
from snipdev.embedded import free_port, scratch_folder
from snipdev.services import processes
from testkit.processes import wait_until

from .conftest import in_copy_env

pytestmark = pytest.mark.slow

GUIDE = ROOT / "docs" / "workshop.md"


def local_track() -> list[tuple[str, str | None]]:
    """(command, what it prints or None) for each ``sh`` block of the local track."""
    text = GUIDE.read_text().split("\n## Local track\n", 1)[1].split("\n## ", 1)[0]
    steps: list[list] = []
    for lang, body in re.findall(r"^```(\w+)\n(.*?)^```$", text, re.M | re.S):
        if lang == "sh":
            steps.append([body, None])
        elif lang == "text":
            assert steps and steps[-1][1] is None, f"output with no command before it:\n{body}"
            steps[-1][1] = body
    return [(command, shown) for command, shown in steps]


def missing(output: str, shown: str) -> list[str]:
    """The lines of ``shown`` that no line of ``output`` matches."""
    lines = output.splitlines()
    absent = []
    for want in filter(str.strip, shown.splitlines()):
        pattern = ".*?".join(re.escape(part.strip()) for part in want.split("..."))
        if not any(re.search(pattern, line) for line in lines):
            absent.append(want)
    return absent


@pytest.fixture
def suite_env(repo):
    """The environment of the guide's commands: the copy's code, free ports for the whole
    suite, a state folder of its own, and make told the virtualenv is ready (it is this
    one's, which must never be reinstalled from the copy)."""
    (repo / ".venv").symlink_to(ROOT / ".venv")
    env = {k: v for k, v in in_copy_env(repo).items() if k not in {"DATABASE_URL", "REDIS_URL", "LOG_FORMAT"}}
    env |= {p.port_variable: str(free_port()) for p in processes(repo)}
    env |= {"DEV_POSTGRES_PORT": str(free_port()), "DEV_REDIS_PORT": str(free_port())}
    env["MAKEFLAGS"] = "-o .venv/.installed"
    with scratch_folder("snip-workshop-") as state:
        env["SNIP_STATE_DIR"] = str(state / "state")
        yield env


def translator(env: dict[str, str], root: Path):
    """Rewrites make dev's default ports, as the guide writes them, to this suite's."""
    defaults = {str(settings.FIRST_PORT + i): env[p.port_variable] for i, p in enumerate(processes(root))}
    defaults |= {"15432": env["DEV_POSTGRES_PORT"], "16379": env["DEV_REDIS_PORT"]}
    return lambda text: re.sub(r"\b(\d{4,5})\b", lambda m: defaults.get(m[1], m[1]), text)


def test_every_command_of_the_local_track_does_what_the_guide_says(repo, suite_env, tmp_path):
    steps = local_track()
    ported = translator(suite_env, repo)
    (first, shown), *rest = steps
    assert first.strip() == "make dev", "the local track starts the suite with make dev"
    log = tmp_path / "make-dev.log"
    with open(log, "wb") as out:
        # A session of its own, to stop it as Ctrl-C does: SIGINT to the whole group.
        dev = subprocess.Popen(
            ["make", "dev"],
            cwd=repo,
            env={**suite_env, "LOG_FORMAT": "text"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "snip is ready" in log.read_text() or dev.poll() is not None, 180, "make dev ready")
        assert missing(log.read_text(), ported(shown)) == [], log.read_text()[-3000:]
        for command, shown in rest:
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", ported(command)],
                cwd=repo,
                env=suite_env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            output = done.stdout + done.stderr
            fails = bool(re.search(r"#\s*fails\s*$", command.strip()))
            assert (done.returncode != 0) == fails, f"{command}\nexit {done.returncode}:\n{output[-3000:]}"
            if shown:
                assert missing(output, ported(shown)) == [], f"{command}\nprinted:\n{output[-3000:]}"
    finally:
        os.killpg(dev.pid, signal.SIGINT)
        dev.wait(60)
    for port in (suite_env["WEB_PORT"], suite_env["DEV_POSTGRES_PORT"], suite_env["DEV_REDIS_PORT"]):
        assert subprocess.run(["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"], capture_output=True).returncode


def test_the_cluster_track_has_every_scenario_script():
    cluster = GUIDE.read_text().split("\n## Cluster track\n", 1)[1]
    scripts = sorted(p.name for p in (ROOT / "scripts" / "scenarios").glob("*.sh") if p.name != "lib.sh")
    assert sorted(re.findall(r"^scripts/scenarios/([\w-]+\.sh)", cluster, re.M)) == scripts


def test_the_cluster_track_runs_what_make_e2e_runs():
    # Its figures are make e2e's: each script it has people run, tests/e2e runs too, and
    # each kubectl command it shows names the overlay's namespace.
    cluster = GUIDE.read_text().split("\n## Cluster track\n", 1)[1]
    e2e = (ROOT / "tests" / "e2e" / "test_scenarios.py").read_text()
    for script in re.findall(r"^scripts/scenarios/([\w-]+\.sh)", cluster, re.M):
        assert f'scenarios.run(kube, "{script}"' in e2e, script
    for command in re.findall(r"^kubectl .*$", cluster, re.M):
        assert command.startswith("kubectl -n snip-dev "), command
