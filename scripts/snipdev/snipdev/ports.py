"""make dev's check of every port it will listen on, before it starts anything: a taken
port stops it with a sentence naming the port, who holds it when that can be known, and
the setting that moves it."""

from __future__ import annotations

import psutil

from snipkit.ports import in_use


def listeners() -> dict[int, str]:
    """Port -> the process listening on it, as ``pid 123 (gunicorn)``, as far as the
    system tells this user (root sees every process; others, their own)."""
    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        return {}
    found = {}
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.pid:
            try:
                found[conn.laddr.port] = f"pid {conn.pid} ({psutil.Process(conn.pid).name()})"
            except psutil.Error:
                found[conn.laddr.port] = f"pid {conn.pid}"
    return found


def free_above(port: int, avoid: set[int]) -> int:
    """The first port above ``port`` that is free and not in ``avoid``."""
    candidate = port + 100
    while candidate in avoid or in_use(candidate):
        candidate += 1
    return candidate


def taken(wanted: dict[str, int]) -> list[str]:
    """A sentence for each ``setting: port`` of ``wanted`` that another process listens on."""
    problems = []
    busy = {setting: port for setting, port in wanted.items() if in_use(port)}
    holders = listeners() if busy else {}
    for setting, port in busy.items():
        by = f" by {holders[port]}" if port in holders else ""
        other = free_above(port, set(wanted.values()))
        problems.append(
            f"port {port} ({setting}) is taken{by}: stop that process, or move to a free port"
            f" with {setting}, e.g. `{setting}={other} make dev`"
        )
    return problems
