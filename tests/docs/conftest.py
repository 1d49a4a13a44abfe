"""Helpers of the docs' tests that follow a guide on a copy of the repository, so that
its steps (edits included) never touch this one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from repocopy import copy_of_the_repository
from snipdev import ROOT


def in_copy_env(root: Path) -> dict[str, str]:
    """This virtualenv, with the copy's code first on the path: its snipdev (whose ROOT is
    the copy), its kit and its services, the new one included; and this clone's checkov,
    which the copy would otherwise install again."""
    packages = [root / "scripts" / "snipdev", *sorted(p.parent for p in (root / "services").glob("*/pyproject.toml"))]
    checkov = {"CHECKOV_VENV": str(ROOT / ".local" / "checkov")}
    return {**os.environ, **checkov, "PYTHONPATH": os.pathsep.join(map(str, packages))}


@pytest.fixture
def repo(tmp_path):
    """A copy of the repository to follow a guide on."""
    return copy_of_the_repository(tmp_path / "repo")
