"""`make help`: the index of commands, one per line, in two aligned columns."""

from __future__ import annotations

import re
import subprocess

from snipdev import ROOT


def test_make_help_lists_every_documented_target_in_aligned_columns():
    lines = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rows = lines.splitlines()
    documented = re.findall(r"^([a-z][a-z0-9-]*):.*## ", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    assert [row.split()[0] for row in rows] == documented
    columns = {re.match(r"\s*[a-z][a-z0-9-]*\s+", row).end() for row in rows}
    assert len(columns) == 1, f"descriptions start at columns {sorted(columns)}"
