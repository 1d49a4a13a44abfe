"""Start-up time to the first 200 on ``/readyz``, and resident memory per worker process."""

from __future__ import annotations

import statistics

import psutil

from testkit.processes import ServiceProcess

from .services import Suite


def startup(suite: Suite, names: list[str], repeats: int) -> dict[str, dict]:
    """Seconds from process start to the first 200 on /readyz, ``repeats`` times per service.

    Services are started one at a time on an otherwise idle machine, and stopped again.
    """
    results: dict[str, dict] = {}
    for name in names:
        seconds = []
        for _ in range(repeats):
            process = suite.process(name).start(wait=False)
            try:
                seconds.append(process.wait_ready())
            finally:
                process.stop()
        results[name] = {"median_s": statistics.median(seconds), "max_s": max(seconds), "runs_s": seconds}
    return results


def worker_rss_mb(process: ServiceProcess) -> list[float]:
    """RSS of each process that serves requests: gunicorn's workers, or the process itself
    when it has no children (a worker command). Shared pages count in each worker's RSS."""
    parent = psutil.Process(process.process.pid)
    workers = parent.children() or [parent]
    return [w.memory_info().rss / 2**20 for w in workers]


def cpu_seconds(process: ServiceProcess) -> float:
    """CPU time (user and system) used so far by ``process`` and its workers."""
    parent = psutil.Process(process.process.pid)
    total = 0.0
    for each in [parent, *parent.children()]:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total
