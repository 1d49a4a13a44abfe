"""The alerting rules, as rendered into the PrometheusRule, checked and unit-tested by
promtool (Debian's prometheus package; .ci/run installs it), and every metric they use
defined by the code or by the exporter named for it."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client import REGISTRY

import snipkit.metrics  # noqa: F401 - registers the kit's metrics in REGISTRY
from snipdev.kube import render
from snipdev.kube.render import COMPONENTS, find

RULE_TESTS = COMPONENTS / "monitoring" / "rules.test.yaml"
#: Metrics that come from outside the suite, and from where.
EXTERNAL_METRICS = {"kube_pod_container_status_restarts_total": "kube-state-metrics"}
#: Metrics a service package must define, and that package.
SERVICE_METRICS = {"stats_oldest_unprocessed_age_seconds": "stats"}


@pytest.fixture(scope="module")
def promtool():
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    return path


def rules_of(objects: list[dict]) -> dict:
    return find(objects, "PrometheusRule", "snip")["spec"]


def run_promtool(promtool: str, rules: dict, tmp_path) -> subprocess.CompletedProcess:
    """`promtool check rules` then `promtool test rules` on ``rules``, beside the unit tests."""
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    (tmp_path / "rules.test.yaml").write_text(RULE_TESTS.read_text())
    checked = subprocess.run(
        [promtool, "check", "rules", "rules.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    if checked.returncode != 0:
        return checked
    return subprocess.run(
        [promtool, "test", "rules", "rules.test.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_rules_are_valid_and_pass_their_unit_tests(promtool, rendered, tmp_path):
    done = run_promtool(promtool, rules_of(rendered["prod"]), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_rule_with_a_syntax_error_is_caught(promtool, rendered, tmp_path):
    rules = rules_of(rendered["prod"])
    rules["groups"][0]["rules"][0]["expr"] = "sum by (service) (rate(http_requests_total[5m])"
    done = run_promtool(promtool, rules, tmp_path)
    assert done.returncode != 0
    assert "SnipHighErrorRate" in done.stdout + done.stderr


def test_a_rule_that_no_longer_fires_is_caught(promtool, rendered, tmp_path):
    rules = rules_of(rendered["prod"])
    rules["groups"][0]["rules"][0]["expr"] = rules["groups"][0]["rules"][0]["expr"].replace("0.05", "0.5")
    done = run_promtool(promtool, rules, tmp_path)
    assert done.returncode != 0
    assert "SnipHighErrorRate" in done.stdout + done.stderr


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers followed by a selector or range."""
    names = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]", expr))
    return {re.sub(r"_(bucket|count|sum)$", "", n) for n in names} - {"by", "without"}


def test_every_metric_in_the_rules_has_a_source(rendered):
    defined = set(REGISTRY._names_to_collectors)  # the public API offers no lookup by name
    used = set().union(*(metric_names(r["expr"]) for g in rules_of(rendered["prod"])["groups"] for r in g["rules"]))
    unknown = used - defined - set(EXTERNAL_METRICS) - set(SERVICE_METRICS)
    assert unknown == set()
    assert metric_names('histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket{a="b"}[5m])))') == {"x_seconds"}


@pytest.mark.parametrize(("metric", "package"), sorted(SERVICE_METRICS.items()))
def test_service_metrics_in_the_rules_are_defined_by_the_service(metric, package):
    try:
        root = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name != package:
            raise
        pytest.fail(f"package {package} is not installed: scripts/bootstrap.sh installs every services/*")
    for module in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        # wsgi modules build the app from the environment at import; they define no metrics.
        if not module.name.endswith(".wsgi"):
            importlib.import_module(module.name)

    assert metric in REGISTRY._names_to_collectors, f"{package} defines no metric {metric}; the alert would never fire"


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_prometheus_finds_the_monitoring_objects_by_its_release_label(rendered, overlay):
    for kind in ("ServiceMonitor", "PrometheusRule"):
        assert find(rendered[overlay], kind, "snip")["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_the_readmes_patch_sets_another_release(tmp_path):
    """The monitoring README's patch, on an overlay, relabels both objects."""
    readme = (COMPONENTS / "monitoring" / "README.md").read_text()
    patch = yaml.safe_load(re.search(r"```yaml\n(.*?)```", readme, re.S).group(1))
    kustomization = {
        "resources": [os.path.relpath(render.OVERLAYS / "staging", tmp_path)],
        **patch,
    }
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    objects = render.render(tmp_path)
    assert {
        find(objects, k, "snip")["metadata"]["labels"]["release"] for k in ("ServiceMonitor", "PrometheusRule")
    } == {"my-prometheus"}
