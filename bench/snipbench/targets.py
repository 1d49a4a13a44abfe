"""The suite's performance targets, shown next to what was measured: never asserted, only reported."""

from __future__ import annotations

from dataclasses import dataclass

MET, MISSED, UNAVAILABLE, NOT_MEASURED = "met", "missed", "not available yet", "not measured in this run"


@dataclass(frozen=True)
class Target:
    """``value`` must be at least (``most=False``) or at most (``most=True``) ``goal``;
    ``services`` are those the figure needs."""

    name: str
    goal: float
    unit: str
    most: bool = False
    services: tuple[str, ...] = ()

    def judge(self, value: float | None, unavailable: list[str], where: str = "") -> dict:
        row = {"target": self.name, "goal": self.goal, "most": self.most, "unit": self.unit}
        row.update(value=value, where=where)
        if value is None:
            missing = set(self.services) & set(unavailable)
            return {**row, "status": UNAVAILABLE if missing else NOT_MEASURED, "of_goal": None}
        met = value <= self.goal if self.most else value >= self.goal
        return {**row, "status": MET if met else MISSED, "of_goal": value / self.goal if self.goal else None}


REDIRECT_RPS = Target("redirect (warm cache) req/s vs ceiling", 0.6, "x", services=("redirect",))
REDIRECT_P99 = Target("redirect (warm cache) p99 vs ceiling", 2.0, "x", most=True, services=("redirect",))
OBSERVABILITY = Target("metrics + access log cost of a route's capacity", 0.10, "share", most=True)
LINKS_CREATE = Target("links create req/s vs ceiling", 0.35, "x", services=("links",))
WORKER_ONE = Target("stats-worker events/s, one worker", 10_000, "events/s", services=("stats-worker",))
WORKER_SCALING = Target("stats-worker, two workers vs one", 1.6, "x", services=("stats-worker",))
CLICK_DELAY = Target(
    "redirect to counted p99 at 1,000 redirects/s", 1000, "ms", most=True, services=("redirect", "stats-worker")
)
SAME_WORK = Target(
    "suite's overhead on redirect's hot path: 1 - redirect / same-work ceiling, req/s",
    0.10,
    "share",
    most=True,
    services=("redirect",),
)
WEB_CPU = Target("web home CPU per request", 2000, "us", most=True, services=("web",))
WEB_RPS = Target("web home req/s vs ceiling", 0.15, "x", services=("web",))
WEB_P99 = Target("web home p99 vs ceiling", 3.0, "x", most=True, services=("web",))
SCALE_P99 = Target("p99 at the largest size vs the smallest, same round", 1.5, "x", most=True)
SCALE_WORKER = Target("stats-worker events/s at the largest size vs the smallest", 0.8, "x")
STARTUP = Target("slowest start to first 200 on /readyz", 1.5, "s", most=True)
RSS = Target("largest worker RSS", 60, "MB", most=True)


def _get(mapping: dict, *path):
    for key in path:
        if not isinstance(mapping, dict) or key not in mapping:
            return None
        mapping = mapping[key]
    return mapping


def judge_all(results: dict) -> list[dict]:
    """Every target, judged against ``results`` (see :mod:`snipbench.__main__`)."""
    http = results.get("http", {})
    observed = results.get("observability") or {}
    workers = results.get("stats_worker", {})
    startup = results.get("startup", {})
    slowest = max(startup.items(), key=lambda item: item[1]["median_s"], default=(None, None))
    rss = results.get("rss_mb", {})
    largest = max(rss.items(), key=lambda item: max(item[1]), default=(None, None))
    gone = results.get("not_available", [])
    same_work = results.get("same_work") or {}
    rows = [
        SAME_WORK.judge(same_work.get("by_rps"), gone),
        REDIRECT_RPS.judge(_get(http, "redirect (warm cache)", "rps_ratio"), gone),
        REDIRECT_P99.judge(_get(http, "redirect (warm cache)", "p99_ratio"), gone),
        OBSERVABILITY.judge(observed.get("cost"), gone, observed.get("route", "")),
        LINKS_CREATE.judge(_get(http, "links create", "rps_ratio"), gone),
        WORKER_ONE.judge(_get(workers, "1", "events_per_s"), gone),
        WORKER_SCALING.judge(workers.get("scaling"), gone),
        CLICK_DELAY.judge(_get(results, "click_delay", "p99_ms"), gone),
        STARTUP.judge(slowest[1]["median_s"] if slowest[1] else None, gone, slowest[0] or ""),
        RSS.judge(max(largest[1]) if largest[1] else None, gone, largest[0] or ""),
        WEB_CPU.judge(_get(http, "web home", "cpu_us"), gone),
        WEB_RPS.judge(_get(http, "web home", "rps_ratio"), gone),
        WEB_P99.judge(_get(http, "web home", "p99_ratio"), gone),
    ]
    return rows + _judge_scale(results.get("scale"))


def _judge_scale(series: dict | None) -> list[dict]:
    """Each scale figure's p99, and the worker's rate, at the largest size against the smallest."""
    if not series:
        return []
    largest_label, largest = list(series["sizes"].items())[-1]
    where = f"{largest_label} vs {series['smallest']} links"
    rows = [
        SCALE_P99.judge(figure["p99_vs_smallest"], [], f"{name}, {where}")
        for name, figure in largest["figures"].items()
    ]
    rows.append(SCALE_WORKER.judge(largest["worker"]["vs_smallest"], [], where))
    return rows
