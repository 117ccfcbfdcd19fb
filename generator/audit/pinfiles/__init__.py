"""Read the pins out of requirements files, ``pip freeze`` output and lock files.

One parser per format, all returning a :class:`PinFile`:

* :func:`parse_requirements` -- pip's requirements format, with ``-r``/``-c``
  includes (relative to the including file), ``\\`` continuations, comments,
  ``--hash`` options, extras and environment markers;
* :func:`parse_freeze` -- ``pip freeze`` output (``name==1.0``, ``name @ file://...``,
  ``-e`` lines), which is the requirements format without includes;
* :func:`parse_pylock`, :func:`parse_uv_lock`, :func:`parse_poetry_lock` --
  the TOML lock files, from :mod:`generator.audit.pinfiles.lockfiles`.

The records they return (:class:`Pin`, :class:`PinFile` ...) live in
:mod:`generator.audit.pinfiles.pins`; this module re-exports all of it.  Every file is read
through :mod:`generator.safefile` (regular files only, sizes bounded).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from packaging.requirements import InvalidRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator import pep440
from generator import safefile
from generator.audit.pinfiles.lockfiles import lock_format, parse_poetry_lock, parse_pylock, parse_uv_lock
from generator.audit.pinfiles.pins import MAX_BYTES, Pin, PinFile, PinFileError, Unauditable, first_line, read_pin_text

logger = logging.getLogger("wheelfix.pinfiles")

#: The formats :func:`parse_file` knows, by the name it reports.
FORMATS = ("requirements", "freeze", "pylock", "uv", "poetry")
#: ``-r``/``-c`` includes nested deeper than this are refused (pip has no limit,
#: and a chain of thousands would exhaust the stack).
MAX_INCLUDE_DEPTH = 32
#: Includes read in all: a file that includes another twice, which includes
#: another twice ... would otherwise be read an exponential number of times.
MAX_INCLUDES = 1000


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
            f"{path}:{number}: cannot split {pep440.clip(line)} into requirement and options ({exc})",
            hint="check the quotes on that line",
        ) from None


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
        return pep440.version(specs[0].version)
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
        req = pep440.requirement(req_text)
    except InvalidRequirement as exc:
        if _looks_like_location(req_text):
            result.unauditable.append(
                Unauditable(path, number, req_text, "a URL or local path, not an index release")
            )
            return
        raise PinFileError(
            f"{path}:{number}: {pep440.clip(req_text)} is not a valid requirement ({first_line(exc)})",
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


@dataclass
class _Reading:
    """What one requirements file and its includes share: where includes may lead, and what is left to read.

    ``root`` is the repository of the file named by the user (the folder that
    holds ``.git``, or the file's own folder outside a repository): an include
    leading elsewhere, through ``..`` or a link, is refused, so that a
    requirements file cannot make wheelfix read, and quote in its errors, files
    from anywhere on the machine.  ``left`` is the byte budget of the whole tree
    of includes, which a file included many times over would otherwise multiply;
    ``includes_left`` counts the files read.
    """

    env: Mapping[str, str]
    follow_includes: bool
    root: Optional[Path] = None
    left: int = MAX_BYTES
    includes_left: int = MAX_INCLUDES

    def include(self, path: Path, number: int, value: str, seen: Tuple[Path, ...]) -> Tuple[Path, str]:
        """The resolved path and text of the file that line ``number`` of ``path`` includes as ``value``."""
        where = f"{path}:{number}"
        target = (path.parent / value).resolve()
        if target in seen:
            raise PinFileError(
                f"{where}: {value} includes itself (through {' -> '.join(p.name for p in seen)})",
                hint="remove the circular -r/-c include",
            )
        if len(seen) > MAX_INCLUDE_DEPTH:
            raise PinFileError(f"{where}: -r/-c includes nest more than {MAX_INCLUDE_DEPTH} files deep", hint="flatten the includes")
        self.includes_left -= 1
        if self.includes_left < 0:
            raise PinFileError(f"{where}: more than {MAX_INCLUDES} -r/-c includes in all", hint="is a file included many times over?")
        try:
            text = safefile.read_text(target, limit=MAX_BYTES, root=self.root, display=safefile.shown(value))
        except safefile.UnreadableFile as exc:
            raise PinFileError(
                f"{where}: cannot read included file {exc.display} ({exc.reason})",
                hint="-r and -c paths are relative to the file that names them and stay inside its repository",
            ) from None
        self.left -= len(text)
        if self.left < 0:
            raise PinFileError(
                f"{where}: with {safefile.shown(value)}, the file and its includes hold more than {safefile.size_text(MAX_BYTES)}",
                hint="is a file included many times over?",
            )
        return target, text


def _parse_requirements_text(
    text: str, path: Path, result: PinFile, reading: _Reading, *, constraint: bool, seen: Tuple[Path, ...]
) -> None:
    for number, line in _logical_lines(text):
        line = _expand_env(line, reading.env)
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
            if not reading.follow_includes:
                raise PinFileError(
                    f"{path}:{number}: {opt} includes are not allowed in pip freeze output",
                    hint="audit the file as a requirements file instead",
                )
            if _URL_RE.match(value):
                result.unauditable.append(Unauditable(path, number, line, "include from a URL is not read"))
                continue
            target, included = reading.include(path, number, value, seen)
            _parse_requirements_text(
                included, target, result, reading, constraint=constraint or _INCLUDE_OPTIONS[opt], seen=seen + (target,)
            )
        elif opt in _EDITABLE_OPTIONS:
            result.unauditable.append(Unauditable(path, number, line, "an editable install (-e), not an index release"))
        elif opt in _GLOBAL_WITH_VALUE or opt in _GLOBAL_FLAGS:
            logger.debug("%s:%d: ignoring option %s", path, number, opt)
        else:
            raise PinFileError(
                f"{path}:{number}: unknown option {pep440.clip(tokens[0])}",
                hint="requirements files accept -r, -c, -e, --hash and pip's index options",
            )


def parse_requirements(path: Path, *, text: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> PinFile:
    """Parse a requirements file and everything it includes with ``-r``/``-c``.

    ``env`` supplies ``${VAR}`` substitutions (pip's syntax); by default none
    are substituted, so the result does not depend on the caller's environment.
    Includes must stay inside the file's repository (see :class:`_Reading`).
    """
    path = Path(path)
    result = PinFile(path=path, format="requirements")
    body = read_pin_text(path) if text is None else text
    reading = _Reading(env or {}, follow_includes=True, root=safefile.repository_root(path), left=MAX_BYTES - len(body))
    _parse_requirements_text(body, path, result, reading, constraint=False, seen=(path.resolve(),))
    return result


def parse_freeze(path: Path, *, text: Optional[str] = None) -> PinFile:
    """Parse ``pip freeze`` output: pins, ``name @ URL`` lines and ``-e`` lines."""
    path = Path(path)
    result = PinFile(path=path, format="freeze")
    body = read_pin_text(path) if text is None else text
    _parse_requirements_text(body, path, result, _Reading({}, follow_includes=False), constraint=False, seen=(path.resolve(),))
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
    body = read_pin_text(Path(path)) if text is None else text
    return lock_format(Path(path), body) or "requirements"


def parse_file(path: Path, *, format: Optional[str] = None) -> PinFile:
    """Parse ``path`` with the parser for ``format`` (detected when not given)."""
    path = Path(path)
    if format is not None and format not in _PARSERS:
        raise PinFileError(f"unknown format {format!r}", hint=f"one of: {', '.join(FORMATS)}")
    if not (path.exists() or path.is_symlink()):
        raise PinFileError(f"{path}: no such file", hint="check the path to the requirements or lock file")
    text = read_pin_text(path)
    fmt = format or detect_format(path, text)
    if fmt == "requirements":
        return parse_requirements(path, text=text)
    return _PARSERS[fmt](path, text=text)


__all__ = [
    "FORMATS", "MAX_INCLUDE_DEPTH", "MAX_INCLUDES", "Pin", "PinFile", "PinFileError", "Unauditable", "detect_format", "parse_file",
    "parse_freeze", "parse_poetry_lock", "parse_pylock", "parse_requirements", "parse_uv_lock",
]
