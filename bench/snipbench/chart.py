"""The scale series as an SVG chart (matplotlib): each figure's p99 as the data grows,
and the same relative to the smallest size, next to the goals."""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from .scale import FIGURES
from .targets import SCALE_P99, SCALE_WORKER


def scale(series: dict, path: Path) -> None:
    """Draw ``series`` (``results["scale"]``) into ``path``."""
    sizes = series["sizes"]
    links = [size["links"] for size in sizes.values()]
    # No date and fixed ids in the file (a re-run with the same numbers is the same
    # file), and text kept as text rather than glyph outlines: small, and diffable.
    with matplotlib.rc_context({"svg.hashsalt": "snip-bench", "svg.fonttype": "none", "font.size": 9}):
        figure = Figure(figsize=(10, 4), layout="constrained")
        absolute, relative = figure.subplots(1, 2)
        for name in FIGURES:
            absolute.plot(links, [s["figures"][name]["p99_ms"] for s in sizes.values()], marker="o", label=name)
            relative.plot(links, [s["figures"][name]["p99_vs_smallest"] for s in sizes.values()], marker="o")
        relative.plot(
            links,
            [s["worker"]["vs_smallest"] for s in sizes.values()],
            marker="s",
            color="black",
            label="stats-worker events/s",
        )
        relative.axhline(
            SCALE_P99.goal, color="tab:red", linestyle="--", linewidth=1, label=f"p99 goal: at most {SCALE_P99.goal:g}x"
        )
        relative.axhline(
            SCALE_WORKER.goal,
            color="tab:gray",
            linestyle=":",
            linewidth=1,
            label=f"worker goal: at least {SCALE_WORKER.goal:g}x",
        )
        absolute.set(
            xscale="log", yscale="log", xlabel="links (ten clicks each)", ylabel="p99, ms", title="p99 per request"
        )
        relative.set(
            xscale="log", xlabel="links (ten clicks each)", title=f"against {series['smallest']} links, same round"
        )
        relative.set_ylim(bottom=0)
        for axes in (absolute, relative):
            axes.grid(True, which="major", alpha=0.3)
        absolute.legend(loc="upper left", fontsize=8)
        relative.legend(loc="upper left", fontsize=8)
        figure.savefig(path, format="svg", metadata={"Date": None})
