"""One wrk run, summarised by ``report.lua`` as a JSON line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("report.lua")
#: The fixed concurrency every HTTP figure is taken at: enough to saturate two cores.
CONNECTIONS = 32
# One wrk thread drives far more than these services answer, and leaves the second
# core to the servers under test.
THREADS = 1


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    url: str,
    seconds: float,
    method: str = "GET",
    body: str | None = None,
    paths: Path | None = None,
    offset: int = 0,
) -> Run:
    """Load ``url`` for ``seconds`` at :data:`CONNECTIONS` connections. With ``paths`` (a
    file of one path per line) the requests go to those paths of ``url``'s server in
    turn, from line ``offset + 1`` on, wrapping around at the end."""
    env = {**os.environ, "WRK_METHOD": method}
    if body is not None:
        env["WRK_BODY"] = body
    if paths is not None:
        env.update(WRK_PATHS=str(paths), WRK_PATHS_OFFSET=str(offset))
    argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "5s"]
    result = subprocess.run(
        [*argv, "-s", str(SCRIPT), url], env=env, capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    summary = json.loads(next(line for line in reversed(result.stdout.splitlines()) if line.startswith("{")))
    errors = sum(summary["errors"].values())
    return Run(
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        requests=summary["requests"],
        errors=errors,
    )
