"""skaffold.yaml: valid for its apiVersion, and consistent with the Dockerfile it builds
and the overlays it deploys; each check shown to catch the mistake it guards against."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from snipdev import ROOT, settings
from snipdev.kube import skaffold
from snipdev.kube.policy import APP_IMAGES
from snipdev.kube.render import container, find

from .conftest import OVERLAYS

#: Skaffold's published JSON schema for skaffold/v4beta14 (Skaffold 2.19), kept here so
#: a clone checks skaffold.yaml with no network.
SCHEMA = Path(__file__).parent / "schemas" / "skaffold-v4beta14.json"
CONFIG = yaml.safe_load((ROOT / "skaffold.yaml").read_text())


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def profile(name: str) -> dict:
    """The configuration as Skaffold sees it with profile ``name`` active (its patches
    use "replace" and "remove" of object keys and list indexes, and "add" of a new key)."""
    config = copy.deepcopy(CONFIG)
    for patch in next(p for p in CONFIG["profiles"] if p["name"] == name)["patches"]:
        *parents, last = [int(k) if k.isdigit() else k for k in patch["path"].strip("/").split("/")]
        target = config
        for key in parents:
            target = target[key]
        if patch["op"] == "remove":
            del target[last]
        elif patch["op"] == "add":
            assert isinstance(target, dict) and last not in target, patch
            target[last] = patch["value"]
        else:
            assert patch["op"] == "replace" and (last in target if isinstance(target, dict) else last < len(target))
            target[last] = patch["value"]
    return config


def deploy_hook_namespaces(config: dict) -> list[str]:
    """The namespace each deploy hook acts on: its last argument (tests/e2e runs them)."""
    return [hook["host"]["command"][-1] for hook in config["deploy"]["kubectl"]["hooks"]["before"]]


def verify_namespace(config: dict) -> str:
    """Where the smoke test's Job runs: its overrides' namespace (tests/e2e runs that Job)."""
    return json.loads(config["verify"][0]["executionMode"]["kubernetesCluster"]["overrides"])["metadata"]["namespace"]


@pytest.mark.parametrize("name", [None, "staging", "prod"])
def test_the_smoke_test_job_differs_between_profiles_in_its_namespace_only(name):
    """The profiles repeat the overrides (a JSON string cannot be patched in part): the
    copies must not drift, and the container Skaffold requires is the one they run."""
    config = profile(name) if name else CONFIG
    verify = config["verify"][0]
    overrides = json.loads(verify["executionMode"]["kubernetesCluster"]["overrides"])
    dev = json.loads(CONFIG["verify"][0]["executionMode"]["kubernetesCluster"]["overrides"])
    assert {**overrides, "metadata": {}} == {**dev, "metadata": {}}
    container = overrides["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"]) == (verify["container"]["name"], verify["container"]["image"])


def test_skaffold_yaml_is_valid_for_its_api_version(validator):
    assert CONFIG["apiVersion"] == "skaffold/v4beta14"
    assert list(validator.iter_errors(CONFIG)) == []


def test_an_unknown_field_is_rejected(validator):
    broken = copy.deepcopy(CONFIG)
    broken["build"]["artifacts"][0]["dockerfile"] = "Dockerfile"
    assert list(validator.iter_errors(broken))


def test_one_artifact_per_image():
    assert sorted(a["image"] for a in CONFIG["build"]["artifacts"]) == sorted(APP_IMAGES)


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_each_profile_deploys_its_overlay_and_verifies_its_namespace(name):
    config = profile(name)
    assert config["manifests"]["kustomize"]["paths"] == [f"kustomize/overlays/{name}"]
    assert verify_namespace(config) == OVERLAYS[name]["namespace"]
    assert deploy_hook_namespaces(config) == [OVERLAYS[name]["namespace"]]
    assert "portForward" not in config
    assert config["build"]["tagPolicy"] == {"envTemplate": {"template": "{{.VERSION}}"}}
    assert config["build"]["local"] == {"push": True}, "a released version goes to the registry"
    assert [a["kubeContext"] for a in next(p for p in CONFIG["profiles"] if p["name"] == name)["activation"]] == [
        f"snip-{name}"
    ]


def test_default_deploys_dev_and_forwards_to_existing_service_ports(rendered):
    assert CONFIG["manifests"]["kustomize"]["paths"] == ["kustomize/overlays/dev"]
    assert verify_namespace(CONFIG) == "snip-dev"
    assert deploy_hook_namespaces(CONFIG) == ["snip-dev"]
    for forward in CONFIG["portForward"]:
        assert forward["namespace"] == OVERLAYS["dev"]["namespace"]
        service = find(rendered["dev"], "Service", forward["resourceName"])
        assert forward["port"] in [p["port"] for p in service["spec"]["ports"]]


def test_dev_pushes_only_where_the_cluster_pulls_from_a_registry():
    """push unset: Skaffold loads images into kind and minikube, pushes for other contexts."""
    assert "push" not in CONFIG["build"]["local"]


def test_the_local_base_profile_builds_every_image_on_the_local_base():
    """Activated by BASE_IMAGE alone, it hands every artifact the base and pip's CA path."""
    local = next(p for p in CONFIG["profiles"] if p["name"] == "local-base")
    assert local["activation"] == [{"env": "BASE_IMAGE=.+"}]
    config = profile("local-base")
    for a in config["build"]["artifacts"]:
        assert a["docker"]["buildArgs"] == {
            "SERVICE": a["docker"]["buildArgs"]["SERVICE"],
            "BASE_IMAGE": "{{.BASE_IMAGE}}",
            "PIP_CERT": "{{.PIP_CERT}}",
        }, a["image"]


def test_port_forwards_use_make_devs_ports():
    """`skaffold dev` and `make dev` serve each process on the same local port, so links'
    short URLs and a browser's bookmarks work with either."""
    local = settings.load(environ={})
    assert {f["resourceName"]: f["localPort"] for f in CONFIG["portForward"]} == {
        name: local.port(name) for name in (f["resourceName"] for f in CONFIG["portForward"])
    }


def artifact(config: dict, image: str) -> dict:
    return next(a for a in config["build"]["artifacts"] if a["image"] == image)


def test_every_artifact_builds_its_service_from_the_dockerfile():
    assert skaffold.artifacts(CONFIG, ROOT) == []


# (what is broken, how, the problem expected)
ARTIFACT_MISTAKES = [
    (
        "a Dockerfile per service that does not exist",
        lambda c: artifact(c, "links")["docker"].update(dockerfile="services/links/Dockerfile"),
        "artifact links: dockerfile services/links/Dockerfile does not exist",
    ),
    (
        "no SERVICE build arg",
        lambda c: artifact(c, "links")["docker"].pop("buildArgs"),
        "artifact links: build arg SERVICE=None names no folder of services/",
    ),
    (
        "SERVICE that is no folder of services/",
        lambda c: artifact(c, "stats")["docker"]["buildArgs"].update(SERVICE="stats-api"),
        "artifact stats: build arg SERVICE=stats-api names no folder of services/",
    ),
    (
        "SERVICE of another image",
        lambda c: artifact(c, "web")["docker"]["buildArgs"].update(SERVICE="links"),
        "artifact web: builds SERVICE=links, but an image is named after its service",
    ),
]


@pytest.mark.parametrize(("mistake", "change", "expected"), ARTIFACT_MISTAKES, ids=[m[0] for m in ARTIFACT_MISTAKES])
def test_each_artifact_check_catches_its_mistake(mistake, change, expected):
    config = copy.deepcopy(CONFIG)
    change(config)
    assert expected in skaffold.artifacts(config, ROOT)


def test_every_synced_file_lands_where_the_dev_containers_import_it(rendered):
    assert skaffold.sync(CONFIG, rendered["dev"], ROOT) == []


def without_mount(objects: list[dict], deployment: str, path: str) -> None:
    c = container(find(objects, "Deployment", deployment), deployment)
    c["volumeMounts"] = [m for m in c["volumeMounts"] if m["mountPath"] != path]


# (what is broken, how skaffold.yaml is changed, how the dev overlay is, the problem expected)
SYNC_MISTAKES = [
    (
        "the kit left out: its edits would wait for a rebuild",
        lambda c: artifact(c, "redirect")["sync"]["manual"].pop(1),
        lambda o: None,
        "artifact redirect: no sync rule for services/snipkit/snipkit/**",
    ),
    (
        "src that matches no file",
        lambda c: artifact(c, "links")["sync"]["manual"][0].update(src="services/links/src/**"),
        lambda o: None,
        "artifact links sync services/links/src/**: matches no file of the repository",
    ),
    (
        "dest on the read-only root filesystem",
        lambda c: None,
        lambda o: without_mount(o, "links", "/src"),
        "Deployment/links container links: artifact links sync services/links/links/**/*.py writes to /src/links, "
        "which is on no writable volume",
    ),
    (
        "a second container of the image without /src",
        lambda c: None,
        lambda o: without_mount(o, "stats-worker", "/src"),
        "Deployment/stats-worker container stats-worker: artifact stats sync services/stats/stats/**/*.py writes to "
        "/src/stats, which is on no writable volume",
    ),
    (
        "the toolbox, which runs the image too, without /src: Skaffold's sync into it fails",
        lambda c: None,
        lambda o: container(find(o, "Deployment", "toolbox"), "links").update(volumeMounts=[]),
        "Deployment/toolbox container links: artifact links sync services/links/links/**/*.py writes to "
        "/src/links, which is on no writable volume",
    ),
    (
        "strip that is not part of src",
        lambda c: artifact(c, "links")["sync"]["manual"][0].update(strip="links/"),
        lambda o: None,
        "artifact links sync services/links/links/**/*.py: strip links/ is not a prefix of it",
    ),
    (
        "no strip: files land one folder too deep",
        lambda c: artifact(c, "redirect")["sync"]["manual"][0].pop("strip"),
        lambda o: None,
        "Deployment/redirect container redirect: services/redirect/redirect/__init__.py syncs to "
        "/src/redirect/services/redirect/redirect/__init__.py, not where PYTHONPATH=/src imports it from",
    ),
    (
        "no PYTHONPATH: the installed copy shadows the synced one",
        lambda c: None,
        lambda o: container(find(o, "Deployment", "web"), "web").pop("env"),
        "Deployment/web container web: services/web/web/__init__.py syncs to /src/web/__init__.py, "
        "not where PYTHONPATH= imports it from",
    ),
    (
        "no sync rules for pods that expect synced code",
        lambda c: artifact(c, "web").pop("sync"),
        lambda o: None,
        "Deployment/web container web: mounts /src for synced code, but artifact web has no sync rules",
    ),
    (
        "a migration synced into running pods, where it never runs",
        lambda c: artifact(c, "links")["sync"]["manual"][0].update(src="services/links/links/**"),
        lambda o: None,
        "artifact links sync services/links/links/**: syncs services/links/links/migrations/0001.links.sql, "
        "which only a new image's db-upgrade Job applies",
    ),
    (
        "destinations inferred from the Dockerfile",
        lambda c: artifact(c, "web").update(sync={"infer": ["services/**/*.py"]}),
        lambda o: None,
        "artifact web: sync.infer follows COPY lines, and the final stage copies no source",
    ),
]


@pytest.mark.parametrize(
    ("mistake", "change_config", "change_dev", "expected"), SYNC_MISTAKES, ids=[m[0] for m in SYNC_MISTAKES]
)
def test_each_sync_check_catches_its_mistake(broken, mistake, change_config, change_dev, expected):
    config, dev = copy.deepcopy(CONFIG), broken("dev")
    change_config(config)
    change_dev(dev)
    assert expected in skaffold.sync(config, dev, ROOT)


def texts() -> dict[str, str]:
    """The files that may spell a Skaffold command: workflows, scripts, docs, manifests."""
    skipped = {".venv", ".git", "build", "node_modules"}
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in ROOT.rglob("*")
        if path.suffix in {".md", ".yml", ".yaml", ".sh"}
        and path.is_file()
        and not skipped & set(path.relative_to(ROOT).parts)
    }


def test_every_profile_a_command_selects_exists():
    assert skaffold.profiles_named(CONFIG, texts()) == []


def test_a_profile_that_does_not_exist_is_caught():
    ci = {".github/workflows/ci.yml": "      - run: skaffold run -p dev --status-check=true\n"}
    docs = {"README.md": "`skaffold run -p staging|qa` deploys"}
    assert skaffold.profiles_named(CONFIG, {**ci, **docs}) == [
        ".github/workflows/ci.yml: skaffold -p dev, a profile skaffold.yaml does not have",
        "README.md: skaffold -p qa, a profile skaffold.yaml does not have",
    ]
