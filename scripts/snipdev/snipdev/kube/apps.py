"""Checks of the manifests against the services' own code, as installed in this
environment: probe paths and Ingress paths are routes of the app, and every command a
container runs exists in the image's command line."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from functools import cache

import click
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from .policy import app_containers
from .render import behind, image_name, name_of, workloads

#: Values for every setting a service may require; nothing connects while routes are read.
PLACEHOLDER_CONFIG = {
    "DATABASE_URL": "postgresql://check@127.0.0.1:1/check",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "PUBLIC_BASE_URL": "http://snip.test",
    "LINKS_URL": "http://links.test",
    "STATS_URL": "http://stats.test",
    "SECRET_KEY": "check",
}


class NotInstalled(Exception):
    """The service's package is not installed in this environment."""


def package_of(container: dict) -> str | None:
    """The package a command runs: ``links.wsgi:app`` -> ``links``; a console script
    (``stats worker``) is named after its package."""
    command = container.get("command", [])
    if command[:1] == ["gunicorn"]:
        return command[-1].split(".")[0].split(":")[0]
    return command[0] if command else None


@cache
def load_app(package: str) -> Flask:
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name == package:
            raise NotInstalled(package) from None
        raise
    return module.create_app(dict(PLACEHOLDER_CONFIG))


def _serves(app: Flask, path: str, *, prefix: bool = False) -> bool:
    if prefix:
        return path == "/" or any(rule.rule.startswith(path) for rule in app.url_map.iter_rules())
    try:
        app.url_map.bind("localhost").match(path, method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    return True


def _containers_of(objects: list[dict], package: str):
    """The containers running the package's image (each image is named after its package),
    and the init containers that run its console script (wait-for-schema's `db wait`)."""
    for obj, _pod, c in app_containers(objects):
        if image_name(c["image"]) == package:
            yield obj, c
    for obj, pod in workloads(objects):
        for c in pod["spec"].get("initContainers", []):
            if image_name(c["image"]) == package and c.get("command", [None])[0] == package:
                yield obj, c


def probe_paths(objects: list[dict], package: str) -> list[str]:
    """Every HTTP probe of the package's containers GETs a route its app serves."""
    problems = []
    for obj, c in _containers_of(objects, package):
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            path = c.get(probe, {}).get("httpGet", {}).get("path")
            if path and not _serves(load_app(package), path):
                problems.append(f"{name_of(obj)} container {c['name']}: {probe} path {path} is no route of {package}")
    return problems


def ingress_paths(objects: list[dict], package: str) -> list[str]:
    """Every Ingress path sent to one of the package's Services is served by its app."""
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    problems = []
    for ing in (o for o in objects if o["kind"] == "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                service = services.get(path["backend"]["service"]["name"])
                pods = behind(objects, service) if service else []
                served_by = {image_name(c["image"]) for _obj, pod in pods for c in pod["spec"]["containers"]}
                if package in served_by and not _serves(load_app(package), path["path"], prefix=True):
                    problems.append(f"{name_of(ing)}: {path['path']} reaches {package}, which has no route under it")
    return problems


#: The toolbox's containers (admin-jobs/toolbox.yaml) idle with the base image's `sleep`
#: until someone runs a command in them with `kubectl exec`.
IDLE = ["sleep", "infinity"]


def _console_script(name: str) -> importlib.metadata.EntryPoint | None:
    return next(iter(importlib.metadata.entry_points(group="console_scripts", name=name)), None)


def commands(objects: list[dict], package: str) -> list[str]:
    """Every command of the package's containers exists: a gunicorn app module, or a
    console script of the package with the sub-commands given."""
    problems = []
    for obj, c in _containers_of(objects, package):
        where = f"{name_of(obj)} container {c['name']}"
        command = c.get("command", [])
        if command == IDLE:
            continue
        if command[:1] == ["gunicorn"]:
            module = command[-1].split(":")[0]
            if module.split(".")[0] != package or importlib.util.find_spec(module) is None:
                problems.append(f"{where}: gunicorn app module {module} does not exist in {package}")
            continue
        script = _console_script(command[0])
        if script is None or script.module.split(".")[0] != package:
            problems.append(f"{where}: {command[0]} is no console script of {package}")
            continue
        group = script.load()
        found = {**group.commands, **load_app(package).cli.commands}
        for i, word in enumerate(command[1:], start=1):
            if word.startswith("-"):
                break
            cmd = found.get(word)
            if cmd is None:
                problems.append(f"{where}: `{' '.join(command[: i + 1])}` is not a command of {package}")
                break
            found = cmd.commands if isinstance(cmd, click.Group) else {}
    return problems
