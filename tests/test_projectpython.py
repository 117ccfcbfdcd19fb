"""Tests for generator.audit.projectpython: where a project declares its Python."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import pytest

from generator.audit.projectpython import ProjectPythonError, describe, find_project_python, parse_version_text

RENDER_YAML = """\
services:
  - type: web
    name: api
    runtime: python
    envVars:
      - key: OTHER
        value: x
      - key: PYTHON_VERSION
        value: 3.12.4
"""


def _tree(root: Path, files: Dict[str, str]) -> None:
    (root / ".git").mkdir()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "files, version, source, kind",
    [
        # .python-version next to the requirements
        ({".python-version": "3.12.3\n", "requirements.txt": ""}, "3.12", ".python-version:1", ".python-version"),
        # comments and blank lines before the version
        ({".python-version": "# pinned\n\n3.11\n"}, "3.11", ".python-version:3", ".python-version"),
        # runtime.txt, Heroku style
        ({"runtime.txt": "python-3.10.14\n"}, "3.10", "runtime.txt:1", "runtime.txt"),
        # render.yaml PYTHON_VERSION wins over .python-version in the same directory (Render's order)
        ({"render.yaml": RENDER_YAML, ".python-version": "3.11\n"}, "3.12", "render.yaml:8", "PYTHON_VERSION"),
        # a pin higher up beats a range next to the file
        ({".python-version": "3.12\n", "app/pyproject.toml": '[project]\nrequires-python = ">=3.9"\n'}, "3.12", ".python-version:1", ".python-version"),
        # only a range: returned as a range
        ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10"\n'}, None, "pyproject.toml:3", "requires-python"),
        # nothing declared
        ({}, None, None, None),
        # a non-CPython .python-version is ignored
        ({".python-version": "pypy3.10\n"}, None, None, None),
    ],
)
def test_find_project_python(
    tmp_path: Path, files: Dict[str, str], version: Optional[str], source: Optional[str], kind: Optional[str]
) -> None:
    _tree(tmp_path, files)
    (tmp_path / "app").mkdir(exist_ok=True)
    found = find_project_python(tmp_path / "app" / "requirements.txt")
    if kind is None:
        assert found is None
        return
    assert found is not None
    assert (found.version, found.kind) == (version, kind)
    assert found.source == f"{tmp_path.resolve()}/{source}"


def test_stops_at_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("3.9\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    _tree(repo, {"requirements.txt": ""})
    assert find_project_python(repo / "requirements.txt") is None


def test_sources_restrict_what_counts(tmp_path: Path) -> None:
    _tree(tmp_path, {"runtime.txt": "python-3.10.1\n"})
    assert find_project_python(tmp_path, sources=["PYTHON_VERSION", ".python-version"]) is None
    with pytest.raises(ProjectPythonError, match="unknown Python source"):
        find_project_python(tmp_path, sources=["setup.cfg"])


def test_range_is_described_as_range(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.10"\n'})
    found = find_project_python(tmp_path)
    assert found is not None and not found.pinned
    assert "a range, not a pin" in describe(found)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3.13", "3.13"),  # minor only
        ("3.12.4", "3.12"),  # patch dropped
        ("python-3.11.9", "3.11"),  # runtime.txt
        ("3.14.0rc1", "3.14"),  # pre-release
        (" 3.10 ", "3.10"),  # whitespace
    ],
)
def test_parse_version_text(text: str, expected: str) -> None:
    assert parse_version_text(text, "x") == expected


@pytest.mark.parametrize("text", ["2.7.18", "latest", "3", "python3"])
def test_parse_version_text_rejects(text: str) -> None:
    with pytest.raises(ProjectPythonError, match=r"here:1: .* is not a CPython 3 version"):
        parse_version_text(text, "here:1")


def test_bad_render_yaml_names_file(tmp_path: Path) -> None:
    _tree(tmp_path, {"render.yaml": "services: [\n"})
    with pytest.raises(ProjectPythonError, match="render.yaml: not valid YAML"):
        find_project_python(tmp_path)
