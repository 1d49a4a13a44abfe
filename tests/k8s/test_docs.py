"""docs/kubernetes.md against the overlays: the component table, and the commands that
create the Secrets staging and prod expect."""

from __future__ import annotations

import re

import pytest
import yaml

from snipdev import ROOT
from snipdev.kube.render import OVERLAYS as OVERLAY_DIR

from .conftest import HAND_MADE_SECRETS

DOC = (ROOT / "docs" / "kubernetes.md").read_text()


def components_of(overlay: str) -> set[str]:
    kustomization = yaml.safe_load((OVERLAY_DIR / overlay / "kustomization.yaml").read_text())
    return {path.rstrip("/").rsplit("/", 1)[-1] for path in kustomization.get("components", [])}


def documented_components(doc: str = DOC) -> dict[str, set[str]]:
    """overlay -> components, from the table whose rows are `| [name](...) | ... | yes | |`."""
    used = {"dev": set(), "staging": set(), "prod": set()}
    for name, dev, staging, prod in re.findall(
        r"^\| \[([\w-]+)\]\([^)]*\) \| [^|]* \|([^|]*)\|([^|]*)\|([^|]*)\|$", doc, re.M
    ):
        for overlay, cell in zip(used, (dev, staging, prod), strict=True):
            if cell.strip() == "yes":
                used[overlay].add(name)
    return used


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_component_table_matches_the_overlays(overlay):
    assert documented_components()[overlay] == components_of(overlay)


def test_secret_commands_create_every_hand_made_secret():
    assert set(re.findall(r"create secret generic ([\w-]+)", DOC)) == HAND_MADE_SECRETS


def test_a_component_missing_from_the_table_is_caught():
    assert "logging" not in documented_components(DOC.replace("| [logging]", "| logging"))["prod"]
