"""Runs the Procfile with honcho, keeping the output one JSON object per line.

Service lines are already JSON and pass through untouched; anything else a process
prints (a crash before logging is set up) and the runner's own messages are wrapped in
the same shape, so a log router never meets a line it cannot parse.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager


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
        self.width = 0

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
                    print(text, file=self.output, flush=True)
                    continue
            service = "dev" if name == "system" else name
            print(line(service, text, logger="dev" if name == "system" else "stdout"), file=self.output, flush=True)


def run(procfile: Path, env: dict[str, str], cwd: Path, only: list[str] | None = None) -> int:
    """Start every process of ``procfile`` (or ``only`` those) and wait; Ctrl-C stops them all."""
    processes = parse_procfile(procfile.read_text()).processes
    manager = Manager(printer=JsonPrinter())
    for name, command in processes.items():
        if only is None or name in only:
            manager.add_process(name, command, env=env, cwd=str(cwd))
    manager.loop()
    return manager.returncode or 0
