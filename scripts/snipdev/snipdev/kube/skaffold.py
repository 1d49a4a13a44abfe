"""skaffold.yaml against the repository and the dev overlay: what each artifact builds,
where file sync writes in the containers ``skaffold dev`` deploys, and the profiles that
commands written elsewhere select."""

from __future__ import annotations

import glob
import re
from pathlib import Path, PurePosixPath

from .policy import app_containers, servers
from .render import image_name, name_of

#: The shared kit, which the Dockerfile installs in every image beside its service.
KIT = "snipkit"


def artifacts(config: dict, root: Path) -> list[str]:
    """Each artifact builds from a Dockerfile that exists, with SERVICE naming a folder
    of services/ that is also the image's name (manifests find a package by its image)."""
    problems = []
    for artifact in config["build"]["artifacts"]:
        image, docker = artifact["image"], artifact.get("docker", {})
        context = root / artifact.get("context", ".")
        dockerfile = docker.get("dockerfile", "Dockerfile")
        if not (context / dockerfile).is_file():
            problems.append(f"artifact {image}: dockerfile {dockerfile} does not exist")
        service = docker.get("buildArgs", {}).get("SERVICE")
        if not service or not (context / "services" / service).is_dir():
            problems.append(f"artifact {image}: build arg SERVICE={service} names no folder of services/")
        elif service != image:
            problems.append(f"artifact {image}: builds SERVICE={service}, but an image is named after its service")
    return problems


#: ``skaffold run -p staging|prod``, as workflows, scripts and docs spell a profile.
_PROFILE_FLAG = re.compile(r"\bskaffold [a-z]+\b[^\n`]*?\s(?:-p|--profile)[ =]([\w|,-]+)")


def profiles_named(config: dict, texts: dict[str, str]) -> list[str]:
    """Every profile a command in ``texts`` (file name -> content) selects exists; the
    dev overlay is the default configuration, selected by no -p at all."""
    known = {p["name"] for p in config.get("profiles", [])}
    return [
        f"{name}: skaffold -p {profile}, a profile skaffold.yaml does not have"
        for name, text in texts.items()
        for match in _PROFILE_FLAG.finditer(text)
        for profile in re.split(r"[|,]", match.group(1))
        if profile not in known
    ]


def _writable_volume_at(pod: dict, container: dict, path: str) -> bool:
    """Whether ``path`` is on a writable emptyDir of ``container`` (the deepest mount wins)."""
    volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
    covering = [
        m
        for m in container.get("volumeMounts", [])
        if PurePosixPath(path).is_relative_to(m["mountPath"]) and m["name"] in volumes
    ]
    if not covering:
        return False
    mount = max(covering, key=lambda m: len(PurePosixPath(m["mountPath"]).parts))
    return "emptyDir" in volumes[mount["name"]] and not mount.get("readOnly", False)


def _import_path(file: str) -> PurePosixPath:
    """Where a module sits below a PYTHONPATH entry: services/links/links/wsgi.py ->
    links/wsgi.py (each folder of services/ holds the package of its name)."""
    return PurePosixPath(*PurePosixPath(file).parts[2:])


#: Where the dev-reload component mounts the code that file sync writes to.
SYNCED_CODE = "/src"
#: Files that a running pod must never be given: a migration runs only in a new image's Job.
REBUILD_ONLY = "migrations"


def sync(config: dict, dev: list[dict], root: Path) -> list[str]:
    """Every package an image installs is synced, each manual sync rule matches files of
    the repository, and lands each in every running container of its image in the dev
    overlay: on a writable volume (the root filesystem is read-only), where the
    container's PYTHONPATH imports it from.

    An artifact with no sync rules is rebuilt on every change, which is allowed while no
    dev container of its image mounts code for sync (a new service before it gets its
    dev-reload patch)."""
    problems = []
    for artifact in config["build"]["artifacts"]:
        image, rules = artifact["image"], artifact.get("sync", {})
        # The serving pods import the synced code; Skaffold also writes it into every other
        # running container of the image (the toolbox), which must take it, or sync fails.
        # Jobs have finished by the time anything is synced.
        targets = [(o, p, c) for o, p, c in servers(dev) if image_name(c["image"]) == image]
        bystanders = [
            (o, p, c)
            for o, p, c in app_containers(dev)
            if image_name(c["image"]) == image and o["kind"] == "Deployment" and (o, p, c) not in targets
        ]
        if not rules:
            problems += [
                f"{name_of(o)} container {c['name']}: mounts {SYNCED_CODE} for synced code, but artifact {image}"
                " has no sync rules"
                for o, p, c in targets
                if _writable_volume_at(p, c, SYNCED_CODE)
            ]
            continue
        if "infer" in rules:
            problems.append(f"artifact {image}: sync.infer follows COPY lines, and the final stage copies no source")
        synced = {PurePosixPath(r["src"]).parts[1:3] for r in rules.get("manual", [])}
        service = artifact.get("docker", {}).get("buildArgs", {}).get("SERVICE")
        for package in sorted({service, KIT} - {None}):
            if (package, package) not in synced:
                problems.append(f"artifact {image}: no sync rule for services/{package}/{package}/**")
        for rule in rules.get("manual", []):
            src, dest, strip = rule["src"], rule["dest"], rule.get("strip", "")
            where = f"artifact {image} sync {src}"
            files = sorted(f for f in glob.glob(src, root_dir=root, recursive=True) if (root / f).is_file())
            if not files:
                problems.append(f"{where}: matches no file of the repository")
                continue
            if not src.startswith(strip):
                problems.append(f"{where}: strip {strip} is not a prefix of it")
                continue
            rebuilds = [f for f in files if REBUILD_ONLY in PurePosixPath(f).parts]
            if rebuilds:
                problems.append(f"{where}: syncs {rebuilds[0]}, which only a new image's db-upgrade Job applies")
            for obj, pod, c in bystanders + targets:
                if not _writable_volume_at(pod, c, dest):
                    in_container = f"{name_of(obj)} container {c['name']}"
                    problems.append(f"{in_container}: {where} writes to {dest}, which is on no writable volume")
            for obj, _pod, c in targets:
                in_container = f"{name_of(obj)} container {c['name']}"
                entries = next((e.get("value", "") for e in c.get("env", []) if e["name"] == "PYTHONPATH"), "")
                for file in files:
                    lands = PurePosixPath(dest, file.removeprefix(strip))
                    if not any(lands == PurePosixPath(e, _import_path(file)) for e in entries.split(":") if e):
                        problems.append(
                            f"{in_container}: {file} syncs to {lands}, not where PYTHONPATH={entries} imports it from"
                        )
                        break
    return problems
