"""Custom resource definitions the staging and prod overlays need from a cluster: the
Prometheus Operator's ServiceMonitor and PrometheusRule, at a pinned release, taken from
its Go module (the Go module proxy serves it where no download site can be reached)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

PROMETHEUS_OPERATOR = "github.com/prometheus-operator/prometheus-operator@v0.85.0"
MONITORING_CRDS = ("servicemonitors", "prometheusrules")


def monitoring_crds() -> list[dict]:
    done = subprocess.run(
        ["go", "mod", "download", "-json", PROMETHEUS_OPERATOR], capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise AssertionError(f"go mod download {PROMETHEUS_OPERATOR}: {done.stdout or done.stderr}")
    directory = Path(json.loads(done.stdout)["Dir"]) / "example" / "prometheus-operator-crd"
    return [yaml.safe_load((directory / f"monitoring.coreos.com_{name}.yaml").read_text()) for name in MONITORING_CRDS]
