"""Liveness, readiness and graceful shutdown.

``/livez`` answers 200 while the process can serve at all: it checks nothing else, so a
database outage never makes Kubernetes restart healthy pods. ``/readyz`` checks this
service's backing services with short timeouts and answers 503 naming the failing one;
it also turns 503 the moment the process is asked to stop, so the instance leaves the
load balancer's rotation before it closes its listener.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, jsonify

log = logging.getLogger("snipkit.health")

_draining = threading.Event()


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


def run_checks(app: Flask) -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    ready = True
    for check in app.extensions.get("snipkit.checks", []):
        try:
            check.probe()
        except Exception as exc:  # noqa: BLE001 - any failure of a probe means "not ok"
            results[check.name] = {"ok": False, "required": check.required, "error": str(exc) or type(exc).__name__}
            ready = ready and not check.required
        else:
            results[check.name] = {"ok": True, "required": check.required}
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
        failing = [name for name, result in checks.items() if not result["ok"] and result["required"]]
        body = {"status": "ready" if ready else "unavailable", "checks": checks}
        if failing:
            body["failing"] = failing
        return jsonify(body), 200 if ready else 503
