"""Every install command the site shows for wheelfix works for a visitor.

wheelfix is not on the package index yet, so a bare ``pip install wheelfix``
would install nothing (or someone else's project).  Every page, hand-written or
generated, that tells a reader to install it names the repository, and every
page that shows a ``wheelfix`` command line says how to install it.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

import pytest

from sitebuild import ROOT

from generator import REPOSITORY_URL
from generator import kb as kb_mod
from generator.site import pages as site

#: An install command line naming wheelfix, as a page shows it (inline code or a code block line).
_INSTALL = re.compile(r"\b(?:pipx|pip|uv pip|uv tool)\s+install\b[^\n`|&]*\bwheelfix\b[^\n`|&]*")
#: A command line to type: after a prompt, a pipe or "&&", or opening a line of a code block.
_COMMAND = re.compile(r"(?:^\$?\s*|\|\s*|&&\s*|^- run:\s*)wheelfix (?:explain|run|audit|table)\b", re.M)



def _site_pages() -> Dict[str, str]:
    """The hand-written pages and the generated ones (from the fixture KB), by path."""
    pages = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))}
    generated = site.generate(kb_mod.load(ROOT / "tests" / "data" / "kb_valid"))
    pages.update({f"(generated) {k}": v for k, v in generated.items() if isinstance(v, str) and k.endswith(".md")})
    return pages


_PAGES = _site_pages()


def _installs() -> List[Tuple[str, str]]:
    return [(name, m.group(0)) for name, text in _PAGES.items() for m in _INSTALL.finditer(text)]


def test_the_pages_show_install_commands() -> None:
    assert len(_installs()) >= 3, "the scan found almost no install commands: is the pattern still right?"


@pytest.mark.parametrize("page, command", _installs())
def test_every_install_command_names_the_repository(page: str, command: str) -> None:
    assert f"git+{REPOSITORY_URL}" in command, f"{page}: {command!r} installs wheelfix from the index, where it is not yet"


@pytest.mark.parametrize("page", sorted(name for name, text in _PAGES.items() if _COMMAND.search(text)))
def test_a_page_with_a_command_line_says_how_to_install_it(page: str) -> None:
    shown = [m.group(0) for m in _INSTALL.finditer(_PAGES[page])]
    assert any(f"git+{REPOSITORY_URL}" in c for c in shown), f"{page} shows a wheelfix command but not how to install it"


def test_the_home_page_is_among_the_pages_checked() -> None:
    assert "(generated) index.md" in [p for p in _PAGES if _COMMAND.search(_PAGES[p])]


def test_the_repository_url_is_the_projects() -> None:
    # mkdocs.yml sets no repo_url (Material would then call GitHub's API from every page
    # view); the package metadata names the repository, and the pages must agree with it.
    source = re.search(r'^Source = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert source is not None and source.group(1) == REPOSITORY_URL
