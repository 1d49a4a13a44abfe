"""Runs the Procfile's processes with honcho, each with its own environment.

With :class:`JsonPrinter`, the output stays one JSON object per line: service lines are
already JSON and pass through untouched; anything else a process prints (a crash before
logging is set up) and the runner's own messages are wrapped in the same shape, so a log
router never meets a line it cannot parse. :class:`snipdev.console.ReadablePrinter`
shows the same events to people.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from honcho.manager import Manager

from .services import Process


def line(service: str, message: str, level: str = "INFO", **fields) -> str:
    entry = {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "service": service,
        "logger": "dev",
        "message": message,
        "request_id": None,
        **fields,
    }
    return json.dumps(entry)


class JsonPrinter:
    """A honcho printer that prints JSON lines only."""

    def __init__(self, output=sys.stdout):
        self.output = output
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        with self._lock:
            print(text, file=self.output, flush=True)

    def event(self, service: str, message: str, level: str = "INFO", **fields) -> None:
        """One of the runner's own events, as a JSON line."""
        self._print(line(service, message, level, **fields))

    def banner(self, title: str, rows: list[tuple[str, str]], footer: str) -> None:
        """The title, then one line per row (``process`` and ``url``), then the footer."""
        self.event("dev", title)
        for name, value in rows:
            self.event("dev", f"{name}: {value}", process=name, url=value)
        self.event("dev", footer)

    def write(self, message) -> None:
        data = message.data.decode("utf-8", "replace") if isinstance(message.data, bytes) else message.data
        name = (message.name or "dev").split(".")[0]
        for text in data.splitlines():
            if name != "system" and text.startswith("{"):
                try:
                    json.loads(text)
                except ValueError:
                    pass
                else:
                    self._print(text)
                    continue
            service = "dev" if name == "system" else name
            self._print(line(service, text, logger="dev" if name == "system" else "stdout"))


def run(processes: list[tuple[Process, dict[str, str]]], cwd: Path, printer) -> int:
    """Start each process with its environment and wait; Ctrl-C (or one process
    exiting) stops them all. Returns honcho's exit status."""
    manager = Manager(printer=printer)
    for process, env in processes:
        manager.add_process(process.name, process.command, env=env, cwd=str(cwd))
    manager.loop()
    return manager.returncode or 0
