"""``make bench SCALE=1k,100k,1M``: the same requests against more and more data.

Each size gets a sandbox of its own, bulk-loaded with :mod:`.dataset` (``links`` links,
ten clicks each), all loaded before anything is measured. Then, in interleaved rounds
(the sizes' order rotating, so a burst of noise on the shared machine lands on a
different size each time), each size's redirect, links and stats-api are started, its
figures measured, and its processes stopped again: only one size's connection pools
are open on the database server at a time.

The figures, with codes drawn by Zipf's law (:func:`.dataset.zipf_sample`):
- redirect, warm cache: every code of the sample cached beforehand;
- redirect, cold cache: the cache's link entries deleted first; the hit ratio is the
  share of requests that found their link cached (a miss caches one entry, so the
  entries made during the run are the misses);
- links list: pages of 20 from cursors at uniformly random depths of the list;
- stats read (one link's default series) and stats top (the ten most clicked);
- stats-worker events/s for clicks on Zipf-chosen links among all of a size's links
  (four trials, and as many with the baseline's worker when one is given).
Each size's p99 is compared with the smallest size's in the same round. The CPU time
the serving process spent per request is shown too: on a shared machine it moves far
less than latency (PostgreSQL's and Redis's own CPU is not in it).
"""

from __future__ import annotations

import random
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

from snipkit import keys
from testkit.backing import Sandbox
from testkit.processes import ServiceProcess

from . import clicks, dataset, wrk
from .baseline import Baseline
from .footprint import cpu_seconds
from .services import Suite

WARM, COLD = "redirect, warm cache", "redirect, cold cache"
LINKS_PAGE, STATS_READ, STATS_TOP = "links list, deep pages", "stats read", "stats top"
#: In the order they are measured: the cold figure empties the cache, so it comes last.
FIGURES = (WARM, LINKS_PAGE, STATS_READ, STATS_TOP, COLD)
#: The packages a baseline's stats worker is run with (see :mod:`.baseline`).
WORKER_PACKAGES = ("stats", "snipkit")
SERVICE = {WARM: "redirect", COLD: "redirect", LINKS_PAGE: "links", STATS_READ: "stats-api", STATS_TOP: "stats-api"}
_SUFFIXES = {"k": 1_000, "M": 1_000_000}


def parse(text: str) -> list[int]:
    """``"1k,100k,1M"`` as ``[1000, 100000, 1000000]`` (sorted, at least 10 links each)."""
    sizes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        number, unit = (part[:-1], part[-1]) if part[-1] in _SUFFIXES else (part, "")
        if not number.isdigit() or int(number) * _SUFFIXES.get(unit, 1) < 10:
            raise ValueError(f"SCALE: {part!r} is not a number of links like 1000, 100k or 1M (at least 10)")
        sizes.append(int(number) * _SUFFIXES.get(unit, 1))
    if not sizes:
        raise ValueError("SCALE: name at least one size, e.g. 1k,100k,1M")
    return sorted(set(sizes))


def label(links: int) -> str:
    for unit, factor in sorted(_SUFFIXES.items(), key=lambda item: -item[1]):
        if links >= factor and links % factor == 0:
            return f"{links // factor}{unit}"
    return str(links)


@dataclass(frozen=True)
class Plan:
    """How much of each figure is measured (``make bench`` uses the defaults)."""

    rounds: int = 5
    seconds: float = 3
    sample: int = 20_000
    worker_events: int = 100_000
    worker_trials: int = 4


SMOKE = Plan(rounds=1, seconds=1, sample=500, worker_events=2_000, worker_trials=1)


@dataclass
class Size:
    """One size's sandbox, what was loaded into it, and the request paths of its figures."""

    links: int
    sandbox: Sandbox
    folder: Path
    loaded: dict = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    warm_codes: Path | None = None

    @property
    def label(self) -> str:
        return label(self.links)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _prepare(size: Size, plan: Plan) -> None:
    """The request paths of each figure, fixed for the whole run, in files for wrk."""
    from links import store
    from links.paging import cursor  # links' own cursor encoding, so the bench follows any change to it

    n = size.links
    redirects = [f"/r/{dataset.code(i)}" for i in dataset.zipf_sample(n, plan.sample, seed=n)]
    size.paths[WARM] = size.paths[COLD] = _write(size.folder / "redirect.txt", redirects)
    # Each code of the sample once, in order of first appearance: the pass that warms the cache.
    size.warm_codes = _write(size.folder / "warm.txt", list(dict.fromkeys(redirects)))
    reads = [f"/api/stats/{dataset.code(i)}" for i in dataset.zipf_sample(n, plan.sample, seed=n + 1)]
    size.paths[STATS_READ] = _write(size.folder / "stats.txt", reads)
    # Ids are 1..n in load order; a page holds the links created before its cursor's, and
    # the cursors' depths are uniform (people page back through the list, none favoured).
    # A cursor names a link by its creation time and id, read back from the loaded rows.
    rng = random.Random(n + 2)  # noqa: S311 - traffic, not secrets
    depths = [rng.randint(21, n) for _ in range(plan.sample)]
    with closing(psycopg2.connect(size.sandbox.database_admin_url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, code, url, created_at FROM links.links WHERE id = ANY(%s)", (sorted(set(depths)),))
        rows = {row[0]: store.Link(*row, expires_at=None) for row in cur.fetchall()}
    pages = [f"/api/links?limit=20&cursor={cursor(rows[depth])}" for depth in depths]
    size.paths[LINKS_PAGE] = _write(size.folder / "pages.txt", pages)


def _link_keys(client: redis.Redis, sandbox: Sandbox) -> list[str]:
    return list(client.scan_iter(match=keys.link("*", sandbox.key_prefix), count=1000))


def _empty_cache(client: redis.Redis, sandbox: Sandbox) -> None:
    found = _link_keys(client, sandbox)
    for start in range(0, len(found), 1000):
        client.delete(*found[start : start + 1000])


def _warm(url: str, codes: Path) -> None:
    """Request each code of ``codes`` once (wrk runs of a second, each going on where the
    last one stopped), so every link of the sample is cached."""
    total = sum(1 for _ in codes.open())
    done = 0
    while done < total:
        done += wrk.run(url, 1, paths=codes, offset=done).requests


@contextmanager
def _started(size: Size) -> Iterator[dict[str, ServiceProcess]]:
    """The size's services, started together and stopped at the end. The cache's TTL is
    raised so that the warm set stays cached for the whole run."""
    suite = Suite(size.sandbox)
    try:
        processes = {
            "redirect": suite.process("redirect", REDIRECT_CACHE_TTL_S="3600").start(wait=False),
            "links": suite.process("links").start(wait=False),
            "stats-api": suite.process("stats-api").start(wait=False),
        }
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        suite.close()


def _measure_size(size: Size, plan: Plan, client: redis.Redis, say: Callable[[str], None]) -> dict[str, dict]:
    """One round of every figure on ``size``, with its services started for it."""
    got: dict[str, dict] = {}
    with _started(size) as processes:
        urls = {name: process.url for name, process in processes.items()}
        # Unmeasured: the whole sample cached (the last round's cold figure emptied the
        # cache), and each worker's pools opened.
        _warm(urls["redirect"], size.warm_codes)
        for name in (LINKS_PAGE, STATS_READ):
            wrk.run(urls[SERVICE[name]], 1, paths=size.paths[name])
        for name in FIGURES:
            if name == COLD:
                _empty_cache(client, size.sandbox)
            cached_before = len(_link_keys(client, size.sandbox)) if SERVICE[name] == "redirect" else 0
            cpu_before = cpu_seconds(processes[SERVICE[name]])
            if name == STATS_TOP:
                run = wrk.run(urls["stats-api"] + "/api/stats/top", plan.seconds)
            else:
                run = wrk.run(urls[SERVICE[name]], plan.seconds, paths=size.paths[name])
            cpu_us = (cpu_seconds(processes[SERVICE[name]]) - cpu_before) * 1e6 / max(run.requests, 1)
            entry = {**vars(run), "cpu_us": cpu_us}
            if SERVICE[name] == "redirect":
                misses = len(_link_keys(client, size.sandbox)) - cached_before
                entry["hit_ratio"] = 1 - misses / max(run.requests, 1)
            got[name] = entry
            say(f"  {size.label}, {name}: {run.rps:,.0f} req/s, p99 {run.p99_ms:.1f} ms")
    return got


def _worker(size: Size, plan: Plan, trial: int, before: Baseline | None) -> dict[str, dict]:
    """One trial of one stats worker on ``size``'s links; with ``before``, the baseline's
    worker counts as many clicks drawn the same way (the two in turn, first one then the
    other). Each counts clicks of its own, on a stream of its own: the same clicks twice
    would find the second run's rows already in PostgreSQL's buffers."""
    suite = Suite(size.sandbox)

    def clicks_for(seed: int) -> list[str]:
        return [dataset.code(i) for i in dataset.zipf_sample(size.links, plan.worker_events, seed=seed)]

    try:
        seed = size.links + 10 * trial
        runs = {"today": lambda: clicks.worker_throughput(suite, 1, clicks_for(seed), trial)}
        if before is not None:
            env = before.env(WORKER_PACKAGES)
            runs["before"] = lambda: clicks.worker_throughput(suite, 1, clicks_for(seed + 1), 1000 + trial, **env)
        order = list(runs) if trial % 2 == 0 else list(reversed(runs))
        return {name: runs[name]() for name in order}
    finally:
        suite.close()


def _worker_summary(trials: list[dict[str, dict]], smallest: list[dict[str, dict]]) -> dict:
    rates = [t["today"]["events_per_s"] for t in trials]
    out = {
        "events_per_s": statistics.median(rates),
        "trials": rates,
        "vs_smallest": statistics.median(
            t["today"]["events_per_s"] / s["today"]["events_per_s"] for t, s in zip(trials, smallest, strict=True)
        ),
    }
    if "before" in trials[0]:
        before = [t["before"]["events_per_s"] for t in trials]
        out["before"] = {"events_per_s": statistics.median(before), "trials": before}
        out["vs_before"] = statistics.median(t["today"]["events_per_s"] / t["before"]["events_per_s"] for t in trials)
    return out


def _summary(sizes: list[Size], rounds: list[dict[str, dict[str, dict]]], workers: dict[str, list]) -> dict:
    smallest = sizes[0].label
    out: dict = {"sizes": {}, "smallest": smallest}
    for size in sizes:
        figures = {}
        for name in FIGURES:
            runs = [r[size.label][name] for r in rounds]
            entry = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms", "cpu_us")}
            entry["errors"] = sum(run["errors"] for run in runs)
            if SERVICE[name] == "redirect":
                entry["hit_ratio"] = statistics.median(run["hit_ratio"] for run in runs)
            # p99 against the smallest size's in the same round.
            entry["p99_vs_smallest"] = statistics.median(
                r[size.label][name]["p99_ms"] / r[smallest][name]["p99_ms"] for r in rounds
            )
            entry["rounds"] = runs
            figures[name] = entry
        out["sizes"][size.label] = {
            "links": size.links,
            **size.loaded,
            "figures": figures,
            "worker": _worker_summary(workers[size.label], workers[smallest]),
            "sizes": dataset.sizes(size.sandbox.database_admin_url),
        }
    return out


def run(
    admin_url: str,
    redis_url: str,
    links: list[int],
    plan: Plan,
    say: Callable[[str], None],
    before: Baseline | None = None,
) -> dict:
    """Load every size, measure them in interleaved rounds, and drop them again; with
    ``before``, the worker's trials are also run with the baseline's code."""
    with ExitStack() as stack, closing(redis.Redis.from_url(redis_url, decode_responses=True)) as client:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="snip-scale-")))
        sizes = []
        for n in links:
            sandbox = Sandbox(admin_url, redis_url).create()
            stack.callback(sandbox.destroy)
            size = Size(n, sandbox, folder / label(n))
            size.folder.mkdir()
            say(f"scale: loading {size.label} links and their clicks with COPY")
            size.loaded = dataset.load(sandbox.database_admin_url, n)
            _prepare(size, plan)
            sizes.append(size)
        rounds: list[dict[str, dict[str, dict]]] = []
        for round_no in range(plan.rounds):
            shift = round_no % len(sizes)
            measured = {}
            for size in sizes[shift:] + sizes[:shift]:
                measured[size.label] = _measure_size(size, plan, client, say)
            rounds.append(measured)
        workers: dict[str, list[dict[str, dict]]] = {size.label: [] for size in sizes}
        for trial in range(plan.worker_trials):
            for size in sizes:
                got = _worker(size, plan, trial, before)
                workers[size.label].append(got)
                for name, run_ in got.items():
                    say(f"  {size.label}, stats-worker ({name}): {run_['events_per_s']:,.0f} events/s")
        summary = _summary(sizes, rounds, workers)
        if before is not None:
            summary["baseline"] = before.commit
        return summary
