"""make bench's harness, in its smoke mode: the ceiling and links create for one second
each, on this run's PostgreSQL and Redis. It proves the harness runs end to end and
writes its files; no figure is judged here (docs/performance.md shows the targets)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian package wrk)"),
]


def test_smoke_run_measures_the_ceiling_and_links_create(sandbox, tmp_path):
    env = {**os.environ, "TEST_DATABASE_URL": sandbox.admin_url, "TEST_REDIS_URL": sandbox.redis_url}
    result = subprocess.run(
        [sys.executable, "-m", "snipdev.bench", "--smoke", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["http"]) == {"ceiling", "links create"}
    for figure in results["http"].values():
        assert figure["rounds"] and figure["rounds"][0]["requests"] > 0
        assert figure["errors"] == 0
    assert results["http"]["links create"]["rps_ratio"] > 0
    assert {"ceiling", "links"} <= set(results["startup"]) and results["rss_mb"]["links"]
    assert {row["target"] for row in results["targets"]} >= {"links create req/s vs ceiling"}
    table = (tmp_path / "results.md").read_text()
    assert "| links create |" in table and table in result.stdout
