"""The long tail: what a build log says about itself when no guide matches.

From the lines of a log alone this finds which packages pip, uv or poetry
built from source, which build failed and how the log says so, the Python
version and what the log proves of the platform.  Package names come from
:mod:`generator.logs.mentions`, Python and platform from the rules of
:mod:`generator.logs.evidence`, read where :mod:`generator.logs.buildsection` says a
build failed; :mod:`generator.cli.nearest` then looks up the nearest release with
a wheel, so the user can pin it instead of fixing a compiler.

Only the standard library is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from generator.logs.buildsection import failure_marker, read_sections
from generator.logs.evidence import _RULE_OF_ANCHOR, _SCAN_RULES, _SECTION_RULES, RULE_ANCHORS, _top, _vote, _Votes
from generator.logs.mentions import (
    MENTION_ANCHORS,
    MENTION_PATTERNS,
    Mention,
    canonical_name,
    mention_details,
    package_mentions,
)

__all__ = [
    "MAX_PACKAGES", "MENTION_ANCHORS", "MENTION_PATTERNS", "RULE_ANCHORS", "Diagnoser", "Diagnosis", "Mention",
    "canonical_name", "diagnose", "mention_details", "package_mentions",
]

#: Most package names kept, so a pathological log cannot grow memory.
MAX_PACKAGES = 500


@dataclass
class Diagnosis:
    """What a log says about the failed build.  ``None`` means "not shown by the log"."""

    built_from_source: List[str] = field(default_factory=list)
    failed: Optional[str] = None
    python: Optional[str] = None
    platform: Optional[str] = None
    #: package -> the version the log shows being built or fetched.
    versions: Dict[str, str] = field(default_factory=dict)
    #: ``{"version", "file"}`` from :func:`nearest_wheel`, when known.
    nearest_wheel: Optional[Dict[str, str]] = None
    #: The source archive of ``failed`` the log shows being fetched (``X-1.2.tar.gz``).
    source_archive: Optional[str] = None
    #: The log line showing ``failed`` at its version built from source (its
    #: source archive fetched, or uv's "Building X==1.2"), clipped.
    no_wheel_evidence: Optional[str] = None
    #: How the log names ``failed``: ``"stated"`` (pip/uv/poetry say it failed),
    #: ``"in progress"`` (its build was under way when a nameless error came)
    #: or ``"build path"`` (only its build directory appears).
    failed_because: Optional[str] = None
    #: What the log proves of the platform, in words (a wheel's tag is not the machine's).
    platform_proof: Optional[str] = None
    #: Why ``nearest_wheel`` is ``None`` when ``failed`` is known.
    nearest_wheel_note: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        """The ``diagnosis`` object of ``wheelfix explain --json`` (see docs/api.md)."""
        return {
            "built_from_source": list(self.built_from_source),
            "failed": self.failed,
            "python": self.python,
            "platform": self.platform,
            "nearest_wheel": dict(self.nearest_wheel) if self.nearest_wheel else None,
            "failed_version": self.versions.get(self.failed) if self.failed else None,
            "failed_because": self.failed_because,
            "source_archive": self.source_archive,
            "no_wheel_evidence": self.no_wheel_evidence,
            "platform_proof": self.platform_proof,
            "nearest_wheel_note": self.nearest_wheel_note,
        }


def _first(found: Dict[str, int], name: str, number: int) -> None:
    if name not in found or number < found[name]:
        if name in found or len(found) < MAX_PACKAGES:
            found[name] = number


class Diagnoser:
    """Collects evidence from numbered lines; :meth:`result` weighs it.

    Evidence is kept with the line it came from, so lines may be fed in any
    order (two processes, windows read after the lines the scan found) and the
    result is that of reading the log in order.  The one exception is the build
    in progress (:meth:`feed` must see scan lines in order).  Memory stays
    bounded: at most :data:`MAX_PACKAGES` names are kept.
    """

    def __init__(self) -> None:
        self._built: Dict[str, int] = {}
        self._failed: Dict[str, int] = {}  # named as failed by the installer
        self._inferred: Dict[str, int] = {}  # building when a nameless error came
        self._path_named: Dict[str, int] = {}  # only a build directory names it
        self._versions: Dict[str, Tuple[int, str]] = {}
        self._sources: Dict[str, Tuple[int, str, str]] = {}  # name -> (line, version, the line's text)
        self._python: _Votes = {}
        self._os: _Votes = {}
        self._arch: _Votes = {}
        self._proof: Dict[str, Tuple[int, str]] = {}  # os -> (line, the text that shows it)
        self._glibc: Optional[Tuple[Tuple[int, int], str]] = None  # (glibc, wheel tag)
        self._musl: Optional[Tuple[Tuple[int, int], str]] = None
        self._macos: Optional[Tuple[int, str, str]] = None  # (line, version, arch)
        #: The build under way (line, name), for errors that name no package,
        #: and the package collected last (when no build was seen under way).
        self._current: Optional[Tuple[int, str]] = None
        self._collected: Optional[Tuple[int, str]] = None
        #: Nameless errors before any build was seen under way, with the
        #: package collected last then: when this Diagnoser read the second
        #: half of a log, the first half may know the build.
        self._orphans: List[Tuple[int, Optional[str]]] = []

    # -- evidence

    def feed(
        self,
        number: int,
        line: str,
        mentions: Optional[List[Mention]] = None,
        rules: Optional[Iterable[int]] = None,
    ) -> bool:
        """Take one normalised line that the scan found; True if it marks a failure.

        ``mentions``: its :func:`mention_details`, if known.  ``rules``: when
        given, the indexes into :data:`RULE_ANCHORS` of (at least) every
        anchor the line holds; the others are not tried.  Call in line order.
        """
        stated = False
        for name, version, kind, listed in mention_details(line) if mentions is None else mentions:
            if version:
                self._versions[name] = max(self._versions.get(name, (0, "")), (number, version))
                # A source archive fetched, or uv's "Building X==1.2" (the
                # only built form that carries a version): built from source.
                if kind in ("archive", "built") and not listed:
                    self._sources[name] = max(self._sources.get(name, (0, "", "")), (number, version, line[:200]))
            if kind == "failed":
                _first(self._failed, name, number)
                stated = True
            if kind in ("built", "failed", "archive"):
                _first(self._built, name, number)
            # The build under way: pip fetched its source, or builds it; poetry installs it.
            if not listed and kind in ("archive", "built", "installing"):
                self._current = (number, name)
            elif not listed and kind == "named" and line.startswith("Collecting "):
                self._collected = (number, name)
        if rules is None:
            chosen: Iterable[int] = range(len(_SCAN_RULES))
        else:
            chosen = sorted({_RULE_OF_ANCHOR[r] for r in rules})
        for index in chosen:
            anchors, rx, action = _SCAN_RULES[index]
            for anchor in anchors:
                if anchor in line:
                    for m in rx.finditer(line):
                        action(self, m, number)
                    break
        marker, marker_name, marker_version = failure_marker(line)
        if marker == "nameless":
            if self._current is not None:
                self._infer(self._current[1], number)
            elif len(self._orphans) < MAX_PACKAGES:
                self._orphans.append((number, None if self._collected is None else self._collected[1]))
        elif marker == "stated" and marker_name:
            self.name_failed("stated", marker_name, number, marker_version)
        return stated or marker is not None

    def _infer(self, name: str, number: int) -> None:
        _first(self._inferred, name, number)
        _first(self._built, name, number)

    def feed_section(self, number: int, line: str) -> None:
        """Take one normalised line of a failing section (see :mod:`generator.logs.buildsection`)."""
        for anchor, rx, action in _SECTION_RULES:
            if anchor in line:
                for m in rx.finditer(line):
                    action(self, m, number)

    def name_failed(self, how: str, name: str, number: int, version: Optional[str] = None) -> None:
        """Evidence found in a section: ``how`` is ``"stated"`` or ``"build path"``."""
        name = canonical_name(name)
        _first(self._failed if how == "stated" else self._path_named, name, number)
        _first(self._built, name, number)
        if version:
            self._versions[name] = max(self._versions.get(name, (0, "")), (number, version))

    def absorb(self, later: "Diagnoser", shift: int, current_before: Optional[Tuple[int, str]] = None) -> bool:
        """Add the evidence of ``later``, a Diagnoser fed the lines after the first ``shift``.

        Afterwards ``self`` is as if it had been fed those lines itself.
        Returns False, changing nothing, when that cannot be guaranteed (a
        :data:`MAX_PACKAGES` cap reached, so which names were kept depends on the order).
        """
        del current_before
        merged = []
        for mine, theirs in ((self._built, later._built), (self._failed, later._failed),
                             (self._inferred, later._inferred), (self._path_named, later._path_named)):
            both = dict(mine)
            for name, number in theirs.items():
                both.setdefault(name, number + shift)
            if len(theirs) >= MAX_PACKAGES or len(both) >= MAX_PACKAGES:
                return False
            merged.append(both)
        if len(self._orphans) + len(later._orphans) >= MAX_PACKAGES:
            return False
        self._built, self._failed, self._inferred, self._path_named = merged
        for number, collected in later._orphans:
            # The build under way here was under way there; else the package
            # collected last there, else here, as one pass would have seen.
            if self._current is not None:
                self._infer(self._current[1], number + shift)
            else:
                if collected is None and self._collected is not None:
                    collected = self._collected[1]
                self._orphans.append((number + shift, collected))
        for name, (number, version) in later._versions.items():
            self._versions[name] = max(self._versions.get(name, (0, "")), (number + shift, version))
        for name, (number, version, text) in later._sources.items():
            self._sources[name] = max(self._sources.get(name, (0, "", "")), (number + shift, version, text))
        for mine_votes, theirs_votes in ((self._python, later._python), (self._os, later._os), (self._arch, later._arch)):
            for key, (count, number) in theirs_votes.items():
                _vote(mine_votes, key, number + shift, count)
        for key, (number, text) in later._proof.items():
            if key not in self._proof or number + shift < self._proof[key][0]:
                self._proof[key] = (number + shift, text)
        for attr in ("_glibc", "_musl"):
            theirs_t = getattr(later, attr)
            if theirs_t is not None:
                mine_t = getattr(self, attr)
                setattr(self, attr, theirs_t if mine_t is None else max(mine_t, theirs_t))
        if later._macos is not None:
            self._macos = (later._macos[0] + shift, later._macos[1], later._macos[2])
        if later._current is not None:
            self._current = (later._current[0] + shift, later._current[1])
        if later._collected is not None:
            self._collected = (later._collected[0] + shift, later._collected[1])
        return True

    # -- the verdict

    def result(self) -> Diagnosis:
        """The diagnosis so far."""
        inferred = dict(self._inferred)
        built = dict(self._built)
        for number, collected in self._orphans:
            if collected is not None:
                _first(inferred, collected, number)
                _first(built, collected, number)
        failed, because = None, None
        for found, how in ((self._failed, "stated"), (inferred, "in progress"), (self._path_named, "build path")):
            if found:
                failed, because = min(found.items(), key=lambda kv: kv[1])[0], how
                break
        versions = {name: version for name, (_n, version) in self._versions.items()}
        archive, evidence = None, None
        source = self._sources.get(failed) if failed is not None else None
        # Only the source build of the version shown (a log may fetch several).
        if source is not None and failed is not None and source[1] == versions.get(failed):
            evidence = source[2]
            found_archive = _archive_file_re.search(evidence)
            archive = found_archive.group(1) if found_archive else None
        platform = self._platform()
        return Diagnosis(
            built_from_source=[n for n, _ in sorted(built.items(), key=lambda kv: kv[1])],
            failed=failed,
            python=_top(self._python),
            platform=platform,
            versions=versions,
            source_archive=archive,
            no_wheel_evidence=evidence,
            failed_because=because,
            platform_proof=self._platform_proof() if platform else None,
        )

    def _os_name(self) -> Optional[str]:
        if self._os.get("musl"):
            return "musl"  # a musl system also says "linux" everywhere
        return _top(self._os)

    def _platform(self) -> Optional[str]:
        os_name = self._os_name()
        arch = _top(self._arch)
        if os_name == "windows":
            return {"x86_64": "win_amd64", "i686": "win32", "aarch64": "win_arm64"}.get(arch or "x86_64")
        if os_name == "macos":
            mac_arch = {"aarch64": "arm64", "x86_64": "x86_64"}.get(arch or "")
            if self._macos is not None:
                _line, version, build_arch = self._macos
                return f"macosx_{version}_{mac_arch or build_arch}"
            return f"macosx_11_0_{mac_arch}" if mac_arch else None
        if arch is None or os_name is None:
            return None
        if os_name == "musl":
            major, minor = self._musl[0] if self._musl else (1, 2)
            return f"musllinux_{major}_{minor}_{arch}"
        if self._glibc is not None:
            return f"manylinux_{self._glibc[0][0]}_{self._glibc[0][1]}_{arch}"
        return f"linux_{arch}"

    def _platform_proof(self) -> str:
        os_name = self._os_name()
        arch = _top(self._arch)
        words = {"musl": "linux", "linux": "linux", "macos": "macOS", "windows": "Windows"}.get(os_name or "", "")
        said = f"{words} {arch}" if arch else words
        if os_name == "musl":
            said += ", musl libc"
        elif os_name == "linux" and self._glibc is not None:
            said += ", glibc-based"
        shown = []
        tag = self._glibc if os_name == "linux" else self._musl if os_name == "musl" else None
        if tag is not None:
            shown.append(f"accepted a {tag[1]} wheel")
        if os_name in self._proof:
            shown.append(f"log shows {self._proof[os_name][1]!r}")
        return f"{said} ({'; '.join(shown)})" if shown else said


_archive_file_re = re.compile(r"([^ /]+\.(?:tar\.gz|zip|tar\.bz2))")

def diagnose(lines: Iterable[str]) -> Diagnosis:
    """Diagnose the lines of a log, block-normalised (the lines of :func:`generator.logs.text.iter_blocks`).

    Each is normalised here (already normalised lines work too, but lose
    pip's ``╰─>`` box margin).  The reference reading: every line, in order
    (see :func:`generator.logs.buildsection.read_sections` for the failing sections).
    """
    d = Diagnoser()
    read_sections(list(lines), d)
    return d.result()
