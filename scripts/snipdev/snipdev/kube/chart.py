"""A Helm chart generated from a released overlay's render, never written by hand:

    python -m snipdev.kube.chart RENDER VERSION CHART_DIR

RENDER is what `make release-manifests` writes (the prod overlay, images pinned by
digest). The overlays stay the one source of truth; the chart is that render with only
what varies per install turned into values (``VALUES``), and what Helm needs of its own:

- Namespaces are not in it: Helm installs into a namespace, it does not own one. Users
  create them as for `kubectl apply -k` (docs/kubernetes.md), with their Pod Security
  labels; the overlay's namespace becomes the release's, the logging agent's a value.
- Cluster-wide objects are named after the release's namespace, so installs never meet.
- A PersistentVolumeClaim of the chart's own (the backups') is kept by `helm uninstall`,
  like the StatefulSets' volumes, which Helm never owned: uninstalling deletes no data.
- Each migration Job is named after the release revision: a Job's pod template cannot
  change, so each `helm upgrade` or `helm rollback` creates its own, and Helm deletes the
  last one. Not hooks: the pods' wait-for-schema init containers would wait on a hook
  that `--wait` holds back.
- `helm test` runs the smoke test (k8s/smoke-test/smoke.sh), in the Pod that
  `skaffold verify` runs: skaffold.yaml's verify container and overrides. Helm deletes
  it once it passes, and keeps a failed one to read.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import yaml

from snipdev import ROOT

#: The prod overlay's own values, which a render with the defaults reproduces exactly.
NAMESPACE = "snip-prod"
LOGGING_NAMESPACE = "snip-logging"
HOST = "snip.example"
MONITORING_RELEASE = "kube-prometheus-stack"

VALUES = f"""\
# What varies from one install of snip to another; everything else is the prod overlay
# as released (kustomize/overlays/prod), images pinned by digest. The suite installs into
# the release's namespace, which you create first (docs/kubernetes.md, Helm).

# The public host name: the Ingress's host, and links' short URLs (https://HOST/r/CODE).
host: {HOST}

monitoring:
  # kube-prometheus-stack's Helm release name: its Prometheus selects ServiceMonitors and
  # PrometheusRules by the label release=<this>.
  release: {MONITORING_RELEASE}

logging:
  # The log agent's namespace, Pod Security "privileged" (it reads the node's files).
  namespace: {LOGGING_NAMESPACE}
"""

HELPERS = """\
{{/* links' ConfigMap holds the public URL: another host gives it another name, as
kustomize's hash would, so that links' pods roll when the host changes. */}}
{{- define "snip.linksConfig" -}}
%s{{ if ne .Values.host "%s" }}-{{ .Values.host | sha256sum | trunc 8 }}{{ end }}
{{- end -}}
"""


def escape(text: str) -> str:
    """The render's own braces (Prometheus's alert templates) as literal text for Helm."""
    text = text.replace("{{", "\0open").replace("}}", "\0close")
    return text.replace("\0open", '{{ "{{" }}').replace("\0close", '{{ "}}" }}')


def words(old: str, new: str, text: str) -> str:
    """Replace ``old`` as a whole name only (a namespace in DNS names, selectors, paths)."""
    return re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)


def template(obj: dict, links_config: str) -> str:
    kind, name = obj["kind"], obj["metadata"]["name"]
    if kind in ("ClusterRole", "ClusterRoleBinding"):
        obj["metadata"]["name"] = f"RELEASE-NAMESPACE-{name}"
        if kind == "ClusterRoleBinding":
            obj["roleRef"]["name"] = f"RELEASE-NAMESPACE-{obj['roleRef']['name']}"
    if kind == "Job" and name.endswith("-db-upgrade"):
        obj["metadata"]["name"] = f"{name}-RELEASE-REVISION"
    if kind == "PersistentVolumeClaim":
        obj["metadata"].setdefault("annotations", {})["helm.sh/resource-policy"] = "keep"
    text = escape(yaml.safe_dump(obj, sort_keys=False))
    text = words(NAMESPACE, "{{ .Release.Namespace }}", text)
    text = words(LOGGING_NAMESPACE, "{{ .Values.logging.namespace }}", text)
    text = text.replace("RELEASE-NAMESPACE-", "{{ .Release.Namespace }}-")
    text = text.replace("-RELEASE-REVISION", "-{{ .Release.Revision }}")
    text = words(links_config, '{{ include "snip.linksConfig" . }}', text)
    if kind == "Ingress":
        text = words(HOST, "{{ .Values.host | quote }}", text)
    if kind == "ConfigMap" and name == links_config:
        text = words(f"https://{HOST}", "https://{{ .Values.host }}", text)
    if kind in ("ServiceMonitor", "PrometheusRule"):
        text = text.replace(f"release: {MONITORING_RELEASE}\n", "release: {{ .Values.monitoring.release | quote }}\n")
    return text


def smoke_test() -> dict:
    """The Pod `helm test` runs: the one skaffold.yaml's verify step runs, as a hook."""
    verify = yaml.safe_load((ROOT / "skaffold.yaml").read_text())["verify"][0]
    job = json.loads(verify["executionMode"]["kubernetesCluster"]["overrides"])
    pod = job["spec"]["template"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": verify["name"],
            "labels": pod["metadata"]["labels"],
            # Deleted once passed (helm uninstall then leaves no pod), kept when failed, to read.
            "annotations": {
                "helm.sh/hook": "test",
                "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
            },
        },
        "spec": {**pod["spec"], "restartPolicy": "Never"},
    }


def chart_yaml(version: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v2",
            "name": "snip",
            "description": "snip, the URL shortener suite: the prod overlay as released, images pinned by digest",
            "type": "application",
            "version": version.removeprefix("v"),
            "appVersion": version,
            # Native sidecars (the PgBouncer in redirect's pods).
            "kubeVersion": ">=1.29.0-0",
        },
        sort_keys=False,
    )


def file_name(obj: dict) -> str:
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def generate(render: Path, version: str, out: Path) -> None:
    objects = [o for o in yaml.safe_load_all(render.read_text()) if o and o["kind"] != "Namespace"]
    links_config = next(
        o["metadata"]["name"]
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("links-config-")
    )
    shutil.rmtree(out, ignore_errors=True)
    (out / "templates" / "tests").mkdir(parents=True)
    (out / "Chart.yaml").write_text(chart_yaml(version))
    (out / "values.yaml").write_text(VALUES)
    (out / "templates" / "_helpers.tpl").write_text(HELPERS % (links_config, HOST))
    for obj in objects:
        (out / "templates" / file_name(obj)).write_text(template(obj, links_config))
    test = smoke_test()
    (out / "templates" / "tests" / file_name(test)).write_text(yaml.safe_dump(test, sort_keys=False))


if __name__ == "__main__":
    generate(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
