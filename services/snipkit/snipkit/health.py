"""Liveness, readiness and graceful shutdown.

``/livez`` answers 200 while the process can serve at all: it checks nothing else, so a
database outage never makes Kubernetes restart healthy pods. ``/readyz`` says whether
this instance can serve, which each service defines (docs/architecture.md): the checks
it requires must pass, and of a group registered with :func:`require_one_of` (redirect:
PostgreSQL or Redis) one must. The checks run side by side and the answer comes within
:data:`BUDGET_S` whatever a backing service does, since a probe that times out counts
as a failure to the kubelet anyway, and a late one as no answer. ``/readyz`` also turns
503 the moment the process is asked to stop, so the instance leaves the load
balancer's rotation before it closes its listener.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass

from flask import Flask, current_app, jsonify

from .perprocess import PerProcess

log = logging.getLogger("snipkit.health")

_draining = threading.Event()
#: The longest /readyz takes to answer: below the kubelet's default probe timeout (1 s).
BUDGET_S = 0.8
#: This process's probe threads (threads do not survive a fork).
_probe_threads = PerProcess(lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness"))


@dataclass(frozen=True)
class Check:
    """A readiness check. ``required=False`` reports the dependency without failing readiness."""

    name: str
    probe: Callable[[], None]
    required: bool = True


def start_draining() -> None:
    """Mark this process as shutting down: ``/readyz`` answers 503 from now on."""
    if not _draining.is_set():
        log.info("shutdown requested: readiness now reports 503")
    _draining.set()


def is_draining() -> bool:
    return _draining.is_set()


def add_check(app: Flask, check: Check) -> None:
    app.extensions.setdefault("snipkit.checks", []).append(check)


def require_one_of(app: Flask, names: Iterable[str]) -> None:
    """Ready only while at least one of the checks ``names`` passes (each may be optional
    on its own): a service that can serve from either of two stores."""
    app.extensions.setdefault("snipkit.one_of", []).append(tuple(names))


def _failure(probe: Callable[[], None]) -> str | None:
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure of a probe means "not ok"
        return str(exc) or type(exc).__name__
    return None


def run_checks(app: Flask) -> tuple[bool, dict[str, dict]]:
    """Run every check at once; one still running after :data:`BUDGET_S` has failed."""
    checks = app.extensions.get("snipkit.checks", [])
    running = {check.name: _probe_threads.get().submit(_failure, check.probe) for check in checks}
    wait_for(running.values(), timeout=BUDGET_S)
    results: dict[str, dict] = {}
    for check in checks:
        future = running[check.name]
        error = future.result() if future.done() else f"no answer within {BUDGET_S} s"
        results[check.name] = {"ok": error is None, "required": check.required}
        if error is not None:
            results[check.name]["error"] = error
    ready = all(r["ok"] for r in results.values() if r["required"]) and all(
        any(results[name]["ok"] for name in group) for group in app.extensions.get("snipkit.one_of", [])
    )
    return ready, results


def init_app(app: Flask) -> None:
    @app.get("/livez")
    def livez():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        if is_draining():
            return jsonify(status="shutting_down", checks={}), 503
        ready, checks = run_checks(current_app)
        failing = [name for name, result in checks.items() if not result["ok"] and (result["required"] or not ready)]
        body = {"status": "ready" if ready else "unavailable", "checks": checks}
        if failing:
            body["failing"] = failing
        return jsonify(body), 200 if ready else 503
