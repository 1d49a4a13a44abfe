"""The local settings: one set, read in one place, by every command that runs or finds
the suite on this machine (``make dev``, ``make seed``, ``make purge``, ``make backup``,
``make restore``, ``make load``, ``make smoke``). Each comes from the environment, else
from a ``.env`` file at the top of the repository, else its default; docs/local.md's
"Configuration" table lists them (a test keeps the two in step).

``python -m snipdev.settings urls`` prints the suite's URLs as ``NAME=value`` lines
for a shell script to export, after checking that each answers.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import requests
from honcho.environ import parse as parse_env

from snipkit import config

from . import ROOT
from .services import Process, processes

#: The first process of the Procfile listens here, the next one port higher, and so on.
FIRST_PORT = 8000
_PORT = config.integer(1, 65535)

#: The settings that are not a process's port, as docs/local.md's table shows them.
SETTINGS = [
    config.Setting("DEV_POSTGRES_PORT", _PORT, 15432, doc="the embedded PostgreSQL's port"),
    config.Setting("DEV_REDIS_PORT", _PORT, 16379, doc="the embedded Redis's port"),
    config.Setting(
        "SNIP_STATE_DIR",
        Path,
        ROOT / ".local",
        doc="the embedded servers' data, metrics files and backups (`.local/` of the repository)",
    ),
    config.Setting(
        "DATABASE_URL",
        config.url("postgresql", "postgres"),
        None,
        secret=True,
        doc="your own PostgreSQL instead of the embedded one; a role that may create roles",
    ),
    config.Setting("REDIS_URL", config.url("redis", "rediss"), None, secret=True, doc="your own Redis instead"),
    config.Setting(
        "LOG_FORMAT",
        config.choice("auto", "text", "json"),
        "auto",
        doc="`text`: a readable line per event; `json`: the services' own lines; `auto`: text on a terminal",
    ),
    config.Setting("DEV_RELOAD", config.boolean, True, doc="restart a service's workers when its code changes"),
    config.Setting("PUBLIC_BASE_URL", config.url("http", "https"), None, doc="where short links point (redirect)"),
    config.Setting("SECRET_KEY", str, None, secret=True, doc="signs web's forms (a new one each run)"),
]

#: The URL settings the suite's clients read (web, the load generator, the smoke test),
#: each naming the process it reaches.
CLIENT_URLS = {"WEB_URL": "web", "LINKS_URL": "links", "REDIRECT_URL": "redirect", "STATS_URL": "stats-api"}


def port_settings(procs: list[Process]) -> list[config.Setting]:
    """``<NAME>_PORT`` for each process: 8000 for the Procfile's first line, then up."""
    return [
        config.Setting(p.port_variable, _PORT, FIRST_PORT + i, doc=f"where {p.name} listens")
        for i, p in enumerate(procs)
    ]


@dataclass(frozen=True)
class Local:
    """The resolved settings: ``values`` by name, the environment they came from, and the
    repository whose Procfile they were read with."""

    values: dict
    environ: dict[str, str]
    processes: list[Process]
    root: Path = ROOT

    def port(self, process: str) -> int:
        return self.values[next(p.port_variable for p in self.processes if p.name == process)]

    def url(self, process: str) -> str:
        return f"http://127.0.0.1:{self.port(process)}"

    @property
    def state_dir(self) -> Path:
        return Path(self.values["SNIP_STATE_DIR"]).absolute()

    def client_urls(self) -> dict[str, str]:
        names = {p.name for p in self.processes}
        return {setting: self.url(process) for setting, process in CLIENT_URLS.items() if process in names}


def environment(root: Path = ROOT) -> dict[str, str]:
    """The environment, with ``.env`` filling in what it does not set."""
    values = {}
    env_file = root / ".env"
    if env_file.exists():
        values.update(parse_env(env_file.read_text()))
    values.update(os.environ)
    return values


def load(root: Path = ROOT, environ: dict[str, str] | None = None) -> Local:
    """Every local setting, checked; raises :class:`snipkit.config.ConfigError` naming
    each bad one (a port that is no number, two processes on one port...)."""
    environ = environment(root) if environ is None else environ
    procs = processes(root)
    ports = port_settings(procs)
    values = config.load(ports + SETTINGS, environ)
    taken: dict[int, str] = {}
    problems = []
    for name in [*(s.name for s in ports), "DEV_POSTGRES_PORT", "DEV_REDIS_PORT"]:
        port = values[name]
        if port in taken:
            problems.append(f"{name}: {port} is also {taken[port]}; give each its own port")
        taken.setdefault(port, name)
    if problems:
        raise config.ConfigError(problems)
    return Local(values, environ, procs, root)


def answering(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def main(argv: list[str]) -> int:
    if argv != ["urls"]:
        print("usage: python -m snipdev.settings urls", file=sys.stderr)
        return 2
    try:
        local = load()
    except config.ConfigError as exc:
        print(f"snip: {exc}", file=sys.stderr)
        return 2
    urls = local.client_urls()
    silent = [f"{name}={url}" for name, url in urls.items() if not answering(url)]
    if silent:
        print(f"snip: nothing ready at {', '.join(silent)}: start `make dev` first", file=sys.stderr)
        return 1
    for name, url in urls.items():
        print(f"{name}={url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
