"""Every install command the site shows for wheelfix works for a visitor.

wheelfix is not on the package index yet, so a bare ``pip install wheelfix``
would install nothing (or someone else's project).  Every page, hand-written or
generated, that tells a reader to install it names the repository, and every
page that shows a ``wheelfix`` command line says how to install it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import pytest

from sitebuild import ROOT

from generator import REPOSITORY_URL

#: An install command line naming wheelfix, as a page shows it (inline code or a code block line).
_INSTALL = re.compile(r"\b(?:pipx|pip|uv pip|uv tool)\s+install\b[^\n`|&]*\bwheelfix\b[^\n`|&]*")
#: A command line to type: after a prompt, a pipe or "&&", or opening a line of a code block.
_COMMAND = re.compile(r"(?:^\$?\s*|\|\s*|&&\s*|^- run:\s*)wheelfix (?:explain|run|audit|table)\b", re.M)
_PAGES = sorted([*(ROOT / "docs").rglob("*.md"), *(ROOT / "generator" / "site" / "templates").glob("*.j2")])


def _installs() -> List[Tuple[str, str]]:
    return [(p.relative_to(ROOT).as_posix(), m.group(0)) for p in _PAGES for m in _INSTALL.finditer(p.read_text(encoding="utf-8"))]


def test_the_pages_show_install_commands() -> None:
    assert len(_installs()) >= 3, "the scan found almost no install commands: is the pattern still right?"


@pytest.mark.parametrize("page, command", _installs())
def test_every_install_command_names_the_repository(page: str, command: str) -> None:
    assert f"git+{REPOSITORY_URL}" in command, f"{page}: {command!r} installs wheelfix from the index, where it is not yet"


@pytest.mark.parametrize("page", [p for p in _PAGES if _COMMAND.search(p.read_text(encoding="utf-8"))], ids=lambda p: p.name)
def test_a_page_with_a_command_line_says_how_to_install_it(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    shown = [m.group(0) for m in _INSTALL.finditer(text)]
    assert any(f"git+{REPOSITORY_URL}" in c for c in shown), f"{page.name} shows a wheelfix command but not how to install it"


def test_the_repository_url_is_the_projects() -> None:
    # mkdocs.yml sets no repo_url (Material would then call GitHub's API from every page
    # view); the package metadata names the repository, and the pages must agree with it.
    source = re.search(r'^Source = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert source is not None and source.group(1) == REPOSITORY_URL
