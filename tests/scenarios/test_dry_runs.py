"""The cluster scenarios' ``--dry-run``: it runs no kubectl, and every object, namespace,
selector and container it names exists in the overlay the script is for (dev, with the
load generator where the script needs load). Each check is also shown to fail on a
deliberately broken copy of the overlay."""

from __future__ import annotations

import copy
import os
import stat
import subprocess

import pytest

from snipdev import ROOT
from snipdev.kube import render, scenarios, validate

SCRIPTS = ROOT / "scripts" / "scenarios"
LOADGENERATOR = render.COMPONENTS / "loadgenerator"
#: script -> (its arguments, whether it needs the load generator)
RUNS = {
    "swap-database": ([], False),
    "scale-out": ([], True),
    "self-heal": ([], True),
    "rolling-update": (["ghcr.io/example/snip/redirect:v0.2.0"], True),
    "admin-process": ([], False),
}


@pytest.fixture(scope="module")
def dev() -> list[dict]:
    return render.render(render.OVERLAYS / "dev")


@pytest.fixture(scope="module")
def dev_with_load(tmp_path_factory, dev) -> list[dict]:
    """The dev overlay as a trainer deploys it for the load scenarios: with the
    loadgenerator component (its README adds it to the overlay the same way)."""
    workdir = tmp_path_factory.mktemp("dev-with-load")
    (workdir / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: snip-dev\n"
        f"resources: [{os.path.relpath(render.OVERLAYS / 'dev', workdir)}]\n"
        f"components: [{os.path.relpath(LOADGENERATOR, workdir)}]\n"
    )
    return render.render(workdir)


def _objects(script: str, dev, dev_with_load) -> list[dict]:
    return dev_with_load if RUNS[script][1] else dev


def _commands(script: str) -> list[list[str]]:
    args, _ = RUNS[script]
    return scenarios.dry_run(SCRIPTS / f"{script}.sh", *args)


def test_there_is_a_run_for_every_script():
    assert {p.stem for p in SCRIPTS.glob("*.sh")} - {"lib"} == set(RUNS)


@pytest.mark.parametrize("script", RUNS)
def test_dry_run_runs_no_kubectl(script, tmp_path):
    """A kubectl first on PATH that records being called: a dry run never calls it."""
    calls = tmp_path / "calls"
    fake = tmp_path / "kubectl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 1\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    commands = scenarios.dry_run(SCRIPTS / f"{script}.sh", *RUNS[script][0], env=env)
    assert len(commands) >= 5 and all(c[0] in ("kubectl", "sleep", "timeout") for c in commands)
    assert not calls.exists(), calls.read_text()


@pytest.mark.parametrize("script", RUNS)
@pytest.mark.parametrize(("args", "status", "says"), [(["--help"], 0, "--namespace"), (["--bogus"], 2, "--bogus")])
def test_help_and_unknown_flags_run_no_kubectl(script, args, status, says, tmp_path):
    """--help prints what the script does and stops; a flag it does not know stops it,
    naming the flag: neither touches the current kube context."""
    calls = tmp_path / "calls"
    fake = tmp_path / "kubectl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 1\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    done = subprocess.run([SCRIPTS / f"{script}.sh", *args], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == status
    assert says in done.stdout + done.stderr
    assert not calls.exists(), calls.read_text()


@pytest.mark.parametrize("script", RUNS)
def test_dry_run_agrees_with_the_overlay(script, dev, dev_with_load):
    assert scenarios.check(_commands(script), _objects(script, dev, dev_with_load)) == []


def test_the_second_postgres_is_a_new_server_beside_the_first(dev):
    """postgres-next is renamed through and through: the old Service must not select its
    pods, and its passwords come from its own Secret."""
    new = render.render(SCRIPTS / "postgres-next")
    statefulset = render.find(new, "StatefulSet", "postgres-next")
    old_service = render.find(dev, "Service", "postgres")
    assert render.behind(new, {**old_service, "metadata": {}}) == []
    assert statefulset["spec"]["serviceName"] == "postgres-headless-next"
    assert render.find(new, "Service", "postgres-next")["spec"].get("clusterIP") != "None"
    env = render.container(statefulset, "postgres")["env"]
    refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in env if "valueFrom" in e}
    assert refs == {"postgres-next"}
    # It runs in the overlay's namespace, so Pod Security "restricted" applies to it too:
    # tests/k8s/test_policy.py has checkov judge it with the overlays.
    assert validate.validate({"postgres-next": new}, "1.33") == []


def _rename_deployment(objects, old, new):
    render.find(objects, "Deployment", old)["metadata"]["name"] = new


def _rename_container(objects, deployment, old, new):
    render.container(render.find(objects, "Deployment", deployment), old)["name"] = new


def _relabel(objects, deployment, app):
    render.find(objects, "Deployment", deployment)["spec"]["template"]["metadata"]["labels"]["app"] = app


def _move(objects, namespace):
    for obj in objects:
        if obj["kind"] == "Namespace":
            obj["metadata"]["name"] = namespace
        elif "namespace" in obj["metadata"]:
            obj["metadata"]["namespace"] = namespace


MISTAKES = {
    "Deployment renamed": (
        "swap-database",
        lambda o: _rename_deployment(o, "stats-worker", "stats-consumer"),
        "no Deployment/stats-worker in snip-dev",
    ),
    "container renamed": (
        "rolling-update",
        lambda o: _rename_container(o, "redirect", "redirect", "app"),
        "Deployment/redirect has no container redirect",
    ),
    "pod label changed": (
        "self-heal",
        lambda o: _relabel(o, "links", "links-api"),
        "no pod in snip-dev has the labels {'app': 'links'}",
    ),
    "overlay in another namespace": ("scale-out", lambda o: _move(o, "snip-workshop"), "namespace snip-dev is not"),
    "migrate Job renamed": (
        "admin-process",
        lambda o: render.find(o, "Job", "links-db-upgrade")["metadata"].update(name="links-migrate"),
        "no Job/links-db-upgrade in snip-dev",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_the_check_catches_a_broken_overlay(mistake, dev, dev_with_load):
    script, breaks, expected = MISTAKES[mistake]
    objects = copy.deepcopy(_objects(script, dev, dev_with_load))
    breaks(objects)
    problems = scenarios.check(_commands(script), objects)
    assert any(expected in problem for problem in problems), problems


def test_a_pod_named_in_a_script_is_caught(dev):
    commands = [["kubectl", "-n", "snip-dev", "delete", "pod", "links-5d8c7-x2x9q"], ["kubectl", "get", "pods"]]
    problems = scenarios.check(commands, dev)
    assert len(problems) == 2
    assert "pod names are made at run time" in problems[0] and "no namespace" in problems[1]


def test_make_scenario_dry_runs_shows_every_scenario():
    done = subprocess.run([ROOT / "scripts" / "scenario-dry-runs.sh"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [line.split()[1] for line in done.stdout.splitlines() if line.startswith("######## ")] == list(RUNS)


def _external(tmp_path) -> list[str]:
    """swap-database.sh's arguments for a database outside the cluster."""
    (tmp_path / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (tmp_path / "password").write_text("not-a-real-one")
    return ["192.0.2.10:5432", str(tmp_path / "ca.crt"), str(tmp_path / "password")]


def test_the_swap_to_an_external_database_agrees_with_the_overlay(dev, tmp_path):
    commands = scenarios.dry_run(SCRIPTS / "swap-database.sh", *_external(tmp_path))
    assert scenarios.check(commands, dev) == []
    lines = [" ".join(c) for c in commands]
    assert any("apply -k" in line and line.endswith("scenarios/postgres-external") for line in lines)
    assert any("exec -i deployment/toolbox -c postgres" in line for line in lines), "no provisioning step"
    # Its name inside the cluster is a Service with no selector: only the EndpointSlice
    # the script patches gives it an address, never a pod of the suite.
    service, endpoints = render.render(SCRIPTS / "postgres-external")
    assert service["kind"] == "Service" and "selector" not in service["spec"]
    assert endpoints["metadata"]["labels"]["kubernetes.io/service-name"] == service["metadata"]["name"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda args: ["192.0.2:5432", *args[1:]], "must be an IPv4 address and a port"),
        (lambda args: [args[0], "/nonexistent/ca.crt", args[2]], "cannot read /nonexistent/ca.crt"),
        (lambda args: [args[0], args[2], args[2]], "holds no PEM certificate"),
        (lambda args: args[:2], "usage: swap-database.sh"),
    ],
)
def test_the_swap_refuses_bad_external_arguments(change, says, tmp_path):
    done = subprocess.run(
        [SCRIPTS / "swap-database.sh", "--dry-run", *change(_external(tmp_path))],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2 and says in done.stderr, done.stderr
