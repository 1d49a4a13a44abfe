"""Typed settings, read once from the environment when an app is created.

Every setting may instead come from a file: ``DATABASE_URL_FILE=/var/run/secrets/db/url``
reads the value from that file (Kubernetes Secrets mounted as files, Vault Agent
output). All problems are collected and reported together, so a misconfigured pod
fails once with the full list instead of once per missing variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_MISSING = object()


class ConfigError(Exception):
    """Raised with every configuration problem found, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Setting:
    """One environment setting: its name, how to parse it and its default."""

    name: str
    parse: Callable[[str], Any] = str
    default: Any = _MISSING
    secret: bool = False
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is _MISSING


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """Parser for a whole number within optional bounds."""

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


def number(minimum: float = 0.0) -> Callable[[str], float]:
    """Parser for a decimal number no smaller than ``minimum``."""

    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise ValueError("must be a number") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return parse


def boolean(raw: str) -> bool:
    """Parser for true/false flags (1/0, yes/no, on/off)."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be one of true/false, 1/0, yes/no, on/off")


def choice(*options: str) -> Callable[[str], str]:
    """Parser for one of a fixed set of words (case-insensitive)."""

    def parse(raw: str) -> str:
        value = raw.strip().upper() if options[0].isupper() else raw.strip().lower()
        if value not in options:
            raise ValueError("must be one of " + ", ".join(options))
        return value

    return parse


def url(*schemes: str) -> Callable[[str], str]:
    """Parser for a URL with one of the given schemes and a host."""

    def parse(raw: str) -> str:
        value = raw.strip()
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
        if not parts.netloc and not parts.path:
            raise ValueError("must name a host")
        return value.rstrip("/") if parts.scheme in ("http", "https") else value

    return parse


def mask_url(value: str) -> str:
    """Return ``value`` with any password replaced by ``***``: safe to log."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return "***"
    if parts.password is None:
        return value
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def _read_file(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        # Secrets written by editors or `echo` end with a newline that is not part of the value.
        return fh.read().rstrip("\r\n")


def load(
    settings: list[Setting],
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Resolve ``settings`` from ``overrides``, then ``NAME``, then ``NAME_FILE``, then defaults.

    Overrides (the ``test_config`` of ``create_app``) are taken as already typed.
    Raises :class:`ConfigError` listing every missing or invalid setting; messages name
    the setting but never echo a secret's value.
    """
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in settings:
        name = setting.name
        if name in overrides:
            values[name] = overrides[name]
            continue
        raw, source = environ.get(name), name
        file_path = environ.get(f"{name}_FILE")
        if raw is not None and file_path:
            problems.append(f"{name}: set both {name} and {name}_FILE; set only one")
            continue
        if raw is None and file_path:
            source = f"{name}_FILE ({file_path})"
            try:
                raw = _read_file(file_path)
            except OSError as exc:
                problems.append(f"{name}_FILE: cannot read {file_path}: {exc.strerror}")
                continue
        if raw is None or raw == "":
            if setting.required:
                doc = f" ({setting.doc})" if setting.doc else ""
                problems.append(f"{name}: required but not set{doc}")
            else:
                values[name] = setting.default
            continue
        try:
            values[name] = setting.parse(raw)
        except ValueError as exc:
            shown = "" if setting.secret else f" (got {raw!r})"
            problems.append(f"{source}: {exc}{shown}")
    if problems:
        raise ConfigError(problems)
    return values


def describe(settings: list[Setting], values: Mapping[str, Any]) -> dict[str, Any]:
    """The resolved settings with secrets hidden and URLs masked, for a start-up log line."""
    shown = {}
    for setting in settings:
        value = values.get(setting.name)
        if isinstance(value, str) and "://" in value:
            shown[setting.name] = mask_url(value)
        elif setting.secret:
            shown[setting.name] = "***" if value else value
        else:
            shown[setting.name] = value
    return shown
