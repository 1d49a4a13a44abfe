"""make bench's harness, in its smoke mode: a figure of each kind for one second, a
before/after pair against this checkout's own commit, and the scale series at two tiny
sizes, on this run's PostgreSQL and Redis. It proves the harness runs end to end and
writes its files; no figure is judged here (docs/performance.md shows the targets)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from snipbench import scale

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian package wrk)"),
]


@pytest.fixture(scope="module")
def smoke(sandbox, tmp_path_factory):
    """One smoke run: (its results.json, results.md, stdout, output folder)."""
    out = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "TEST_DATABASE_URL": sandbox.admin_url, "TEST_REDIS_URL": sandbox.redis_url}
    argv = ["--smoke", "--scale", "50,200", "--baseline", "HEAD", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "snipbench", *argv], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "results.json").read_text()), (out / "results.md").read_text(), result.stdout, out


def test_every_smoke_figure_is_measured_without_errors(smoke):
    results, table, stdout, _out = smoke
    commit = results["machine"]["commit"]
    expected = {"ceiling", "same-work ceiling", "redirect (warm cache)", "links create", "stats-api read", "web home"}
    assert set(results["http"]) == expected | {f"web home, at {commit}"}
    for figure in results["http"].values():
        assert figure["rounds"] and figure["rounds"][0]["requests"] > 0
        assert figure["errors"] == 0
    assert results["http"]["links create"]["rps_ratio"] > 0
    assert {"ceiling", "links"} <= set(results["startup"]) and results["rss_mb"]["links"]
    assert "| links create |" in table and table in stdout


def test_overhead_and_before_after_pairs_are_reported(smoke):
    results, table, _stdout, _out = smoke
    assert set(results["same_work"]) == {"by_rps", "by_cpu"}
    [pair] = results["baseline"]
    assert pair["figure"] == "web home" and pair["baseline"] == results["machine"]["commit"]
    assert pair["before"]["rps"] > 0 and pair["cpu_ratio"] > 0
    assert "Same-work ceiling" in table and "before/after, same run" in table
    judged = {row["target"] for row in results["targets"]}
    assert {"web home CPU per request", "web home req/s vs ceiling"} <= judged


def test_scale_series_measures_each_size(smoke):
    results, table, _stdout, out = smoke
    series = results["scale"]
    assert list(series["sizes"]) == ["50", "200"] and series["smallest"] == "50"
    for size in series["sizes"].values():
        assert size["clicks"] >= size["links"] * 10
        assert set(size["figures"]) == set(scale.FIGURES)
        for figure in size["figures"].values():
            assert figure["errors"] == 0 and figure["rounds"][0]["requests"] > 0
        # Every code was cached before the warm figure; the cold one started with none.
        assert size["figures"][scale.WARM]["hit_ratio"] == 1
        assert size["figures"][scale.COLD]["hit_ratio"] < 1
        assert all(figure["cpu_us"] > 0 for figure in size["figures"].values())
        # The same clicks counted by today's worker and by the baseline's.
        assert size["worker"]["events_per_s"] > 0 and size["worker"]["before"]["events_per_s"] > 0
        assert size["sizes"]["stats.clicks_per_minute"]["table_bytes"] > 0
    assert series["sizes"]["50"]["figures"][scale.WARM]["p99_vs_smallest"] == 1
    assert "Scale series" in table and f"stats-worker at `{series['baseline']}`" in table
    assert "<svg" in (out / "scale.svg").read_text()


def run_bench(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snipbench", *argv], env=env, capture_output=True, text=True, timeout=300
    )


def test_only_measures_the_figures_named_and_the_ceiling(sandbox, tmp_path):
    # web home and one of redirect's variants: the services they are made from start
    # first, unmeasured. --only once per figure: a name with a comma in it is one figure.
    env = {**os.environ, "TEST_DATABASE_URL": sandbox.admin_url, "TEST_REDIS_URL": sandbox.redis_url}
    only = ["--only", "web home", "--only", "redirect (warm cache), metrics only"]
    result = run_bench("--smoke", *only, "--out", str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert list(results["http"]) == ["ceiling", "redirect (warm cache), metrics only", "web home"]
    assert all(results["http"][name]["errors"] == 0 for name in results["http"])
    assert "startup" not in results and "stats_worker" not in results


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "web homes"], "--only: no figure named 'web homes'; the figures are: ceiling;"),
        (["--only", "web home", "--update-docs"], "docs/performance.md takes a whole run"),
    ],
)
def test_a_bad_only_is_refused_naming_the_setting(argv, message):
    result = run_bench(*argv)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
