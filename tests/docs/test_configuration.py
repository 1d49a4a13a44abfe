"""The "Configuration" table of docs/local.md names every local setting snipdev.settings reads,
and no other, so the table cannot drift from the code."""

from __future__ import annotations

import re

from snipdev import ROOT, settings
from snipdev.services import processes


def configuration_rows() -> list[list[str]]:
    text = (ROOT / "docs" / "local.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n#", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row] for row in rows]


def test_the_table_names_every_local_setting():
    named = {name for row in configuration_rows() for name in re.findall(r"`([A-Z_]+)`", row[0])}
    expected = {p.port_variable for p in processes()} | {s.name for s in settings.SETTINGS}
    assert named == expected


def test_the_table_gives_the_ports_each_process_gets():
    procs = processes()
    ports_row = next(row for row in configuration_rows() if procs[0].port_variable in row[0])
    assert re.findall(r"`([A-Z_]+)`", ports_row[0]) == [p.port_variable for p in procs]
    assert ports_row[1] == f"{settings.FIRST_PORT} to {settings.FIRST_PORT + len(procs) - 1}"
