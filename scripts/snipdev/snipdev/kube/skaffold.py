"""skaffold.yaml against the repository: what each artifact builds."""

from __future__ import annotations

from pathlib import Path


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
