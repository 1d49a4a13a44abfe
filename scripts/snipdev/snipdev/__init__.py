"""Local tooling for snip (never shipped in a service image): embedded PostgreSQL and
Redis for a zero-setup ``make dev`` and ``make test``, database provisioning with the
same script the Kubernetes StatefulSet runs, and the Procfile runner."""

from pathlib import Path

#: The repository's top folder (this package is installed in editable mode from scripts/).
ROOT = Path(__file__).resolve().parents[3]
