"""Every relative link in the README, docs/ and the READMEs of the local tooling, the test
support and the bench points at a file or folder that exists, and every #anchor in a link
to a Markdown file at one of its headings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from snipdev import ROOT

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "bench").glob("*.md")),
    ROOT / "scripts" / "snipdev" / "README.md",
    ROOT / "tests" / "support" / "README.md",
]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(document: Path):
    broken = [
        target
        for target in LINK.findall(document.read_text())
        if "://" not in target and not target.startswith("mailto:") and not (document.parent / target).exists()
    ]
    assert broken == []


ANCHORED = re.compile(r"\]\(([^)#\s]*\.md)#([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors for a document's headings: lower case, punctuation dropped, spaces to dashes."""
    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_anchors_name_a_heading(document: Path):
    broken = [
        f"{target}#{anchor}"
        for target, anchor in ANCHORED.findall(document.read_text())
        if "://" not in target and anchor not in _anchors((document.parent / target).read_text())
    ]
    assert broken == []
