"""Before and after in one run: ``--baseline REV`` also serves some figures with the
code of an earlier commit, next to today's, so an improvement is shown by a pair taken
minutes apart on the same machine rather than by two runs on different days: web's
home page here, and the stats worker's trials of the scale series (:mod:`.scale`).

The earlier code is taken from git (``git archive``) into a temporary folder and put
first on the ``PYTHONPATH`` of the processes that serve the "before" figures; the
packages they do not override (and every other service) are today's.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from snipdev import ROOT

#: The figures measured at the baseline too, and the packages (folders of services/)
#: taken from it: web's page with its outbound client, which lives in the kit.
FIGURES = {"web home": ("web", "snipkit")}


@dataclass(frozen=True)
class Baseline:
    """An earlier commit's code, unpacked at ``root``."""

    rev: str
    commit: str
    root: Path

    def env(self, packages: tuple[str, ...]) -> dict[str, str]:
        path = [str(self.root / "services" / name) for name in packages]
        return {"PYTHONPATH": os.pathsep.join(path)}

    def name(self, figure: str) -> str:
        return f"{figure}, at {self.commit}"


@contextlib.contextmanager
def unpacked(rev: str) -> Iterator[Baseline]:
    """``rev``'s ``services/`` folder in a temporary directory, for as long as the run lasts."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="snip-baseline-") as tmp:
        archive = subprocess.run(["git", "archive", commit, "services"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        yield Baseline(rev, commit, Path(tmp))


def compare(http: dict[str, dict], baseline: Baseline) -> list[dict]:
    """Each figure against its baseline twin, round by round: the medians of the
    per-round ratios of req/s, CPU per request and p99 (today's over the baseline's)."""
    pairs = []
    for figure in FIGURES:
        before = http.get(baseline.name(figure))
        after = http.get(figure)
        if not before or not after:
            continue
        rounds = list(zip(after["rounds"], before["rounds"], strict=True))
        pairs.append(
            {
                "figure": figure,
                "baseline": baseline.commit,
                "before": {key: before[key] for key in ("rps", "p99_ms", "cpu_us")},
                "after": {key: after[key] for key in ("rps", "p99_ms", "cpu_us")},
                "rps_ratio": statistics.median(a["rps"] / b["rps"] for a, b in rounds),
                "cpu_ratio": statistics.median(a["cpu_us"] / b["cpu_us"] for a, b in rounds),
                "p99_ratio": statistics.median(a["p99_ms"] / b["p99_ms"] for a, b in rounds),
            }
        )
    return pairs
