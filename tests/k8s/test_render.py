"""Every overlay and every component renders, and every object is valid for the oldest
and newest Kubernetes the suite supports (strictly: unknown fields are errors)."""

from __future__ import annotations

import os

import pytest
import yaml

from snipdev.kube import render, validate

from .conftest import OVERLAYS

VERSIONS = ["1.29", "1.33"]


def test_every_overlay_is_known_and_renders(rendered):
    assert set(rendered) == set(OVERLAYS)
    assert all(rendered.values())


def test_every_component_renders_on_the_base(rendered_components):
    assert set(rendered_components) == {
        "dev-reload",
        "external-database",
        "loadgenerator",
        "logging",
        "monitoring",
        "network-policies",
        "pgbouncer-sidecar",
        "vault-agent",
    }


def test_a_patch_for_a_missing_object_fails_to_render(tmp_path):
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shortener"}, "spec": {"replicas": 2}}
    (tmp_path / "replicas.yaml").write_text(yaml.safe_dump(patch))
    kustomization = {"resources": [os.path.relpath(render.BASE, tmp_path)], "patches": [{"path": "replicas.yaml"}]}
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    with pytest.raises(render.RenderError, match="shortener"):
        render.render(tmp_path)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_is_valid(rendered, rendered_components, version):
    renderings = {**rendered, **{f"component-{k}": v for k, v in rendered_components.items()}}
    assert validate.validate(renderings, version) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_validation_rejects_unknown_fields_and_api_versions(rendered, version):
    service = render.find(rendered["dev"], "Service", "links")
    typo = {**service, "spec": {**service["spec"], "selecter": service["spec"]["selector"]}}
    bad_group = {**render.find(rendered["dev"], "Deployment", "links"), "apiVersion": "apps/v2"}
    problems = validate.validate({"broken": [typo, bad_group]}, version)
    assert len(problems) == 2
    assert "'selecter' was unexpected" in problems[0]
    assert "apps/v2" in problems[1]


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_the_load_generator_stays_out_of_staging_and_prod(rendered, overlay):
    """Its made-up clicks would land in real statistics (components/loadgenerator/README.md)."""
    deployments = {o["metadata"]["name"] for o in rendered[overlay] if o["kind"] == "Deployment"}
    assert "loadgenerator" not in deployments
