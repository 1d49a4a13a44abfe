"""make dev's output for people: one short line per event, coloured on a terminal.

The services write JSON lines (snipkit.logs), which is what a log router wants and what
make dev passes on when its output goes to a file or a pipe, or with LOG_FORMAT=json
(procfile.JsonPrinter). On a terminal, this printer shows each as
``12:04:31 links        POST /api/links 201 4 ms  req 6f1c2a9b``: the time, the
process, the message (an access line's method, path, status and duration) and the
request id; warnings and errors say so in colour, and an exception follows indented.
Health probes' access lines are left out.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import datetime

#: JSON keys shown in their own place, or not at all (host is this machine, for every line).
_SHOWN = {"timestamp", "level", "service", "host", "logger", "message", "request_id", "exception"}
_ACCESS = {"method", "path", "status", "duration_ms", "remote_addr"}
_PALETTE = ["36", "35", "34", "32", "33", "96", "95", "94"]
_LEVELS = {"DEBUG": "2", "WARNING": "33;1", "ERROR": "31;1", "CRITICAL": "31;1"}
_NAME_WIDTH = 13
#: Health probes (make dev's own, while it waits for readiness) are not shown.
_PROBES = {"/livez", "/readyz"}


class ReadablePrinter:
    """A honcho printer that turns the processes' JSON lines into readable ones."""

    def __init__(self, output=sys.stdout, colour: bool = False):
        self.output = output
        self.colour = colour
        self._colours: dict[str, str] = {}
        self._lock = threading.Lock()

    def _paint(self, text: str, code: str | None) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour and code else text

    def _name(self, service: str) -> str:
        code = self._colours.setdefault(service, _PALETTE[len(self._colours) % len(_PALETTE)])
        return self._paint(f"{service:<{_NAME_WIDTH}}", code)

    def format(self, entry: dict) -> str:
        """One event as a line (and an exception's lines after it, indented)."""
        moment = entry.get("timestamp")
        try:
            clock = datetime.fromisoformat(moment).astimezone().strftime("%H:%M:%S")
        except (TypeError, ValueError):
            clock = datetime.now().strftime("%H:%M:%S")
        level = str(entry.get("level", "INFO")).upper()
        parts = [self._paint(clock, "2"), self._name(str(entry.get("service", "?")))]
        if level != "INFO":
            parts.append(self._paint(level, _LEVELS.get(level)))
        message = str(entry.get("message", ""))
        if entry.get("logger") == "access" and "duration_ms" in entry:
            message += f" {entry['duration_ms']:.0f} ms"
        parts.append(message)
        details = [
            f"{key}={_short(value)}"
            for key, value in entry.items()
            if key not in _SHOWN | _ACCESS and not isinstance(value, dict) and value is not None
        ]
        if details:
            parts.append(self._paint(" ".join(details), "2"))
        if entry.get("request_id"):
            parts.append(self._paint(f"req {str(entry['request_id'])[:8]}", "2"))
        line = " ".join(parts)
        if entry.get("exception"):
            line += "\n" + "\n".join(f"    {text}" for text in str(entry["exception"]).splitlines())
        return line

    def _print(self, text: str) -> None:
        with self._lock:
            print(text, file=self.output, flush=True)

    def event(self, service: str, message: str, level: str = "INFO", **fields) -> None:
        """One of make dev's own events."""
        self._print(self.format({"service": service, "level": level, "message": message, **fields}))

    def banner(self, title: str, rows: list[tuple[str, str]], footer: str) -> None:
        """A block of ``name  value`` rows under a title: the URLs, once everything is ready."""
        indent = " " * 9
        lines = [f"\n{self._paint(title, '1')}"]
        lines += [f"{indent}{self._name(name)}{self._paint(value, '1')}" for name, value in rows]
        self._print("\n".join([*lines, f"{indent}{footer}\n"]))

    def write(self, message) -> None:
        """honcho's printer interface: ``message.data`` is a chunk of one process's output."""
        data = message.data.decode("utf-8", "replace") if isinstance(message.data, bytes) else message.data
        name = (message.name or "dev").split(".")[0]
        for text in data.splitlines():
            if not text.strip():
                continue
            entry = None
            if name != "system" and text.startswith("{"):
                try:
                    entry = json.loads(text)
                except ValueError:
                    entry = None
            if not isinstance(entry, dict):
                entry = {"message": text}
            if entry.get("logger") == "access" and entry.get("path") in _PROBES:
                continue
            # The process, not the package: stats-api and stats-worker both log as "stats".
            self._print(self.format({**entry, "service": "dev" if name == "system" else name}))


def _short(value) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
