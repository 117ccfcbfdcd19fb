"""Find the Python version a project declares for its deploy, and where it says so.

Looked for in each directory from the audited file up to the repository root
(the first directory holding ``.git``), nearest directory first.  Within one
directory the sources are tried in the order hosts honour them:

1. ``render.yaml``: ``envVars`` entry ``PYTHON_VERSION`` of a service;
2. ``.python-version``: first non-comment line (pyenv, uv, Render);
3. ``runtime.txt``: ``python-3.12.4`` (Heroku style);
4. ``pyproject.toml``: ``[project] requires-python``: a range, not a pin.

A pin (1-3) anywhere up the tree wins over a range (4); a range is returned
only when no pin is found, so that the caller can say "not pinned".
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Sequence

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from generator import pep440
from generator import safefile
from generator.errors import WheelfixError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

logger = logging.getLogger("wheelfix.projectpython")

#: Names understood in ``sources=``, in their default order.
SOURCES = ("PYTHON_VERSION", ".python-version", "runtime.txt", "requires-python")

#: Project files that declare a Python are small; anything larger is not read.
_MAX_BYTES = 1024 * 1024
_VERSION_RE = re.compile(r"^(?:python-?|cpython-?)?(3\.\d{1,2})(?:\.\d{1,2})?(?:[a-z0-9.+-]*)?$", re.IGNORECASE)


class ProjectPythonError(WheelfixError):
    """A file that declares the project's Python but says something unreadable."""


@dataclass(frozen=True)
class DeclaredPython:
    """A project's Python declaration.

    ``version`` is ``X.Y`` for a pin; ``None`` when only ``specifier`` (a
    ``requires-python`` range) was found.  ``source`` is ``file:line`` or
    ``file`` naming where it was read; ``kind`` is the entry of
    :data:`SOURCES` it came from.
    """

    version: Optional[str]
    source: str
    kind: str
    specifier: Optional[SpecifierSet] = None
    raw: str = ""

    @property
    def pinned(self) -> bool:
        """Whether this names one Python (not just a range)."""
        return self.version is not None


def parse_version_text(text: str, where: str) -> str:
    """``3.12.4`` / ``python-3.12.4`` / ``3.13`` -> ``3.12``; raise on anything else."""
    match = _VERSION_RE.match(text.strip())
    if not match:
        raise ProjectPythonError(
            f"{where}: {text.strip()!r} is not a CPython 3 version",
            hint="write a version such as 3.12 or 3.12.4",
        )
    return match.group(1)


def _first_line(text: str) -> Optional[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            return number, line
    return None


def _from_python_version_file(path: Path, text: str) -> Optional[DeclaredPython]:
    first = _first_line(text)
    if first is None:
        return None
    number, line = first
    # pyenv allows several versions, one per line or space separated; the first wins.
    value = line.split()[0]
    if value in ("system",) or value.startswith(("pypy", "graalpy", "miniconda", "anaconda")):
        logger.info("%s:%d: %r is not a CPython version; ignored", path, number, value)
        return None
    where = f"{path}:{number}"
    return DeclaredPython(parse_version_text(value, where), where, ".python-version", raw=value)


def _from_runtime_txt(path: Path, text: str) -> Optional[DeclaredPython]:
    first = _first_line(text)
    if first is None:
        return None
    number, line = first
    where = f"{path}:{number}"
    return DeclaredPython(parse_version_text(line, where), where, "runtime.txt", raw=line)


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _from_render_yaml(path: Path, text: str) -> Optional[DeclaredPython]:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProjectPythonError(f"{path}: not valid YAML ({_one_line(exc)})", hint="fix render.yaml") from None
    except RecursionError:
        raise ProjectPythonError(f"{path}: YAML nested too deeply to read", hint="fix render.yaml") from None
    if not isinstance(data, dict):
        return None
    for service in data.get("services") or []:
        if not isinstance(service, dict):
            continue
        for var in service.get("envVars") or []:
            if isinstance(var, dict) and var.get("key") == "PYTHON_VERSION" and "value" in var:
                value = str(var["value"])
                where = f"{path}:{_line_of(text, 'PYTHON_VERSION')}"
                return DeclaredPython(parse_version_text(value, where), where, "PYTHON_VERSION", raw=value)
    return None


def _from_pyproject(path: Path, text: str) -> Optional[DeclaredPython]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectPythonError(f"{path}: not valid TOML ({exc})", hint="fix pyproject.toml") from None
    except RecursionError:
        raise ProjectPythonError(f"{path}: TOML nested too deeply to read", hint="fix pyproject.toml") from None
    project = data.get("project")
    raw = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(raw, str):
        return None
    where = f"{path}:{_line_of(text, 'requires-python')}"
    try:
        spec = pep440.specifier_set(raw)
    except InvalidSpecifier:
        raise ProjectPythonError(f"{where}: requires-python {pep440.clip(raw)} is not a version specifier", hint="e.g. >=3.10") from None
    return DeclaredPython(None, where, "requires-python", specifier=spec, raw=raw)


_READERS: dict[str, tuple[str, Callable[[Path, str], Optional[DeclaredPython]]]] = {
    "PYTHON_VERSION": ("render.yaml", _from_render_yaml),
    ".python-version": (".python-version", _from_python_version_file),
    "runtime.txt": ("runtime.txt", _from_runtime_txt),
    "requires-python": ("pyproject.toml", _from_pyproject),
}


def _one_line(exc: Exception) -> str:
    # PyYAML's messages quote the offending lines of the file on lines of their own.
    return " ".join(str(exc).split())


def _read(candidate: Path, root: Path) -> str:
    """A project file's text: a regular file inside the repository, at most :data:`_MAX_BYTES`."""
    try:
        return safefile.read_bytes(candidate, limit=_MAX_BYTES, root=root).decode("utf-8", "replace")
    except safefile.UnreadableFile as exc:
        raise ProjectPythonError(str(exc), hint="a project file that declares the Python version must be a regular file") from None


def _directories(start: Path) -> Iterator[Path]:
    here = start if start.is_dir() else start.parent
    here = here.resolve()
    for directory in (here, *here.parents):
        yield directory
        if (directory / ".git").exists():
            return


def find_project_python(start: Path, *, sources: Sequence[str] = SOURCES) -> Optional[DeclaredPython]:
    """Find the Python the project around ``start`` declares, or ``None``.

    ``sources`` restricts and orders what counts (e.g. a host that reads only
    ``PYTHON_VERSION`` and ``.python-version``); ``requires-python`` is always
    consulted last, as a range.
    """
    unknown = [s for s in sources if s not in _READERS]
    if unknown:
        raise ProjectPythonError(f"unknown Python source(s) {unknown}", hint=f"known: {', '.join(SOURCES)}")
    pins = [s for s in sources if s != "requires-python"]
    found_range: Optional[DeclaredPython] = None
    directories = list(_directories(Path(start)))
    root = directories[-1]
    for directory in directories:
        for kind in pins:
            filename, reader = _READERS[kind]
            candidate = directory / filename
            if candidate.exists() or candidate.is_symlink():
                declared = reader(candidate, _read(candidate, root))
                if declared is not None:
                    return declared
        if found_range is None and "requires-python" in sources:
            candidate = directory / "pyproject.toml"
            if candidate.exists() or candidate.is_symlink():
                found_range = _from_pyproject(candidate, _read(candidate, root))
    return found_range


def describe(declared: DeclaredPython) -> str:
    """One line for humans: ``3.12 from .python-version:1``."""
    if declared.version is not None:
        return f"{declared.version} from {declared.source}"
    return f"requires-python {declared.specifier} from {declared.source} (a range, not a pin)"


__all__: List[str] = ["DeclaredPython", "ProjectPythonError", "SOURCES", "describe", "find_project_python", "parse_version_text"]
