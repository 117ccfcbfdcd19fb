"""Read the pins out of TOML lock files: ``pylock.toml``, ``uv.lock`` and ``poetry.lock``.

* :func:`parse_pylock` -- ``pylock.toml`` (PEP 751, ``[[packages]]``);
* :func:`parse_uv_lock` -- ``uv.lock`` (``[[package]]`` with ``source``/``wheels``);
* :func:`parse_poetry_lock` -- ``poetry.lock`` (``[[package]]`` with ``files``).

Lock files are untrusted input: every field read is checked for its TOML type
first (:class:`_Fields`), so that ``wheels = 5`` is an error naming the file,
the line of the package and the field, never a ``TypeError``.  Versions,
specifiers and markers go through :mod:`generator.pep440`.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator import pep440
from generator.audit.pinfiles.pins import Pin, PinFile, PinFileError, Unauditable, first_line, read_pin_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

logger = logging.getLogger("wheelfix.pinfiles")

_REGENERATE = "fix or regenerate the lock file"
_TYPES = ((bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"), (list, "an array"), (dict, "a table"))


def load_toml(path: Path, text: str) -> Dict[str, Any]:
    """Parse TOML; raise :class:`PinFileError` naming file and line on bad or too deeply nested TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib grew ``lineno`` only in 3.14; older ones say it in the message.
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        where = f"{path}:{line}" if line else str(path)
        raise PinFileError(f"{where}: not valid TOML ({first_line(exc)})", hint="was the lock file edited by hand?") from None
    except RecursionError:
        raise PinFileError(f"{path}: TOML nested too deeply to read", hint="was the lock file edited by hand?") from None


def _describe(value: Any) -> str:
    kind = next((name for t, name in _TYPES if isinstance(value, t)), "a date or time")
    if isinstance(value, (list, dict)):
        return kind
    return f"{kind} ({pep440.clip(value) if isinstance(value, str) else str(value)[:60]})"


class _Fields:
    """Typed access to one TOML table; a wrong type is a :class:`PinFileError` naming ``where`` and the field."""

    def __init__(self, table: Mapping[str, Any], where: str) -> None:
        self.table, self.where = table, where

    def _wrong(self, key: str, expected: str, value: Any) -> PinFileError:
        return PinFileError(f"{self.where}: '{key}' must be {expected}, not {_describe(value)}", hint=_REGENERATE)

    def string(self, key: str) -> Optional[str]:
        value = self.table.get(key)
        if value is not None and not isinstance(value, str):
            raise self._wrong(key, "a string", value)
        return value

    def table_(self, key: str) -> Optional[Mapping[str, Any]]:
        value = self.table.get(key)
        if value is not None and not isinstance(value, dict):
            raise self._wrong(key, "a table", value)
        return value

    def tables(self, key: str) -> List[Mapping[str, Any]]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._wrong(key, "an array of tables", value)
        return value

    def strings(self, key: str) -> List[str]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "an array of strings", value)
        return value

    def string_table(self, key: str) -> Optional[Mapping[str, str]]:
        value = self.table_(key)
        if value is not None and not all(isinstance(v, str) for v in value.values()):
            raise self._wrong(key, "a table of strings", value)
        return value


def _header_lines(text: str, header: str) -> List[int]:
    """Line numbers of each ``[[header]]`` table, to give TOML entries a file:line."""
    pattern = re.compile(r"^\s*\[\[\s*" + re.escape(header) + r"\s*\]\]\s*(#.*)?$")
    return [n for n, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def _entries(data: Mapping[str, Any], key: str, path: Path, text: str) -> List[Tuple[_Fields, int]]:
    """Each ``[[key]]`` table with its line (the top of the file for an inline array)."""
    entries = _Fields(data, str(path)).tables(key)
    lines = _header_lines(text, key)
    if len(lines) != len(entries):
        lines = [1] * len(entries)
    return [(_Fields(e, f"{path}:{line}: {key}[{i}]"), line) for i, (e, line) in enumerate(zip(entries, lines))]


def _name_version(entry: _Fields, path: Path, line: int) -> Tuple[str, Optional[Version]]:
    name = entry.string("name")
    if not name:
        raise PinFileError(f"{path}:{line}: package entry has no name", hint="every locked package needs name = \"...\"")
    entry.where = f"{path}:{line}: {name}"
    raw = entry.string("version")
    if raw is None:
        return name, None
    try:
        return name, pep440.version(raw)
    except InvalidVersion:
        problem = pep440.number_problem(raw)
        detail = f" ({problem})" if problem else ""
        raise PinFileError(
            f"{path}:{line}: {name} has version {pep440.clip(raw)}, which is not a PEP 440 version{detail}", hint=_REGENERATE
        ) from None


def _marker(text: Optional[str], path: Path, line: int, name: str) -> Optional[Marker]:
    if not text:
        return None
    try:
        return pep440.marker(text)
    except InvalidMarker as exc:
        raise PinFileError(
            f"{path}:{line}: {name} has an invalid marker {pep440.clip(text)} ({first_line(exc)})", hint="regenerate the lock file"
        ) from None


def _requires_python(data: Mapping[str, Any], path: Path) -> Optional[SpecifierSet]:
    raw = _Fields(data, str(path)).string("requires-python")
    if raw is None:
        return None
    try:
        return pep440.specifier_set(raw)
    except InvalidSpecifier:
        raise PinFileError(f"{path}: requires-python {pep440.clip(raw)} is not a version specifier", hint="e.g. >=3.10") from None


def _hash_strings(files: List[Mapping[str, Any]], where: str) -> Tuple[str, ...]:
    out: List[str] = []
    for i, item in enumerate(files):
        fields = _Fields(item, f"{where}: file {i + 1}")
        single = fields.string("hash")
        if single is not None and ":" in single:
            out.append(single.lower())
        many = fields.string_table("hashes")
        if many is not None:
            out.extend(f"{algo}:{digest}".lower() for algo, digest in many.items())
    return tuple(out)


def _files(entry: _Fields) -> List[Mapping[str, Any]]:
    """An entry's ``wheels`` plus its ``sdist`` (pylock.toml and uv.lock)."""
    files = list(entry.tables("wheels"))
    sdist = entry.table_("sdist")
    if sdist is not None:
        files.append(sdist)
    return files


def _lock_pin(path: Path, line: int, name: str, version: Version, hashes: Tuple[str, ...], marker: Optional[Marker]) -> Pin:
    return Pin(
        name=canonicalize_name(name),
        raw_name=name,
        file=path,
        line=line,
        specifier=SpecifierSet(f"=={version}"),
        version=version,
        marker=marker,
        hashes=hashes,
    )


def _load(path: Path, text: Optional[str]) -> Tuple[Path, str, Dict[str, Any]]:
    """The path, its text (read when not given) and the parsed TOML."""
    path = Path(path)
    body = read_pin_text(path) if text is None else text
    return path, body, load_toml(path, body)


def parse_pylock(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse a PEP 751 ``pylock.toml``."""
    path, body, data = _load(path, text)
    result = PinFile(path=path, format="pylock", requires_python=_requires_python(data, path))
    for entry, line in _entries(data, "packages", path, body):
        name, version = _name_version(entry, path, line)
        marker = _marker(entry.string("marker"), path, line, name)
        if any(k in entry.table for k in ("vcs", "directory", "archive")) or version is None:
            result.unauditable.append(Unauditable(path, line, name, f"{name} comes from a VCS, directory or archive, not the index"))
            continue
        result.pins.append(_lock_pin(path, line, name, version, _hash_strings(_files(entry), entry.where), marker))
    return result


def parse_uv_lock(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse a ``uv.lock``.

    The project itself (``source = { editable = "." }`` or ``virtual``) is
    skipped; other non-registry sources are reported as unauditable.  When a
    package is locked more than once for different ``resolution-markers``,
    every entry is kept with its markers joined by ``or``.
    """
    path, body, data = _load(path, text)
    result = PinFile(path=path, format="uv", requires_python=_requires_python(data, path))
    for entry, line in _entries(data, "package", path, body):
        name, version = _name_version(entry, path, line)
        source = entry.table_("source") or {}
        if "." in (source.get("editable"), source.get("virtual")):
            logger.debug("%s:%d: skipping the project itself (%s)", path, line, name)
            continue
        if "registry" not in source or version is None:
            result.unauditable.append(Unauditable(path, line, name, f"{name} comes from {dict(source)!r}, not a registry"))
            continue
        markers = entry.strings("resolution-markers")
        marker = _marker(" or ".join(f"({m})" for m in markers) if markers else None, path, line, name)
        result.pins.append(_lock_pin(path, line, name, version, _hash_strings(_files(entry), entry.where), marker))
    return result


def _poetry_python(raw: Optional[str]) -> Optional[SpecifierSet]:
    if raw is None or raw.strip() in ("", "*"):
        return None
    try:
        return pep440.specifier_set(raw)
    except InvalidSpecifier:
        logger.debug("poetry python-versions %r is not a PEP 440 specifier; ignored", raw)
        return None


def _poetry_markers(entry: _Fields) -> Optional[str]:
    raw = entry.table.get("markers")
    if isinstance(raw, dict):
        # Poetry 1.x wrote one marker per dependency group; any group may install it.
        groups = entry.string_table("markers") or {}
        return " or ".join(f"({m})" for m in groups.values()) or None
    return entry.string("markers")


def parse_poetry_lock(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse a ``poetry.lock`` (lock-version 1.x and 2.x, inline ``files`` or ``[metadata.files]``)."""
    path, body, data = _load(path, text)
    metadata = _Fields(_Fields(data, str(path)).table_("metadata") or {}, f"{path}: metadata")
    # Poetry writes caret/tilde constraints (^3.10) that are not PEP 440; keep only what parses.
    result = PinFile(path=path, format="poetry", requires_python=_poetry_python(metadata.string("python-versions")))
    old_files = _Fields(metadata.table_("files") or {}, f"{path}: metadata.files")
    for entry, line in _entries(data, "package", path, body):
        name, version = _name_version(entry, path, line)
        kind = _Fields(entry.table_("source") or {}, f"{entry.where}: source").string("type")
        if kind not in (None, "legacy") or version is None:
            result.unauditable.append(Unauditable(path, line, name, f"{name} comes from a {kind} source, not the index"))
            continue
        marker = _marker(_poetry_markers(entry), path, line, name)
        if "files" in entry.table:
            files = entry.tables("files")
        else:
            key = name if name in old_files.table else canonicalize_name(name)
            files = old_files.tables(key)
        result.pins.append(_lock_pin(path, line, name, version, _hash_strings(files, entry.where), marker))
    return result


def lock_format(path: Path, text: str) -> Optional[str]:
    """``"pylock"``, ``"poetry"`` or ``"uv"`` by content; None when ``text`` is not TOML.

    Raises :class:`PinFileError` for TOML that is none of the three.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    except RecursionError:
        raise PinFileError(f"{path}: TOML nested too deeply to read", hint="audit a requirements or lock file") from None
    if "lock-version" in data and isinstance(data.get("packages"), list):
        return "pylock"
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and ("content-hash" in metadata or "lock-version" in metadata):
        return "poetry"
    if isinstance(data.get("package"), list):
        return "uv"
    raise PinFileError(
        f"{path}: TOML file that is neither pylock.toml, uv.lock nor poetry.lock",
        hint="audit a requirements file or a lock file",
    )
