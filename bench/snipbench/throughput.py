"""HTTP figures: req/s and p50/p99 at a fixed concurrency, in interleaved rounds.

Every process is started once and stays up; each round runs every figure once, in an
order that rotates from round to round, so a burst of noise from the shared machine
lands on different figures each time. A figure's result is the median of its rounds,
and its ratio to the ceiling the median of the per-round ratios.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field, replace

import requests

from testkit.processes import ServiceProcess

from . import baseline, wrk
from .baseline import Baseline
from .footprint import cpu_seconds
from .services import NEEDS, SERVICES, Suite

#: The links web's home page lists (web.pages.RECENT).
HOME_PAGE = 20
NEW_LINK = json.dumps({"url": "https://example.com/a/fairly/typical/long/url?utm_source=bench"})
#: The same route again, with parts of the suite's observability turned off.
OBSERVABILITY_OFF = "metrics and access log off"
VARIANTS = {
    OBSERVABILITY_OFF: {"METRICS_ENABLED": "false", "ACCESS_LOG": "false"},
    "metrics only": {"ACCESS_LOG": "false"},
    "access log only": {"METRICS_ENABLED": "false"},
}


@dataclass(frozen=True)
class Figure:
    """One measured route of one process (``env`` starts a variant of the service)."""

    name: str
    service: str
    path: str
    method: str = "GET"
    body: str | None = None
    env: dict[str, str] = field(default_factory=dict)


REDIRECT = Figure("redirect (warm cache)", "redirect", "/r/{code}")
SAME_WORK = Figure("same-work ceiling", "same-work", "/r/{code}")
LINKS_READ = Figure("links read", "links", "/api/links/{code}")


def observed() -> Figure:
    """The route whose observability cost is measured: the hot path, redirect, once it exists."""
    return REDIRECT if SERVICES["redirect"].available else LINKS_READ


def figures() -> list[Figure]:
    """Every HTTP figure, the ceiling first (each service starts before web needs it).

    The observed route's variants follow it: rounds rotate the order but keep
    neighbours together, so the pairs compared for the observability cost are always
    measured within seconds of each other.
    """
    on = observed()
    variants = [Figure(f"{on.name}, {variant}", on.service, on.path, env=env) for variant, env in VARIANTS.items()]
    others = [
        # Next to redirect, as the pair the suite's overhead is read from.
        SAME_WORK,
        REDIRECT,
        Figure("links create", "links", "/api/links", "POST", NEW_LINK),
        LINKS_READ,
        Figure("stats-api read", "stats-api", "/api/stats/{code}"),
        Figure("web home", "web", "/"),
        # The page without the recent links kept (web/recent.py): what every visit cost
        # before, and what a page older than RECENT_CACHE_S costs.
        Figure("web home (every visit fetched)", "web", "/", env={"RECENT_CACHE_S": "0"}),
    ]
    at = others.index(on) + 1
    return [Figure("ceiling", "ceiling", "/"), *others[:at], *variants, *others[at:]]


def with_baseline(chosen: list[Figure], before: Baseline) -> list[Figure]:
    """``chosen``, each figure of :data:`.baseline.FIGURES` followed by its twin served by
    the code of ``before``: neighbours, like the observability variants."""
    out = []
    for figure in chosen:
        out.append(figure)
        if figure.name in baseline.FIGURES:
            env = before.env(baseline.FIGURES[figure.name])
            out.append(replace(figure, name=before.name(figure.name), env={**figure.env, **env}))
    return out


def _cost(on: list[dict], off: list[dict], key: str) -> float:
    """The median over rounds of the share of capacity lost with ``on`` against ``off``:
    by req/s, or by CPU per request (the capacity a CPU-bound server loses)."""
    pairs = zip(on, off, strict=True)
    if key == "rps":
        return statistics.median(1 - a["rps"] / b["rps"] for a, b in pairs)
    return statistics.median(1 - b["cpu_us"] / a["cpu_us"] for a, b in pairs)


def observability(http: dict[str, dict]) -> dict | None:
    """What metrics and the access log cost the observed route, against both off, round
    by round: by CPU per request (steady on a shared machine) and by req/s."""
    on = observed().name
    named = {variant: http.get(f"{on}, {variant}") for variant in VARIANTS}
    if on not in http or not all(named.values()):
        return None
    off = named[OBSERVABILITY_OFF]["rounds"]
    parts = {"cost": http[on], "metrics_cost": named["metrics only"], "log_cost": named["access log only"]}
    result = {"route": on}
    for name, figure in parts.items():
        result[name] = _cost(figure["rounds"], off, "cpu_us")
        result[f"{name}_by_rps"] = _cost(figure["rounds"], off, "rps")
    return result


def same_work_overhead(http: dict[str, dict]) -> dict | None:
    """``1 - redirect / same-work``: the share of the hot path's capacity the suite's own
    layers take, round by round, by req/s and by CPU per request."""
    if REDIRECT.name not in http or SAME_WORK.name not in http:
        return None
    redirect, same = http[REDIRECT.name]["rounds"], http[SAME_WORK.name]["rounds"]
    return {"by_rps": _cost(redirect, same, "rps"), "by_cpu": _cost(redirect, same, "cpu_us")}


def available(figure: Figure) -> bool:
    return all(SERVICES[name].available for name in (figure.service, *NEEDS.get(figure.service, ())))


def seed(suite: Suite) -> str:
    """A full page of links for web's home (whatever figures ran before it), the last
    of them read, followed and counted (its cache entry warmed); returns its code."""
    if "links" not in suite.urls:
        suite.start("links")
    for _ in range(HOME_PAGE):
        response = requests.post(
            f"{suite.urls['links']}/api/links", data=NEW_LINK, headers={"Content-Type": "application/json"}, timeout=10
        )
        response.raise_for_status()
    code = response.json()["code"]
    if "redirect" in suite.urls:
        requests.get(f"{suite.urls['redirect']}/r/{code}", allow_redirects=False, timeout=10).raise_for_status()
    return code


def measure(
    suite: Suite, chosen: list[Figure], rounds: int, seconds: float, warmup: float, say=lambda _message: None
) -> tuple[dict[str, dict], dict[str, ServiceProcess]]:
    """Run ``chosen`` figures (the ceiling first); returns per figure its rounds and
    medians, and the process that served it. ``say`` is told each run's result."""
    processes = {figure.name: suite.start(figure.service, **figure.env) for figure in chosen}
    urls = {name: process.url for name, process in processes.items()}
    code = seed(suite)
    for figure in chosen:
        if warmup:
            wrk.run(urls[figure.name] + figure.path.format(code=code), warmup, figure.method, figure.body)
    runs: dict[str, list[dict]] = {figure.name: [] for figure in chosen}
    for round_no in range(rounds):
        shift = round_no % len(chosen)
        for figure in chosen[shift:] + chosen[:shift]:
            url = urls[figure.name] + figure.path.format(code=code)
            before = cpu_seconds(processes[figure.name])
            got = wrk.run(url, seconds, figure.method, figure.body)
            cpu_us = (cpu_seconds(processes[figure.name]) - before) * 1e6 / max(got.requests, 1)
            runs[figure.name].append({**vars(got), "cpu_us": cpu_us})
            say(f"  round {round_no + 1}, {figure.name}: {got.rps:,.0f} req/s, {cpu_us:.0f} us CPU per request")
    ceiling = runs.get("ceiling")
    results = {}
    for figure in chosen:
        got = runs[figure.name]
        entry = {
            "service": figure.service,
            "route": f"{figure.method} {figure.path}",
            "env": figure.env,
            **{key: statistics.median(r[key] for r in got) for key in ("rps", "p50_ms", "p99_ms", "cpu_us")},
            "errors": sum(r["errors"] for r in got),
            "rounds": got,
        }
        if ceiling and figure.name != "ceiling":
            pairs = list(zip(got, ceiling, strict=True))
            entry["rps_ratio"] = statistics.median(r["rps"] / c["rps"] for r, c in pairs)
            entry["p99_ratio"] = statistics.median(r["p99_ms"] / c["p99_ms"] for r, c in pairs)
            # Requests the service serves per CPU-second, as a share of the ceiling's.
            entry["cpu_ratio"] = statistics.median(c["cpu_us"] / r["cpu_us"] for r, c in pairs)
        results[figure.name] = entry
    return results, processes
