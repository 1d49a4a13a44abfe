"""Helpers of the docs' tests that follow a guide on a copy of the repository, so that
its steps (edits included) never touch this one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from snipdev import ROOT


def copy_of_the_repository(target: Path) -> Path:
    """The working tree as it is (committed or not), in a Git repository of its own."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    git = ["git", "-c", "user.name=snip", "-c", "user.email=snip@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "the copy"], cwd=target, check=True)
    return target


def in_copy_env(root: Path) -> dict[str, str]:
    """This virtualenv, with the copy's code first on the path: its snipdev (whose ROOT is
    the copy), its kit and its services, the new one included."""
    packages = [root / "scripts" / "snipdev", *sorted(p.parent for p in (root / "services").glob("*/pyproject.toml"))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, packages))}


@pytest.fixture
def repo(tmp_path):
    """A copy of the repository to follow a guide on."""
    return copy_of_the_repository(tmp_path / "repo")
