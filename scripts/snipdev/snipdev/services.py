"""What the suite is made of, read from the repository itself so that no list of services
is kept by hand: the services are the folders of services/ (each with a pyproject.toml,
the shared kit aside), a service owns a schema when its package ships migrations, and
the process types are the Procfile's lines.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from honcho.environ import parse_procfile

from . import ROOT

#: The shared kit: installed in every image, but no service of its own.
KIT = "snipkit"


def services(root: Path = ROOT) -> list[str]:
    """Every service of the suite, sorted: the same list as ``make services``."""
    return sorted(p.parent.name for p in (root / "services").glob("*/pyproject.toml") if p.parent.name != KIT)


def schema_owners(root: Path = ROOT) -> list[str]:
    """The services that own a PostgreSQL schema: those whose package has migrations."""
    return [name for name in services(root) if (root / "services" / name / name / "migrations").is_dir()]


@dataclass(frozen=True)
class Process:
    """One process type of the Procfile: ``web: exec gunicorn ... web.wsgi:app``."""

    name: str
    command: str

    @property
    def argv(self) -> list[str]:
        """The command's words, without the shell's ``exec``."""
        words = shlex.split(self.command)
        return words[1:] if words[:1] == ["exec"] else words

    @property
    def gunicorn(self) -> bool:
        return self.argv[:1] == ["gunicorn"]

    @property
    def package(self) -> str:
        """The service it runs: the package of a gunicorn app (``stats.wsgi:app``), or the
        console script named after its package (``stats worker``)."""
        return self.argv[-1].split(".")[0].split(":")[0] if self.gunicorn else self.argv[0]

    @property
    def port_variable(self) -> str:
        """The local setting that moves it: ``stats-api`` listens on ``STATS_API_PORT``."""
        return self.name.upper().replace("-", "_") + "_PORT"


def processes(root: Path = ROOT) -> list[Process]:
    """The Procfile's process types, in its order."""
    parsed = parse_procfile((root / "Procfile").read_text()).processes
    return [Process(name, command) for name, command in parsed.items()]
