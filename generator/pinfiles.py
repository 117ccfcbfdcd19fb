"""Read the pins out of requirements files, ``pip freeze`` output and lock files.

One parser per format, all returning a :class:`PinFile`:

* :func:`parse_requirements` -- pip's requirements format, with ``-r``/``-c``
  includes (relative to the including file), ``\\`` continuations, comments,
  ``--hash`` options, extras and environment markers;
* :func:`parse_freeze` -- ``pip freeze`` output (``name==1.0``, ``name @ file://...``,
  ``-e`` lines), which is the requirements format without includes;
* :func:`parse_pylock` -- ``pylock.toml`` (PEP 751, ``[[packages]]``);
* :func:`parse_uv_lock` -- ``uv.lock`` (``[[package]]`` with ``source``/``wheels``);
* :func:`parse_poetry_lock` -- ``poetry.lock`` (``[[package]]`` with ``files``).

:func:`parse_file` picks the parser from the file name and falls back to
looking at the content.  Markers are *not* evaluated here: a :class:`Pin`
keeps its marker so that the audit can evaluate it for each target.  Lines that
cannot be audited against an index (editables, URLs, local paths) come back as
:class:`Unauditable` with their file and line rather than as errors.
"""

from __future__ import annotations

import logging
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.errors import WheelfixError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

logger = logging.getLogger("wheelfix.pinfiles")

#: The formats :func:`parse_file` knows, by the name it reports.
FORMATS = ("requirements", "freeze", "pylock", "uv", "poetry")


class PinFileError(WheelfixError):
    """A requirements or lock file that cannot be read; the message names file:line."""


@dataclass(frozen=True)
class Pin:
    """One requirement or locked package.

    ``version`` is set when the line pins one exact release (``==1.2``,
    ``===1.2`` or any lock entry); loose requirements keep only ``specifier``.
    ``hashes`` are ``algo:hex`` strings from ``--hash`` options or the lock.
    ``constraint`` is true for lines read through ``-c``: they narrow versions
    but do not ask for a package to be installed.
    """

    name: str
    raw_name: str
    file: Path
    line: int
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    version: Optional[Version] = None
    extras: Tuple[str, ...] = ()
    marker: Optional[Marker] = None
    hashes: Tuple[str, ...] = ()
    constraint: bool = False

    @property
    def where(self) -> str:
        """``file:line``, as editors and CI annotations understand it."""
        return f"{self.file}:{self.line}"

    def requirement_line(self) -> str:
        """The requirement as pip reads it, without marker, hashes or options."""
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f"{self.raw_name}{extras}{self.specifier}"


@dataclass(frozen=True)
class Unauditable:
    """A line naming something the index cannot tell us about (editable, URL, path)."""

    file: Path
    line: int
    text: str
    reason: str

    @property
    def where(self) -> str:
        """``file:line`` of the line."""
        return f"{self.file}:{self.line}"


@dataclass
class PinFile:
    """What one file (and, for requirements, the files it includes) pins."""

    path: Path
    format: str
    pins: List[Pin] = field(default_factory=list)
    unauditable: List[Unauditable] = field(default_factory=list)
    #: ``requires-python`` of a lock file, when it records one.
    requires_python: Optional[SpecifierSet] = None

    @property
    def requirements(self) -> List[Pin]:
        """Pins that ask for a package (not ``-c`` constraints)."""
        return [p for p in self.pins if not p.constraint]

    @property
    def constraints(self) -> List[Pin]:
        """Pins read through ``-c`` files."""
        return [p for p in self.pins if p.constraint]


# --------------------------------------------------------------------------
# requirements.txt and pip freeze

# pip strips a comment only at the start of a line or after whitespace, so that
# URL fragments such as ``#egg=name`` survive.
_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

# Options that take a value and apply to the whole file: accepted and ignored.
_GLOBAL_WITH_VALUE = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
    "--no-binary", "--only-binary", "--use-feature", "--progress-bar",
}
_GLOBAL_FLAGS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "--no-deps"}
_INCLUDE_OPTIONS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE_OPTIONS = {"-e", "--editable"}
# Options that follow a requirement on its line.
_PER_REQ_WITH_VALUE = {"--hash", "--config-settings", "--global-option", "--install-option"}


def _logical_lines(text: str) -> List[Tuple[int, str]]:
    """Join ``\\`` continuations and drop comments, keeping each first line number."""
    out: List[Tuple[int, str]] = []
    buf: List[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buf:
            start = number
        # A comment line inside a continuation ends it, as in pip.
        stripped = _COMMENT_RE.sub("", raw)
        if stripped.endswith("\\") and not raw.lstrip().startswith("#"):
            buf.append(stripped[:-1])
            continue
        buf.append(stripped)
        joined = " ".join(part.strip() for part in buf).strip()
        buf = []
        if joined:
            out.append((start, joined))
    if buf:
        joined = " ".join(part.strip() for part in buf).strip()
        if joined:
            out.append((start, joined))
    return out


def _expand_env(text: str, env: Mapping[str, str]) -> str:
    return _ENV_VAR_RE.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def _split_options(line: str, path: Path, number: int) -> List[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError as exc:
        raise PinFileError(
            f"{path}:{number}: cannot split {line!r} into requirement and options ({exc})",
            hint="check the quotes on that line",
        ) from None


def _first_line(exc: Exception) -> str:
    # packaging's messages draw a caret under the error on extra lines; the
    # CLI shows one line, and the message already quotes the input.
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _looks_like_location(text: str) -> bool:
    return bool(
        _URL_RE.match(text)
        or text.startswith((".", "/", "~"))
        or "/" in text.split(";")[0]
        or "\\" in text
        or text.endswith((".whl", ".zip", ".tar.gz", ".tar.bz2", ".tgz"))
    )


def _exact_version(spec: SpecifierSet) -> Optional[Version]:
    specs = list(spec)
    if len(specs) != 1 or specs[0].operator not in ("==", "===") or specs[0].version.endswith(".*"):
        return None
    try:
        return Version(specs[0].version)
    except InvalidVersion:
        return None


def _parse_requirement_line(
    text: str, path: Path, number: int, *, constraint: bool, result: PinFile
) -> None:
    # Requirement first, then options: pip allows ``--hash`` only after it.
    parts = re.split(r"\s+(?=--?[A-Za-z])", text, maxsplit=1)
    req_text = parts[0].strip()
    hashes: List[str] = []
    if len(parts) > 1:
        tokens = _split_options(parts[1], path, number)
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            name, eq, value = tok.partition("=")
            if name in _PER_REQ_WITH_VALUE:
                if not eq:
                    i += 1
                    if i >= len(tokens):
                        raise PinFileError(
                            f"{path}:{number}: option {name} needs a value",
                            hint=f"write {name}=VALUE",
                        )
                    value = tokens[i]
                if name == "--hash":
                    if ":" not in value:
                        raise PinFileError(
                            f"{path}:{number}: --hash {value!r} is not of the form algorithm:hexdigest",
                            hint="write --hash=sha256:<64 hex digits>",
                        )
                    hashes.append(value.lower())
            else:
                raise PinFileError(
                    f"{path}:{number}: unknown option {tok!r} after a requirement",
                    hint="pip allows only --hash, --config-settings, --global-option there",
                )
            i += 1
    try:
        req = Requirement(req_text)
    except InvalidRequirement as exc:
        if _looks_like_location(req_text):
            result.unauditable.append(
                Unauditable(path, number, req_text, "a URL or local path, not an index release")
            )
            return
        raise PinFileError(
            f"{path}:{number}: {req_text!r} is not a valid requirement ({_first_line(exc)})",
            hint="a requirement looks like name[extra]==1.0 ; python_version < '3.13'",
        ) from None
    if req.url:
        result.unauditable.append(
            Unauditable(path, number, req_text, f"{req.name} comes from a URL or path, not the index")
        )
        return
    result.pins.append(
        Pin(
            name=canonicalize_name(req.name),
            raw_name=req.name,
            file=path,
            line=number,
            specifier=req.specifier,
            version=_exact_version(req.specifier),
            extras=tuple(sorted(req.extras)),
            marker=req.marker,
            hashes=tuple(hashes),
            constraint=constraint,
        )
    )


def _parse_requirements_text(
    text: str,
    path: Path,
    result: PinFile,
    *,
    constraint: bool,
    follow_includes: bool,
    seen: Tuple[Path, ...],
    env: Mapping[str, str],
    read: Callable[[Path], str],
) -> None:
    for number, line in _logical_lines(text):
        line = _expand_env(line, env)
        if not line.startswith("-"):
            _parse_requirement_line(line, path, number, constraint=constraint, result=result)
            continue
        tokens = _split_options(line, path, number)
        opt, eq, value = tokens[0].partition("=")
        if opt.startswith("-") and not opt.startswith("--") and len(opt) > 2 and not eq:
            # Short option glued to its value: ``-rbase.txt``.
            opt, value, eq = opt[:2], opt[2:], "="
        rest = tokens[1:]
        if not eq and opt in (_INCLUDE_OPTIONS.keys() | _EDITABLE_OPTIONS | _GLOBAL_WITH_VALUE):
            if not rest:
                raise PinFileError(f"{path}:{number}: option {opt} needs a value", hint=f"write {opt} VALUE")
            value, rest = rest[0], rest[1:]
        if opt in _INCLUDE_OPTIONS:
            if not follow_includes:
                raise PinFileError(
                    f"{path}:{number}: {opt} includes are not allowed in pip freeze output",
                    hint="audit the file as a requirements file instead",
                )
            if _URL_RE.match(value):
                result.unauditable.append(Unauditable(path, number, line, "include from a URL is not read"))
                continue
            target = (path.parent / value).resolve()
            if target in seen:
                raise PinFileError(
                    f"{path}:{number}: {value} includes itself (through {' -> '.join(p.name for p in seen)})",
                    hint="remove the circular -r/-c include",
                )
            try:
                included = read(target)
            except OSError as exc:
                raise PinFileError(
                    f"{path}:{number}: cannot read included file {value} ({exc.strerror or exc})",
                    hint="-r and -c paths are relative to the file that names them",
                ) from None
            _parse_requirements_text(
                included,
                target,
                result,
                constraint=constraint or _INCLUDE_OPTIONS[opt],
                follow_includes=True,
                seen=seen + (target,),
                env=env,
                read=read,
            )
        elif opt in _EDITABLE_OPTIONS:
            result.unauditable.append(Unauditable(path, number, line, "an editable install (-e), not an index release"))
        elif opt in _GLOBAL_WITH_VALUE or opt in _GLOBAL_FLAGS:
            logger.debug("%s:%d: ignoring option %s", path, number, opt)
        else:
            raise PinFileError(
                f"{path}:{number}: unknown option {tokens[0]!r}",
                hint="requirements files accept -r, -c, -e, --hash and pip's index options",
            )


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: files saved by Windows editors start with a BOM.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PinFileError(f"{path}: not UTF-8 text ({exc.reason})", hint="is this really a requirements file?") from None


def parse_requirements(
    path: Path,
    *,
    text: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    read: Callable[[Path], str] = _read_text,
) -> PinFile:
    """Parse a requirements file and everything it includes with ``-r``/``-c``.

    ``env`` supplies ``${VAR}`` substitutions (pip's syntax); by default none
    are substituted, so the result does not depend on the caller's environment.
    """
    path = Path(path)
    result = PinFile(path=path, format="requirements")
    body = read(path.resolve()) if text is None else text
    _parse_requirements_text(
        body, path, result, constraint=False, follow_includes=True, seen=(path.resolve(),), env=env or {}, read=read
    )
    return result


def parse_freeze(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse ``pip freeze`` output: pins, ``name @ URL`` lines and ``-e`` lines."""
    path = Path(path)
    result = PinFile(path=path, format="freeze")
    body = _read_text(path) if text is None else text
    _parse_requirements_text(
        body, path, result, constraint=False, follow_includes=False, seen=(path.resolve(),), env={}, read=_read_text
    )
    return result


# --------------------------------------------------------------------------
# TOML lock files


def _load_toml(path: Path, text: str) -> Dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib grew ``lineno`` only in 3.14; older ones say it in the message.
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        where = f"{path}:{line}" if line else str(path)
        raise PinFileError(f"{where}: not valid TOML ({exc})", hint="was the lock file edited by hand?") from None


def _header_lines(text: str, header: str) -> List[int]:
    """Line numbers of each ``[[header]]`` table, to give TOML entries a file:line."""
    pattern = re.compile(r"^\s*\[\[\s*" + re.escape(header) + r"\s*\]\]\s*(#.*)?$")
    return [n for n, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def _entry_lines(text: str, header: str, count: int) -> List[int]:
    lines = _header_lines(text, header)
    # An inline array (``package = [...]``) has no headers; point at the top.
    return lines if len(lines) == count else [1] * count


def _lock_entries(data: Mapping[str, Any], key: str, path: Path) -> List[Mapping[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PinFileError(f"{path}: [[{key}]] must be an array of tables", hint="was the lock file edited by hand?")
    return entries


def _entry_name_version(entry: Mapping[str, Any], path: Path, line: int) -> Tuple[str, Optional[Version]]:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise PinFileError(f"{path}:{line}: package entry has no name", hint="every locked package needs name = \"...\"")
    raw = entry.get("version")
    if raw is None:
        return name, None
    try:
        return name, Version(str(raw))
    except InvalidVersion:
        raise PinFileError(
            f"{path}:{line}: {name} has version {raw!r}, which is not a PEP 440 version",
            hint="fix or regenerate the lock file",
        ) from None


def _marker(text: Any, path: Path, line: int, name: str) -> Optional[Marker]:
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise PinFileError(f"{path}:{line}: {name} has marker {text!r}, which is not a string", hint="regenerate the lock file")
    try:
        return Marker(text)
    except InvalidMarker as exc:
        raise PinFileError(
            f"{path}:{line}: {name} has an invalid marker {text!r} ({_first_line(exc)})", hint="regenerate the lock file"
        ) from None


def _requires_python(data: Mapping[str, Any], path: Path) -> Optional[SpecifierSet]:
    raw = data.get("requires-python")
    if raw is None:
        return None
    try:
        return SpecifierSet(str(raw))
    except InvalidSpecifier:
        raise PinFileError(f"{path}: requires-python {raw!r} is not a version specifier", hint="e.g. >=3.10") from None


def _hash_strings(items: Sequence[Any]) -> Tuple[str, ...]:
    out: List[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        single = item.get("hash")
        if isinstance(single, str) and ":" in single:
            out.append(single.lower())
        many = item.get("hashes")
        if isinstance(many, dict):
            out.extend(f"{algo}:{digest}".lower() for algo, digest in many.items() if isinstance(digest, str))
    return tuple(out)


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


def parse_pylock(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse a PEP 751 ``pylock.toml``."""
    path = Path(path)
    body = _read_text(path) if text is None else text
    data = _load_toml(path, body)
    result = PinFile(path=path, format="pylock", requires_python=_requires_python(data, path))
    entries = _lock_entries(data, "packages", path)
    for entry, line in zip(entries, _entry_lines(body, "packages", len(entries))):
        name, version = _entry_name_version(entry, path, line)
        marker = _marker(entry.get("marker"), path, line, name)
        if any(k in entry for k in ("vcs", "directory", "archive")) or version is None:
            result.unauditable.append(Unauditable(path, line, name, f"{name} comes from a VCS, directory or archive, not the index"))
            continue
        files: List[Any] = list(entry.get("wheels", []) or [])
        if isinstance(entry.get("sdist"), dict):
            files.append(entry["sdist"])
        result.pins.append(_lock_pin(path, line, name, version, _hash_strings(files), marker))
    return result


def parse_uv_lock(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse a ``uv.lock``.

    The project itself (``source = { editable = "." }`` or ``virtual``) is
    skipped; other non-registry sources are reported as unauditable.  When a
    package is locked more than once for different ``resolution-markers``,
    every entry is kept with its markers joined by ``or``.
    """
    path = Path(path)
    body = _read_text(path) if text is None else text
    data = _load_toml(path, body)
    result = PinFile(path=path, format="uv", requires_python=_requires_python(data, path))
    entries = _lock_entries(data, "package", path)
    for entry, line in zip(entries, _entry_lines(body, "package", len(entries))):
        name, version = _entry_name_version(entry, path, line)
        source = entry.get("source", {})
        if isinstance(source, dict) and "." in (source.get("editable"), source.get("virtual")):
            logger.debug("%s:%d: skipping the project itself (%s)", path, line, name)
            continue
        if not isinstance(source, dict) or "registry" not in source or version is None:
            result.unauditable.append(Unauditable(path, line, name, f"{name} comes from {source!r}, not a registry"))
            continue
        markers = entry.get("resolution-markers") or []
        marker = _marker(" or ".join(f"({m})" for m in markers) if markers else None, path, line, name)
        files = list(entry.get("wheels", []) or [])
        if isinstance(entry.get("sdist"), dict):
            files.append(entry["sdist"])
        result.pins.append(_lock_pin(path, line, name, version, _hash_strings(files), marker))
    return result


def _poetry_python(raw: Any) -> Optional[SpecifierSet]:
    if not isinstance(raw, str) or raw.strip() in ("", "*"):
        return None
    try:
        return SpecifierSet(raw)
    except InvalidSpecifier:
        logger.debug("poetry python-versions %r is not a PEP 440 specifier; ignored", raw)
        return None


def parse_poetry_lock(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse a ``poetry.lock`` (lock-version 1.x and 2.x, inline ``files`` or ``[metadata.files]``)."""
    path = Path(path)
    body = _read_text(path) if text is None else text
    data = _load_toml(path, body)
    metadata = data.get("metadata", {}) if isinstance(data.get("metadata"), dict) else {}
    python_versions = metadata.get("python-versions")
    result = PinFile(
        path=path,
        format="poetry",
        # Poetry writes caret/tilde constraints (^3.10) that are not PEP 440; keep only what parses.
        requires_python=_poetry_python(python_versions),
    )
    old_files = metadata.get("files", {}) if isinstance(metadata.get("files"), dict) else {}
    entries = _lock_entries(data, "package", path)
    for entry, line in zip(entries, _entry_lines(body, "package", len(entries))):
        name, version = _entry_name_version(entry, path, line)
        source = entry.get("source")
        kind = source.get("type") if isinstance(source, dict) else None
        if kind not in (None, "legacy") or version is None:
            result.unauditable.append(Unauditable(path, line, name, f"{name} comes from a {kind} source, not the index"))
            continue
        raw_markers = entry.get("markers")
        if isinstance(raw_markers, dict):
            # Poetry 1.x wrote one marker per dependency group; any group may install it.
            raw_markers = " or ".join(f"({m})" for m in raw_markers.values() if isinstance(m, str)) or None
        marker = _marker(raw_markers, path, line, name)
        files = entry.get("files")
        if files is None:
            files = old_files.get(name, old_files.get(canonicalize_name(name), []))
        result.pins.append(_lock_pin(path, line, name, version, _hash_strings(files or []), marker))
    return result


# --------------------------------------------------------------------------
# detection

_PARSERS: Dict[str, Callable[..., PinFile]] = {
    "requirements": parse_requirements,
    "freeze": parse_freeze,
    "pylock": parse_pylock,
    "uv": parse_uv_lock,
    "poetry": parse_poetry_lock,
}


def detect_format(path: Path, text: Optional[str] = None) -> str:
    """Name the format of ``path``: by file name first, then by content."""
    name = Path(path).name.lower()
    if name == "uv.lock":
        return "uv"
    if name == "poetry.lock":
        return "poetry"
    if re.fullmatch(r"pylock(\.[^.]+)?\.toml", name):
        return "pylock"
    if "freeze" in name and name.endswith(".txt"):
        return "freeze"
    if name.endswith((".txt", ".in")):
        return "requirements"
    body = _read_text(Path(path)) if text is None else text
    try:
        data = tomllib.loads(body)
    except tomllib.TOMLDecodeError:
        return "requirements"
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


def parse_file(path: Path, *, format: Optional[str] = None) -> PinFile:
    """Parse ``path`` with the parser for ``format`` (detected when not given)."""
    path = Path(path)
    if format is not None and format not in _PARSERS:
        raise PinFileError(f"unknown format {format!r}", hint=f"one of: {', '.join(FORMATS)}")
    if not path.is_file():
        raise PinFileError(f"{path}: no such file", hint="check the path to the requirements or lock file")
    text = _read_text(path)
    fmt = format or detect_format(path, text)
    if fmt == "requirements":
        return parse_requirements(path, text=text)
    return _PARSERS[fmt](path, text=text)
