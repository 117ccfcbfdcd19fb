"""The derived-facts cache: a package's :class:`~generator.site.facts.PackageFacts` kept between builds.

A build that finds the facts of a page it already judged reads one small file
instead of decoding the page's JSON and asking the engine again.  An entry is
used only when its key matches exactly:

* the page's validator: the sha256 of the body the facts were derived from
  (a new upload changes the page, so the digest);
* :func:`engine_version`: :data:`ENGINE_VERSION`, bumped by hand when the
  truth logic changes, plus a digest of the source of the modules that
  compute the facts and the version of ``packaging`` (whose tag lists the
  verdicts follow), so that any code change recomputes;
* the questions: the platform tags and claims asked of the package.

Each entry is one file, ``<cache dir>/facts/<sha256 of the name>.json``: a
header line (format, key, sha256 of the rest) and the facts as JSON.  Files
are read with a size bound (:mod:`generator.safefile`) and checked field by
field; anything unexpected (a corrupt, truncated, oversized or hostile file,
another package's entry) is a miss, logged at debug, never an error.  Writes
are atomic; a cache that cannot be written is left alone with one warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

import packaging
from packaging.version import Version

from generator import safefile
from generator.site import facts as facts_mod
from generator.site.facts import Claim, ClaimFacts, PackageFacts, PlatformFacts, Questions
from generator.truth import claims, support, wheels
from generator.truth.claims import Upstream

__all__ = ["ENGINE_VERSION", "FactCache", "engine_version", "cache_key"]

logger = logging.getLogger("wheelfix.facts")

#: Bump when the truth logic changes in a way the source digest would not show.
ENGINE_VERSION = 1
#: The file format; a different one is a miss.
FORMAT = 1
#: No package's facts come near this (the largest recorded page gives ~1 MB).
MAX_ENTRY_BYTES = 32 * 1024 * 1024

_T = TypeVar("_T")
#: The modules whose source decides the facts: the engine, and the pass that asks it.
_ENGINE_MODULES: Tuple[object, ...] = (wheels, support, claims, facts_mod)
_LETTERS = frozenset(facts_mod.STATES)


class _Bad(ValueError):
    """An entry that is not what this module writes."""


@lru_cache(maxsize=1)
def engine_version() -> str:
    """:data:`ENGINE_VERSION`, the source of the modules behind the facts, and packaging's version."""
    digest = hashlib.sha256(f"{ENGINE_VERSION}\0{packaging.__version__}\0".encode())
    for module in _ENGINE_MODULES:
        source = getattr(module, "__file__", None)
        digest.update(Path(source).read_bytes() if source else b"")
    return f"{ENGINE_VERSION}-{digest.hexdigest()[:32]}"


def cache_key(name: str, validator: str, questions: Questions) -> str:
    """The key an entry must carry to answer ``questions`` about the page with ``validator``."""
    asked = {
        "name": name,
        "page": validator,
        "engine": engine_version(),
        "platforms": list(questions.platforms),
        "claims": [[c.requirement, list(c.pythons), list(c.platforms)] for c in questions.claims],
        "readiness": [list(questions.readiness_pythons), list(questions.readiness_tags)],
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


class FactCache:
    """Facts on disk under ``directory``, one file per package."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._writable = True

    @classmethod
    def beside(cls, cache_dir: Path) -> "FactCache":
        """The facts cache that goes with the index cache in ``cache_dir``."""
        return cls(cache_dir / "facts")

    def _path(self, name: str) -> Path:
        return self.directory / f"{hashlib.sha256(name.encode()).hexdigest()[:40]}.json"

    def load(self, name: str, questions: Questions, key: str) -> Optional[PackageFacts]:
        """The stored facts of ``name`` under ``key`` (which answer ``questions``), or None (missing, stale or unusable)."""
        path = self._path(name)
        try:
            raw = safefile.read_bytes(path, limit=MAX_ENTRY_BYTES)
        except safefile.UnreadableFile as exc:
            if path.exists() or path.is_symlink():
                logger.debug("facts cache: %s", exc)
            return None
        try:
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
                return None
            if header.get("sha256") != hashlib.sha256(body).hexdigest():
                raise _Bad("its checksum does not match")
            found = _decode(json.loads(body))
            if found.name != name:
                raise _Bad(f"it holds the facts of {found.name!r}")
            asked_cells = len(questions.readiness_pythons) * len(questions.readiness_tags)
            if set(found.platforms) != set(questions.platforms) or set(found.claims) != set(questions.claims) or len(found.readiness) != asked_cells:
                raise _Bad("it answers other questions")
            return found
        except (ValueError, RecursionError) as exc:  # _Bad, JSONDecodeError and UnicodeDecodeError are ValueErrors
            logger.debug("facts cache: ignoring %s (%s)", path, exc)
            return None

    def store(self, key: str, found: PackageFacts) -> None:
        """Write the facts atomically; on an unwritable directory, warn once and stop writing."""
        if not self._writable:
            return
        body = json.dumps(_encode(found), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest()}).encode()
        path = self._path(found.name)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(header + b"\n" + body)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:
            self._writable = False
            logger.warning("cannot write the facts cache in %s (%s); continuing without saving to it", self.directory, exc.strerror or exc)


# -- encoding ----------------------------------------------------------------------------
#
# Lists, not objects, for the bulk (cells): an entry is read at every build.


def _encode(f: PackageFacts) -> Dict[str, Any]:
    return {
        "name": f.name,
        "columns": list(f.columns),
        "releases": list(f.releases),
        "released": list(f.released),
        "minors": list(f.minors),
        "serial": f.serial,
        "platforms": {
            tag: {
                "states": list(p.states),
                "files": [list(row) for row in p.files],
                "summaries": list(p.summaries),
                "upstream": [[None if u.since is None else str(u.since), None if u.released is None else u.released.isoformat(), u.dropped] for u in p.upstream],
            }
            for tag, p in f.platforms.items()
        },
        "claims": [
            [c.requirement, list(c.pythons), list(c.platforms), r.holds, list(r.failures), r.error] for c, r in f.claims.items()
        ],
        "readiness": [list(cell) for cell in f.readiness],
    }


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise _Bad(what)


def _str(value: Any) -> str:
    _need(isinstance(value, str), "a string was expected")
    return str(value)


def _list(value: Any, item: Callable[[Any], _T], length: Optional[int] = None) -> Tuple[_T, ...]:
    _need(isinstance(value, list) and (length is None or len(value) == length), "a list was expected")
    return tuple(item(v) for v in value)


def _bool(value: Any) -> bool:
    _need(isinstance(value, bool), "a boolean was expected")
    return bool(value)


def _int(value: Any) -> int:
    _need(isinstance(value, int) and not isinstance(value, bool), "an integer was expected")
    return int(value)


def _strings(value: Any, length: int) -> Tuple[str, ...]:
    # The bulk of an entry: checked in one pass per row, not value by value.
    _need(isinstance(value, list) and len(value) == length and all(type(v) is str for v in value), f"a list of {length} strings was expected")
    return tuple(value)


def _states(value: Any, length: int) -> str:
    _need(isinstance(value, str) and len(value) == length and set(value) <= _LETTERS, "a row of cell states was expected")
    return str(value)


def _upstream(value: Any) -> Upstream:
    _need(isinstance(value, list) and len(value) == 3, "an upstream fact was expected")
    since, released, dropped = value
    return Upstream(
        None if since is None else Version(_str(since)),
        None if released is None else _datetime(_str(released)),
        _bool(dropped),
    )


def _datetime(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    _need(parsed.tzinfo is not None, "an aware time was expected")
    return parsed


def _platform(value: Any, rows: int, columns: Sequence[str]) -> PlatformFacts:
    _need(isinstance(value, dict), "platform facts were expected")
    regular = sum(1 for c in columns if not c.endswith("t"))
    width = len(columns)
    states = _list(value.get("states"), lambda row: _states(row, width), rows)
    files = _list(value.get("files"), lambda row: _strings(row, width), rows)
    return PlatformFacts(states, files, _list(value.get("summaries"), _str), _list(value.get("upstream"), _upstream, regular))


def _claim(value: Any) -> Tuple[Claim, ClaimFacts]:
    _need(isinstance(value, list) and len(value) == 6, "a claim was expected")
    requirement, pythons, platforms, holds, failures, error = value
    claim = Claim(_str(requirement), _list(pythons, _str), _list(platforms, _str))
    return claim, ClaimFacts(_bool(holds), _list(failures, _str), _str(error))


def _decode(data: Any) -> PackageFacts:
    _need(isinstance(data, dict), "an object was expected")
    columns = _list(data.get("columns"), _str)
    releases = _list(data.get("releases"), _str)
    platforms = data.get("platforms")
    _need(isinstance(platforms, dict), "platforms were expected")
    serial = data.get("serial")
    entries: List[Tuple[Claim, ClaimFacts]] = list(_list(data.get("claims"), _claim))
    return PackageFacts(
        name=_str(data.get("name")),
        columns=columns,
        releases=releases,
        released=_list(data.get("released"), _str, len(releases)),
        minors=_list(data.get("minors"), _int),
        serial=None if serial is None else _int(serial),
        platforms={_str(tag): _platform(p, len(releases), columns) for tag, p in platforms.items()},
        claims=dict(entries),
        readiness=_list(data.get("readiness"), _readiness_cell),
    )


def _readiness_cell(value: Any) -> Tuple[str, str, str, str]:
    state, text, line, since = _strings(value, 4)
    _need(state in ("wheel", "sdist", "none"), "a readiness state was expected")
    return (state, text, line, since)
