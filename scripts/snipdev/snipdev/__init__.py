"""What users run on their machine (never shipped in a service image): ``make dev`` with
embedded PostgreSQL and Redis, database provisioning with the same script the Kubernetes
StatefulSet runs, the Procfile runner, the admin commands and ``make smoke``; and the
checks of the rendered manifests (:mod:`snipdev.kube`)."""

from pathlib import Path

#: The repository's top folder (this package is installed in editable mode from scripts/).
ROOT = Path(__file__).resolve().parents[3]
