"""``python -m snipbench``: run every figure and write results.json, results.md,
the scale chart and (with ``--update-docs``) the numbers in docs/performance.md.
``--smoke`` runs a few figures for a second each (and ``--scale`` at the sizes given,
briefly), to prove the harness works."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from snipdev import ROOT
from testkit.backing import Sandbox, servers

from . import baseline, chart, clicks, footprint, report, scale, targets, throughput, wrk
from .baseline import Baseline
from .services import SERVICES, Suite

DOC = ROOT / "docs" / "performance.md"
DOC_START, DOC_END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
#: The scale chart docs/performance.md shows.
DOC_CHART = ROOT / "docs" / "performance-scale.svg"
#: What the smoke run measures: a figure of each kind of code path the harness has.
SMOKE_FIGURES = ("ceiling", "same-work ceiling", "redirect (warm cache)", "links create", "stats-api read", "web home")


@dataclass(frozen=True)
class Plan:
    """How long and how often each figure is measured (``make bench`` uses the defaults)."""

    rounds: int = 5
    seconds: float = 3
    warmup: float = 1
    startup_repeats: int = 3
    worker_events: int = 100_000
    worker_trials: int = 3
    click_rate: float = 1000
    click_seconds: float = 10
    smoke: bool = False
    #: Only these HTTP figures (and the ceiling they are judged against); empty: all.
    only: tuple[str, ...] = ()


SMOKE = Plan(rounds=1, seconds=1, warmup=0, startup_repeats=1, smoke=True)


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(suite: Suite, plan: Plan, results: dict, before: Baseline | None) -> None:
    """Measure every figure ``plan`` asks for into ``results`` (with ``before``'s twins)."""
    chosen = [f for f in throughput.figures() if throughput.available(f)]
    # The same-work ceiling is part of the bench, not a process of the suite.
    present = [name for name, service in SERVICES.items() if service.available and name != "same-work"]
    if plan.smoke:
        present = ["ceiling", "links"]
    wanted = ("ceiling", *plan.only) if plan.only else SMOKE_FIGURES if plan.smoke else None
    if wanted:
        chosen = [f for f in chosen if f.name in wanted]
    if before is not None:
        chosen = throughput.with_baseline(chosen, before)

    say(f"HTTP: {len(chosen)} figures x {plan.rounds} rounds of {plan.seconds} s")
    http, processes = throughput.measure(suite, chosen, plan.rounds, plan.seconds, plan.warmup, say)
    results["http"] = http
    results["rss_mb"] = {f.service: footprint.worker_rss_mb(processes[f.name]) for f in chosen if not f.env}
    results["observability"] = throughput.observability(http)
    results["same_work"] = throughput.same_work_overhead(http)
    results["baseline"] = baseline.compare(http, before) if before is not None else []
    if plan.only:
        return

    # After the HTTP figures: web starts against the links and stats-api they started.
    say("start-up: " + ", ".join(present))
    results["startup"] = footprint.startup(suite, present, plan.startup_repeats)

    if plan.smoke or not SERVICES["stats-worker"].available:
        return
    say(f"stats-worker: {plan.worker_events} events, 1 and 2 workers, {plan.worker_trials} trials each")
    trials: dict[str, list[dict]] = {"1": [], "2": []}
    for trial in range(plan.worker_trials):
        for workers in (1, 2):
            codes = clicks.zipf_codes(plan.worker_events)
            got = clicks.worker_throughput(suite, workers, codes, trial * 2 + workers)
            trials[str(workers)].append(got)
            say(f"  {workers} worker(s): {got['events_per_s']:,.0f} events/s")
    summary: dict = {}
    for count, got in trials.items():
        rates = [t["events_per_s"] for t in got]
        summary[count] = {"events_per_s": statistics.median(rates), "trials": rates}
    summary["scaling"] = summary["2"]["events_per_s"] / summary["1"]["events_per_s"]
    results["stats_worker"] = summary
    results["rss_mb"]["stats-worker"] = trials["1"][-1]["rss_mb"]

    if "redirect" in suite.urls:
        say(f"click delay at {plan.click_rate:.0f} redirects/s for {plan.click_seconds} s")
        code = throughput.seed(suite)
        results["click_delay"] = clicks.click_delay(
            suite, suite.urls["redirect"], code, plan.click_rate, plan.click_seconds
        )


def update_doc(table: str) -> None:
    text = DOC.read_text()
    head, rest = text.split(DOC_START, 1)
    _old, tail = rest.split(DOC_END, 1)
    DOC.write_text(f"{head}{DOC_START}\n{table}{DOC_END}{tail}")


def measure(plan: Plan, sizes: list[int], before: Baseline | None) -> dict:
    """Every phase, on the servers :func:`testkit.backing.servers` finds; returns the results."""
    with servers() as (admin_url, redis_url, source):
        sandbox = Sandbox(admin_url, redis_url).create()
        suite = Suite(sandbox)
        results: dict = {
            "machine": report.machine(admin_url, redis_url),
            "settings": {
                "backing": source,
                "connections": wrk.CONNECTIONS,
                "gunicorn": "gthread, WEB_CONCURRENCY and GUNICORN_THREADS at the kit's defaults",
                "rounds": plan.rounds,
                "seconds": plan.seconds,
                "smoke": plan.smoke,
            },
            "not_available": [name for name, service in SERVICES.items() if not service.available],
        }
        try:
            run(suite, plan, results, before)
        finally:
            suite.close()
            sandbox.destroy()
        if sizes:
            scale_plan = scale.SMOKE if plan.smoke else scale.Plan()
            say(f"scale: {', '.join(scale.label(n) for n in sizes)} links, {scale_plan.rounds} rounds")
            results["scale"] = scale.run(admin_url, redis_url, sizes, scale_plan, say, before)
            results["scale"]["plan"] = vars(scale_plan)
        results["machine"]["load_average_at_end"] = os.getloadavg()[0]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snipbench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few figures for one second each")
    parser.add_argument("--out", type=Path, default=ROOT / "bench", help="folder for results.json and results.md")
    parser.add_argument("--update-docs", action="store_true", help=f"put the tables in {DOC.relative_to(ROOT)}")
    parser.add_argument("--seconds", type=float, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of every HTTP figure")
    parser.add_argument("--scale", default="", help="numbers of links for the scale series, e.g. 1k,100k,1M")
    parser.add_argument("--baseline", metavar="REV", help="also serve some figures with REV's code (before/after)")
    names = [f.name for f in throughput.figures()]
    # Once per figure rather than a comma-separated list: several figures' names hold a comma.
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="FIGURE",
        help=f"only this HTTP figure and the ceiling; give it once per figure (one of: {'; '.join(names)})",
    )
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else Plan()
    if args.seconds or args.rounds:
        plan = replace(plan, seconds=args.seconds or plan.seconds, rounds=args.rounds or plan.rounds)
    unknown = [name for name in args.only if name not in names]
    if unknown:
        say(f"--only: no figure named {', '.join(map(repr, unknown))}; the figures are: {'; '.join(names)}")
        return 2
    if args.only and args.update_docs:
        say(f"--only measures part of the figures; {DOC.relative_to(ROOT)} takes a whole run (leave out --update-docs)")
        return 2
    plan = replace(plan, only=tuple(args.only))
    try:
        sizes = scale.parse(args.scale) if args.scale and args.scale != "none" else []
    except ValueError as exc:
        say(str(exc))
        return 2
    if not wrk.available():
        say("wrk is not installed: scripts/bench.sh installs it (apt-get install -y wrk)")
        return 2

    with contextlib.ExitStack() as stack:
        before = stack.enter_context(baseline.unpacked(args.baseline)) if args.baseline else None
        results = measure(plan, sizes, before)
    results["targets"] = targets.judge_all(results)
    args.out.mkdir(parents=True, exist_ok=True)
    if "scale" in results:
        chart.scale(results["scale"], args.out / "scale.svg")
        if args.update_docs:
            shutil.copyfile(args.out / "scale.svg", DOC_CHART)
    table = report.markdown(results)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "results.md").write_text(table)
    if args.update_docs:
        update_doc(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
