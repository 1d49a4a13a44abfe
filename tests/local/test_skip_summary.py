"""A fresh machine may lack the programs a few tests drive (chromium, promtool, wrk): those
tests skip, and the run ends by naming the programs and the one command installing them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from snipdev import ROOT


def test_the_run_names_the_missing_programs_and_the_command_that_installs_them():
    # A PATH with this virtualenv only: no chromium and no wrk, as on a fresh Debian.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    tests = ["tests/web/test_screenshots.py", "tests/bench/test_harness.py"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.split("skipped: programs this machine lacks", 1)[1].splitlines()[1:4]
    assert summary[0].startswith("chromium: ") and summary[1] == "wrk: 1 test skipped"
    command = "apt-get install -y chromium wrk"
    assert summary[2] == f"install them all, then run make test again: {'' if os.geteuid() == 0 else 'sudo '}{command}"
