"""The cluster scenarios (``scripts/scenarios/*.sh``) checked against the rendered
manifests: every object, namespace, label selector and container that a script's
``--dry-run`` names must exist, so a renamed Deployment or container breaks a test
here instead of a workshop.

Names a script only learns at run time (a pod, a generated Secret) are printed by the
dry run as ``$(kubectl ...)``; that query is a command of its own and is checked as one.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from snipdev import ROOT

from . import render

KINDS = {
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "job": "Job",
    "cronjob": "CronJob",
    "hpa": "HorizontalPodAutoscaler",
    "secret": "Secret",
    "service": "Service",
    "configmap": "ConfigMap",
    "pod": "Pod",
    "pods": "Pod",
}
#: kubectl flags that take a value (``-c links`` as well as ``--container=links``).
VALUE_FLAGS = {
    "-n", "--namespace", "--context", "-c", "--container", "-l", "--selector", "-o", "--output",
    "--for", "--timeout", "--type", "-p", "--patch", "--patch-file", "--since", "--tail",
    "--from", "--from-file", "--from-literal", "--replicas", "--max-log-requests", "-k", "-f",
}  # fmt: skip
#: Verbs whose second word is part of the verb (``rollout status``, ``set image``).
TWO_WORD_VERBS = {"rollout", "set", "create"}


def dry_run(script: Path, *args: str, env: dict[str, str] | None = None) -> list[list[str]]:
    """The commands ``script --dry-run`` prints (lines ``+ command``), each split into words."""
    done = subprocess.run(
        [str(script), "--dry-run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise AssertionError(f"{script.name} --dry-run exited with {done.returncode}: {done.stderr}")
    return [shlex.split(line[2:]) for line in done.stdout.splitlines() if line.startswith("+ ")]


@dataclass
class Command:
    """One kubectl command line, taken apart."""

    line: str
    verb: str = ""
    namespace: str | None = None
    flags: dict[str, str] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, argv: list[str]) -> Command:
        command = cls(shlex.join(argv))
        words, i = argv[1:], 0
        while i < len(words):
            word = words[i]
            if word == "--":
                break  # the container's own command follows
            if word.startswith("-"):
                name, _, value = word.partition("=")
                if name in VALUE_FLAGS and not value:
                    i += 1
                    value = words[i]
                command.flags[name] = value
            else:
                command.words.append(word)
            i += 1
        command.namespace = command.flags.get("-n", command.flags.get("--namespace"))
        first = command.words.pop(0)
        command.verb = f"{first} {command.words.pop(0)}" if first in TWO_WORD_VERBS else first
        return command

    def refs(self) -> list[tuple[str, str | None]]:
        """(kind, name) of every object named, ``kind/name`` or ``kind name``; the name
        is None for a kind alone (``get pods -l app=links``)."""
        if self.verb in ("create secret", "create job", "apply"):
            return []
        found, words = [], list(self.words)
        while words:
            word = words.pop(0)
            kind, slash, name = word.partition("/")
            if kind.lower() not in KINDS:
                continue
            if not slash:
                name = words.pop(0) if words and "=" not in words[0] else None
            found.append((KINDS[kind.lower()], name))
        return found


def _selector_terms(selector: str) -> list[dict[str, str]]:
    """``app=links`` and ``app in (links,web)`` as the label sets each must match."""
    terms = []
    for key, values in re.findall(r"([\w./-]+)\s+in\s+\(([^)]*)\)", selector):
        terms += [{key: value.strip()} for value in values.split(",")]
    for key, value in re.findall(r"([\w./-]+)=([\w.-]+)", selector):
        terms.append({key: value})
    return terms


class Cluster:
    """The objects a script may use: the rendered overlay, and what the script itself
    creates on the way (a Secret, an applied kustomization, a Job from a CronJob)."""

    def __init__(self, objects: list[dict]):
        self.objects = list(objects)
        self.namespaces = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}

    def find(self, kind: str, name: str, namespace: str) -> dict | None:
        for obj in self.objects:
            meta = obj["metadata"]
            if obj["kind"] == kind and meta["name"] == name and meta.get("namespace") == namespace:
                return obj
        return None

    def pods(self, labels: dict[str, str], namespace: str) -> list[dict]:
        """Workloads whose pods carry ``labels``."""
        return [
            obj
            for obj, pod in render.workloads(self.objects)
            if obj["metadata"].get("namespace") == namespace
            and render.matches({"matchLabels": labels}, pod["metadata"].get("labels", {}))
        ]

    def add(self, objects: list[dict], namespace: str) -> None:
        for obj in objects:
            obj["metadata"].setdefault("namespace", namespace)
        self.objects += objects


def _containers(workload: dict) -> set[str]:
    return {c["name"] for _, pod in render.workloads([workload]) for c in render.containers(pod)}


def check(commands: list[list[str]], objects: list[dict]) -> list[str]:
    """Problems with the kubectl commands of a dry run, against an overlay's objects."""
    cluster, problems = Cluster(objects), []
    for argv in commands:
        if argv[:1] == ["timeout"]:
            argv = argv[2:]
        if argv[:1] == ["kubectl"]:
            problems += [f"`{shlex.join(argv)}`: {p}" for p in _check_one(Command.parse(argv), cluster)]
    return problems


def _check_one(command: Command, cluster: Cluster) -> list[str]:
    ns = command.namespace
    if ns is None:
        return ["no namespace: it would act on whatever namespace the context points at"]
    if ns not in cluster.namespaces:
        return [f"namespace {ns} is not the overlay's ({', '.join(sorted(cluster.namespaces))})"]
    problems = []
    if command.verb == "apply" and "-k" in command.flags:
        try:
            cluster.add(render.render(ROOT / command.flags["-k"]), ns)
        except render.RenderError as exc:
            problems.append(str(exc))
    if command.verb == "create secret":
        cluster.add([{"kind": "Secret", "metadata": {"name": command.words[1]}}], ns)
    if command.verb == "create job":
        kind, _, name = command.flags.get("--from", "").partition("/")
        cronjob = cluster.find("CronJob", name, ns) if kind == "cronjob" else None
        if cronjob is None:
            problems.append(f"no CronJob/{name} in {ns} to make a Job from")
        else:
            template = cronjob["spec"]["jobTemplate"]["spec"]
            cluster.add([{"kind": "Job", "metadata": {"name": command.words[0]}, "spec": template}], ns)
    workloads = []
    for kind, name in command.refs():
        if name is None or name.startswith("$("):
            continue  # a name learnt at run time, by a query checked on its own line
        if kind == "Pod":
            problems.append(f"pod {name}: pod names are made at run time; ask for one")
            continue
        obj = cluster.find(kind, name, ns)
        if obj is None:
            problems.append(f"no {kind}/{name} in {ns}")
        else:
            workloads.append(obj)
    selector = command.flags.get("-l", command.flags.get("--selector"))
    for labels in _selector_terms(selector or ""):
        selected = cluster.pods(labels, ns)
        if not selected:
            problems.append(f"no pod in {ns} has the labels {labels}")
        workloads += selected
    wanted = [command.flags[c] for c in ("-c", "--container") if c in command.flags]
    if command.verb == "set image":
        wanted += [word.split("=")[0] for word in command.words if "=" in word]
    for name in wanted:
        for workload in workloads:
            if name not in _containers(workload):
                problems.append(f"{render.name_of(workload)} has no container {name}")
    return problems
