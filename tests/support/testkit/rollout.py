"""A rolling restart on one machine, the way a Deployment rolls its pods: start a new
process (a new pod, on its own port) with the changed settings, wait until it is ready,
then SIGTERM the old one, which reports 503 on /readyz, drains and exits. Clients that
reach the service through a :class:`testkit.balancer.Balancer` see no failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .balancer import Balancer
from .processes import ServiceProcess


@dataclass
class Rollout:
    """What a rolling restart did, with the moments a test may compare against."""

    old: ServiceProcess
    new: ServiceProcess
    started: float = 0.0
    new_ready: float = 0.0
    old_exited: float = 0.0
    old_status: int | None = None


def rolling_restart(old: ServiceProcess, balancer: Balancer, env: dict[str, str], timeout: float = 30) -> Rollout:
    """Replace ``old`` behind ``balancer`` by a process of the same service with ``env`` changes."""
    new = ServiceProcess(old.name, old.argv, {**_own_env(old), **env})
    rollout = Rollout(old=old, new=new, started=time.monotonic())
    new.start(wait=True, timeout=timeout)
    balancer.add(new)
    # maxUnavailable 0: the old process goes only once the new one takes traffic.
    balancer.wait_in_rotation(new, timeout)
    rollout.new_ready = time.monotonic()
    rollout.old_status = old.stop(timeout=timeout)
    rollout.old_exited = time.monotonic()
    balancer.remove(old)
    return rollout


def _own_env(process: ServiceProcess) -> dict[str, str]:
    """The settings the old process was started with, less what every process gets anew."""
    fresh = {"PORT", "PROMETHEUS_MULTIPROC_DIR"}
    return {key: value for key, value in process.env.items() if key not in fresh}
