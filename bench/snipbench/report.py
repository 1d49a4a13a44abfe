"""The machine a run was taken on, and a run's results as Markdown tables."""

from __future__ import annotations

import os
import platform
import subprocess
from contextlib import closing
from datetime import UTC, datetime

import psycopg2
import redis

from snipdev import ROOT

from .targets import MET, MISSED


def machine(admin_url: str, redis_url: str) -> dict:
    """What the numbers depend on: CPUs, kernel, Python, the backing services' versions."""
    with open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "unknown")
    with closing(psycopg2.connect(admin_url)) as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        postgres = cur.fetchone()[0]
    with closing(redis.Redis.from_url(redis_url)) as client:
        redis_version = client.info("server")["redis_version"]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": redis_version,
        "wrk": wrk[1] if len(wrk) > 1 else "unknown",
        "load_average_at_start": os.getloadavg()[0],
        "commit": commit.strip(),
    }


def _n(value, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{unit}"


def _measured(row: dict) -> str:
    value, unit = row["value"], row["unit"]
    if value is None:
        return "-"
    if unit == "share":
        return f"{value:.0%}"
    if unit in ("events/s", "us"):
        return f"{value:,.0f} {unit}"
    return f"{value:.2f} {unit}".replace(" x", "x")


def _target_text(row: dict) -> str:
    unit, goal = row["unit"], row["goal"]
    if unit == "share":
        shown = f"{goal:.0%}"
    elif unit in ("events/s", "us"):
        shown = f"{goal:,.0f} {unit}"
    else:
        shown = f"{goal:g} {unit}"
    return ("at most " if row["most"] else "at least ") + shown.replace(" x", "x")


def _result(row: dict) -> str:
    if row["status"] == MET:
        return "met"
    if row["status"] == MISSED:
        return f"**missed** ({row['of_goal']:.2f} of the goal)"
    return row["status"]


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / 2**20:,.1f}"


def _table(columns: list[str], rows: list[list[str]], align: str) -> list[str]:
    """A Markdown table after a blank line; ``align`` has an ``l`` (text) or ``r``
    (numbers) per column."""
    line = " | ".join
    rule = "|".join("---" if a == "l" else "---:" for a in align)
    return ["", f"| {line(columns)} |", f"|{rule}|", *(f"| {line(cells)} |" for cells in rows)]


def _scale_figure(f: dict, smallest: str) -> str:
    hit = f" hit {f['hit_ratio']:.0%}," if "hit_ratio" in f else ""
    errors = f", {f['errors']} errors" if f["errors"] else ""
    return (
        f"{_n(f['rps'])} req/s,{hit} p50 {_n(f['p50_ms'], 1)} / p99 {_n(f['p99_ms'], 1)} ms "
        f"({f['p99_vs_smallest']:.2f}x {smallest}), {_n(f['cpu_us'])} us CPU{errors}"
    )


def _table_size(t: dict) -> str:
    indexes = ", ".join(f"{name.split('.')[-1]} {_mb(b)}" for name, b in t["indexes"].items())
    return f"{_mb(t['table_bytes'])} MB; indexes {indexes}"


def _scale(series: dict | None) -> list[str]:
    """The scale series: what was loaded, each figure per size, the worker, the tables' sizes."""
    if not series:
        return []
    sizes, plan, smallest = list(series["sizes"].values()), series["plan"], series["smallest"]
    rows = [
        ["loaded (links / clicks / minute rows)"]
        + [f"{s['links']:,} / {s['clicks']:,} / {s['minute_rows']:,}" for s in sizes]
    ]
    rows += [[name] + [_scale_figure(s["figures"][name], smallest) for s in sizes] for name in sizes[0]["figures"]]
    rows.append(
        ["stats-worker, one worker"]
        + [f"{_n(s['worker']['events_per_s'])} events/s ({s['worker']['vs_smallest']:.2f}x {smallest})" for s in sizes]
    )
    if "before" in sizes[0]["worker"]:
        rows.append(
            [f"stats-worker at `{series['baseline']}` (before)"]
            + [
                f"{_n(s['worker']['before']['events_per_s'])} events/s (today {s['worker']['vs_before']:.2f}x of it)"
                for s in sizes
            ]
        )
    rows += [[f"`{table}` size"] + [_table_size(s["sizes"][table]) for s in sizes] for table in sizes[0]["sizes"]]
    intro = (
        f"Scale series: medians of {plan['rounds']} interleaved rounds of {plan['seconds']} s per figure and size; "
        f"codes drawn by Zipf's law from a sample of {plan['sample']:,} requests; "
        f'"1.00x {smallest}" is the p99 against the {smallest} size\'s in the same round; '
        "CPU is the serving process's per request."
    )
    columns = ["figure"] + [f"{name} links" for name in series["sizes"]]
    return ["", intro, *_table(columns, rows, "l" + "r" * len(sizes))]


def markdown(results: dict) -> str:
    """Every figure of ``results`` as Markdown tables, machine first, targets last."""
    m, s = results["machine"], results["settings"]
    out = [
        f"Taken {m['date']} at commit `{m['commit']}` on {m['nproc']} x {m['cpu']}, Linux {m['kernel']}, "
        f"Python {m['python']}, PostgreSQL {m['postgresql']}, Redis {m['redis']}, wrk {m['wrk']} "
        f"(load average {m['load_average_at_start']:.1f} at the start; backing services: {s['backing']}).",
        "",
        f"HTTP: wrk on the same machine, {s['connections']} connections, gunicorn {s['gunicorn']}; "
        f"medians of {s['rounds']} interleaved rounds of {s['seconds']} s.",
    ]
    columns = [
        "figure",
        "req/s",
        "p50 ms",
        "p99 ms",
        "req/s vs ceiling",
        "p99 vs ceiling",
        "CPU us/request",
        "requests per CPU-second vs ceiling",
        "errors",
    ]
    rows = [
        [
            name,
            _n(f["rps"]),
            _n(f["p50_ms"], 1),
            _n(f["p99_ms"], 1),
            _n(f.get("rps_ratio"), 2, "x"),
            _n(f.get("p99_ratio"), 2, "x"),
            _n(f["cpu_us"]),
            _n(f.get("cpu_ratio"), 2, "x"),
            str(f["errors"]),
        ]
        for name, f in results["http"].items()
    ]
    rows += [[name, "not available yet", *[""] * 7] for name in results["not_available"]]
    out += _table(columns, rows, "lrrrrrrrr")
    same = results.get("same_work")
    if same:
        out += [
            "",
            f"Same-work ceiling: a bare Flask route making redirect's own Redis call for a warm hit. The suite's "
            f"overhead on the hot path, `1 - redirect / same-work`, is {same['by_rps']:.0%} by req/s and "
            f"{same['by_cpu']:.0%} by CPU per request (medians of the per-round pairs).",
        ]
    pairs = results.get("baseline") or []
    if pairs:
        columns = [
            "before/after, same run",
            "req/s before",
            "req/s after",
            "CPU us/request before",
            "after",
            "p99 ms before",
            "after",
            "after/before (req/s, CPU, p99)",
        ]
        rows = [
            [
                f"{p['figure']} (before: `{p['baseline']}`)",
                _n(p["before"]["rps"]),
                _n(p["after"]["rps"]),
                _n(p["before"]["cpu_us"]),
                _n(p["after"]["cpu_us"]),
                _n(p["before"]["p99_ms"], 1),
                _n(p["after"]["p99_ms"], 1),
                f"{p['rps_ratio']:.2f}x, {p['cpu_ratio']:.2f}x, {p['p99_ratio']:.2f}x",
            ]
            for p in pairs
        ]
        out += _table(columns, rows, "lrrrrrrl")
    obs = results.get("observability")
    if obs:
        out += [
            "",
            f"Observability on `{obs['route']}`, against the same route with both off: metrics and the JSON "
            f"access log together cost {obs['cost']:.0%} of its requests per CPU-second (metrics alone "
            f"{obs['metrics_cost']:.0%}, access log alone {obs['log_cost']:.0%}); by req/s, noisier here, "
            f"{obs['cost_by_rps']:.0%} ({obs['metrics_cost_by_rps']:.0%}, {obs['log_cost_by_rps']:.0%}).",
        ]
    workers = results.get("stats_worker")
    if workers:
        rows = [
            [f"{count} worker(s)", _n(workers[count]["events_per_s"]), ", ".join(map(_n, workers[count]["trials"]))]
            for count in ("1", "2")
        ]
        rows.append(["two vs one", _n(workers["scaling"], 2, "x"), ""])
        out += _table(["stats-worker", "events/s (median)", "trials"], rows, "lrl")
    delay = results.get("click_delay")
    if delay:
        out += [
            "",
            f"Click delay, redirect response to counted in PostgreSQL, at {_n(delay['achieved_per_s'])} redirects/s "
            f"({delay['clicks']} clicks, {delay['errors']} errors): p50 {_n(delay['p50_ms'])} ms, "
            f"p99 {_n(delay['p99_ms'])} ms.",
        ]
    startup, rss = results.get("startup") or {}, results.get("rss_mb") or {}
    if startup or rss:
        rows = [
            [
                name,
                _n(startup[name]["median_s"], 2, " s") if name in startup else "-",
                ", ".join(_n(mb, 0) for mb in rss.get(name, [])) or "-",
            ]
            for name in dict.fromkeys([*startup, *rss])
        ]
        out += _table(["process", "start to /readyz 200 (median)", "RSS per worker, MB"], rows, "lrr")
    out += _scale(results.get("scale"))
    rows = [
        [
            f"{row['target']}" + (f" ({row['where']})" if row["where"] else ""),
            _measured(row),
            _target_text(row),
            _result(row),
        ]
        for row in results["targets"]
    ]
    out += _table(["target", "measured", "goal", "result"], rows, "lrll")
    return "\n".join(out) + "\n"
