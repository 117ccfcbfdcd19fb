"""Which file pip would install for a release on a target (CPython version x platform).

Pure.  The rules are pip's (``pip install --python-version X.Y --platform TAG``
with every compatible platform tag passed), so the verdicts agree with pip:

* the tags a target accepts come from ``packaging.tags`` exactly as pip
  builds them (``cpython_tags`` then ``compatible_tags``); the platform list
  for a non-host platform is expanded the way packaging expands the host's
  (manylinux_2_35 down to manylinux_2_5 with the legacy aliases, musllinux
  1.2 down to 1.0, older macOS versions and universal2, ...);
* a file whose name does not parse, names another project, or whose
  Requires-Python excludes the target is ignored; yanked files are ignored
  unless the whole release is yanked (pip installs those only when pinned);
* the best wheel is the one with the most preferred tag, then the highest
  build tag; failing a wheel, the sdist.  Among files pip ranks equal (a
  ``.tar.gz`` and a ``.zip`` sdist, or two wheels whose best accepted tag is
  the same) it installs the LAST on the index page: see :func:`_pick`.

Why one module of ~410 lines: the target's accepted tags, the per-page index of
parsed files and the pick are one concept (pip's finder for one target), and the
questions asked of the parsed index (:func:`cpython_builds`, :func:`abi3_minimum`)
share its memoised per-page state.
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Optional, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.utils import parse_wheel_filename
from packaging.version import Version

from generator.errors import WheelfixError
from generator.index.page import DistFile, ProjectPage, file_version, safe_version

logger = logging.getLogger("wheelfix.wheels")


class TargetError(WheelfixError):
    """A CPython version or platform tag that wheelfix cannot judge."""


#: The last glibc minor of each major (packaging._manylinux._LAST_GLIBC_MINOR).
_LAST_GLIBC_MINOR = {2: 9999}  # glibc 3 does not exist; packaging uses a large bound too
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
_LEGACY_TO_GLIBC = {v: k for k, v in _LEGACY_MANYLINUX.items()}
_MANYLINUX_ARCHS = ("x86_64", "i686", "aarch64", "ppc64le", "s390x", "armv7l", "ppc64", "riscv64", "loongarch64")
_MUSL_ARCHS = _MANYLINUX_ARCHS
_MAC_ARCHS = ("arm64", "x86_64", "universal2", "i386", "ppc64", "ppc", "intel", "fat32", "fat64", "universal", "fat3")
_WINDOWS = ("win_amd64", "win32", "win_arm64")

_PLATFORM_FORMS = (
    "manylinux_2_35_x86_64, musllinux_1_2_x86_64, macosx_14_0_arm64, win_amd64 "
    "(also manylinux2014_x86_64 and the other legacy manylinux names)"
)


def _manylinux_platforms(major: int, minor: int, arch: str) -> list[str]:
    # Mirrors packaging._manylinux.platform_tags for a glibc we are told, not probed.
    too_old = (2, 4) if arch in ("x86_64", "i686") else (2, 16)
    out: list[str] = []
    maxima = [(major, minor)] + [(m, _LAST_GLIBC_MINOR.get(m, 50)) for m in range(major - 1, 1, -1)]
    for glibc_major, glibc_max_minor in maxima:
        min_minor = too_old[1] if glibc_major == too_old[0] else -1
        for glibc_minor in range(glibc_max_minor, min_minor, -1):
            version = (glibc_major, glibc_minor)
            if arch == "armv7l" and version < (2, 17):  # no armv7l wheels before manylinux2014
                continue
            out.append(f"manylinux_{glibc_major}_{glibc_minor}_{arch}")
            legacy = _LEGACY_MANYLINUX.get(version)
            if legacy is not None and (legacy == "manylinux2014" or arch in ("x86_64", "i686")):
                out.append(f"{legacy}_{arch}")
    return out


def _musllinux_platforms(major: int, minor: int, arch: str) -> list[str]:
    return [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]


@dataclass(frozen=True)
class Target:
    """A CPython feature version on one platform, e.g. CPython 3.13 on manylinux_2_35_x86_64."""

    python: str  # "3.13"
    platform: str  # most specific platform tag
    free_threaded: bool = False  # the 3.13t build

    @classmethod
    def parse(cls, python: str, platform: str) -> "Target":
        """Validate "3.13" / "3.13t" and a platform tag; raises TargetError on bad input."""
        m = re.fullmatch(r"\s*(\d{1,4})\.(\d{1,4})(t?)\s*", python or "")
        if not m:
            raise TargetError(
                f"CPython version {python!r} is not of the form X.Y",
                hint="give a feature version such as 3.13, or 3.13t for the free-threaded build",
            )
        major, minor, ft = int(m.group(1)), int(m.group(2)), bool(m.group(3))
        if major != 3 or minor > 99:
            raise TargetError(f"CPython version {python!r} is not a Python 3 version", hint="use e.g. 3.9 ... 3.14")
        if ft and minor < 13:
            raise TargetError(
                f"CPython version {python!r}: free-threaded builds exist from 3.13 on",
                hint="drop the 't', or use 3.13t or later",
            )
        plat = (platform or "").strip().lower().replace("-", "_").replace(".", "_")
        _platforms_for(plat, original=platform)  # validates
        legacy = re.fullmatch(r"(manylinux2014|manylinux2010|manylinux1)_(\w+)", plat)
        if legacy:
            glibc = _LEGACY_TO_GLIBC[legacy.group(1)]
            plat = f"manylinux_{glibc[0]}_{glibc[1]}_{legacy.group(2)}"
        return cls(python=f"{major}.{minor}", platform=plat, free_threaded=ft)

    @property
    def version_info(self) -> tuple[int, int]:
        """(major, minor) of the CPython version."""
        major, minor = self.python.split(".")
        return int(major), int(minor)

    def platforms(self) -> list[str]:
        """Every platform tag the target accepts, most preferred first."""
        return _platforms_for(self.platform, original=self.platform)

    def tags(self) -> list[Tag]:
        """Every tag the target accepts, in pip's priority order (most preferred first)."""
        version = self.version_info
        nodot = f"{version[0]}{version[1]}"
        abi = f"cp{nodot}t" if self.free_threaded else f"cp{nodot}"
        platforms = self.platforms()
        # Same calls, same order as pip's compatibility_tags.get_supported().
        tags = list(cpython_tags(python_version=version, abis=[abi], platforms=platforms))
        tags.extend(compatible_tags(python_version=version, interpreter=f"cp{nodot}", platforms=platforms))
        return tags

    @property
    def label(self) -> str:
        """Human label, e.g. "CPython 3.13, manylinux_2_35_x86_64"."""
        return f"CPython {self.python}{'t' if self.free_threaded else ''}, {self.platform}"


def _platforms_for(plat: str, *, original: str) -> list[str]:
    if re.search(r"_\d{4}", plat):
        # Every older version a tag accepts is listed: manylinux_2_99999999 would be millions of tags.
        raise TargetError(f"platform {original!r} is not a real platform: its version numbers have at most 3 digits", hint=f"use one of the forms {_PLATFORM_FORMS}")
    m = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", plat)
    if m and m.group(3) in _MANYLINUX_ARCHS and int(m.group(1)) == 2 and (int(m.group(2)) >= 5 or m.group(3) not in ("x86_64", "i686")):
        major, minor, arch = int(m.group(1)), int(m.group(2)), m.group(3)
        if arch not in ("x86_64", "i686") and minor < 17:
            raise TargetError(f"platform {original!r}: {arch} wheels start at manylinux_2_17", hint=f"use manylinux_2_17_{arch} or later")
        return _manylinux_platforms(major, minor, arch)
    m = re.fullmatch(r"(manylinux2014|manylinux2010|manylinux1)_(\w+)", plat)
    if m and m.group(2) in _MANYLINUX_ARCHS:
        glibc = _LEGACY_TO_GLIBC[m.group(1)]
        return _platforms_for(f"manylinux_{glibc[0]}_{glibc[1]}_{m.group(2)}", original=original)
    m = re.fullmatch(r"musllinux_(\d+)_(\d+)_(\w+)", plat)
    if m and m.group(3) in _MUSL_ARCHS and int(m.group(1)) == 1:
        return _musllinux_platforms(1, int(m.group(2)), m.group(3))
    m = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", plat)
    if m and m.group(3) in _MAC_ARCHS and 10 <= int(m.group(1)) <= 99:
        return list(mac_platforms((int(m.group(1)), int(m.group(2))), m.group(3)))
    if plat in _WINDOWS:
        return [plat]
    raise TargetError(f"platform {original!r} is not a platform tag wheelfix can judge", hint=f"use one of the forms {_PLATFORM_FORMS}")


class Kind(str, Enum):
    """What pip would install: a wheel, a build from the sdist, or nothing."""

    WHEEL = "wheel"
    SDIST = "sdist"
    NONE = "none"


class Reason(str, Enum):
    """Why a release gets no wheel on a target: the data behind an sdist or none verdict."""

    NO_WHEEL = "no-wheel"  # no wheel of the release carries a tag the target accepts
    REQUIRES_PYTHON = "requires-python"  # every file the target could use excludes its CPython
    YANKED = "yanked"  # the files the target could use are yanked (the rest of the release is not)
    NO_FILES = "no-files"  # the release lists no file pip can read


@dataclass(frozen=True)
class Verdict:
    """What pip would do for one release on one target."""

    version: Version
    kind: Kind
    file: Optional[DistFile]  # the exact file pip would pick (wheel or sdist), None for NONE
    yanked: bool  # all files of the release are yanked
    upload_time: Optional[datetime]  # earliest upload time of the release's files
    #: Why no wheel (None for a wheel).  For NONE: why nothing installs; for SDIST: why no wheel does.
    reason: Optional[Reason] = None
    #: With REQUIRES_PYTHON: the Requires-Python those files share, as the index gave it (None if they differ).
    requires_python: Optional[str] = None


def _requires_python_ok(spec: Optional[str], python: tuple[int, int], filename: str = "") -> bool:
    if not spec:
        return True
    ok = _requires_python_admits(spec, python)
    if ok is None:
        # pip ignores an invalid Requires-Python rather than the file.
        logger.debug("ignoring invalid requires-python %r of %s", spec, filename)
        return True
    return ok


@lru_cache(maxsize=8192)
def _requires_python_admits(spec: str, python: tuple[int, int]) -> Optional[bool]:
    """Whether ``spec`` admits X.Y.0; None when the specifier is invalid.  Few distinct values: cached."""
    try:
        specifier = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    return specifier.contains(f"{python[0]}.{python[1]}.0", prereleases=True)


@dataclass(frozen=True)
class _File:
    """A file of a release, parsed once per page: its tags, build tag and yanked flag."""

    dist: DistFile
    tags: frozenset[Tag]  # empty for an sdist
    build: tuple[int, str]
    is_wheel: bool


@dataclass
class _PageIndex:
    """A page's files grouped by release (ascending), parsed once, with verdicts memoised per target."""

    releases: list[tuple[Version, list[_File]]]
    verdicts: dict[Target, tuple[Verdict, ...]]
    upload_times: dict[Version, Optional[datetime]] = field(default_factory=dict)  # earliest upload per release
    builds: Optional[tuple[frozenset[int], frozenset[int]]] = None
    #: Per target platform: each release's sdists and the wheels whose platform tag
    #: the target accepts.  Any other wheel can never be chosen, and a table asks for
    #: a dozen Pythons per platform, so this filter is shared by them.
    candidates: dict[str, list[tuple[Version, list[_File], bool, bool]]] = field(default_factory=dict)


# Verdicts are asked for the same page many times over (every table column, claim
# and upstream note), and parsing thousands of wheel names each time dominated a
# site build.  Keyed by id(page); the weak reference drops the entry with the page.
_CP_INTERPRETER = re.compile(r"cp3(\d+)(t?)")
_INDEXES: dict[int, tuple["weakref.ref[ProjectPage]", _PageIndex]] = {}


def _index(page: ProjectPage) -> _PageIndex:
    entry = _INDEXES.get(id(page))
    if entry is not None and entry[0]() is page:
        return entry[1]
    project = page.name
    by_version: dict[Version, list[_File]] = {}
    for raw in page.versions:
        v = safe_version(raw)
        if v is not None:
            by_version.setdefault(v, [])
    for f in page.files:
        v = file_version(f.filename, project)
        if v is None:
            logger.debug("%s: ignoring file %s (name does not parse for this project)", project, f.filename)
            continue
        if f.filename.endswith(".whl"):
            _name, _version, build, ftags = parse_wheel_filename(f.filename)
            parsed = _File(f, frozenset(ftags), build or (-1, ""), True)
        else:
            parsed = _File(f, frozenset(), (-1, ""), False)
        by_version.setdefault(v, []).append(parsed)
    releases = sorted(by_version.items())
    upload_times = {
        v: min((f.dist.upload_time for f in fs if f.dist.upload_time is not None), default=None) for v, fs in releases
    }
    index = _PageIndex(releases, {}, upload_times=upload_times)
    key = id(page)

    def forget(_ref: "weakref.ref[ProjectPage]") -> None:
        _INDEXES.pop(key, None)

    _INDEXES[key] = (weakref.ref(page, forget), index)
    return index


def _pick(files: Sequence[_File], python: tuple[int, int], priority: dict[Tag, int]) -> tuple[Optional[DistFile], Kind]:
    best: Optional[DistFile] = None
    best_key: Optional[tuple[int, tuple[int, str]]] = None
    best_kind = Kind.NONE
    sdist_pri = -len(priority)
    for f in files:
        if f.dist.requires_python and not _requires_python_ok(f.dist.requires_python, python, f.dist.filename):
            continue
        if f.is_wheel:
            ranks = [priority[t] for t in f.tags if t in priority]
            if not ranks:
                continue
            key: tuple[int, tuple[int, str]] = (-min(ranks), f.build)
            kind = Kind.WHEEL
        else:
            key = (sdist_pri, (-1, ""))
            kind = Kind.SDIST
        # ">=": among equal keys the later file on the page wins.  pip's resolver sorts the
        # finder's applicable candidates by this key (a stable sort keeps page order), walks
        # them in reverse and takes the first file of each version, so it installs the LAST
        # of equals.  (PackageFinder.find_best_candidate().best_candidate, a max(), would be
        # the first; pip install does not choose with it.)  tests/test_wheels.py checks both.
        if best_key is None or key >= best_key:
            best, best_key, best_kind = f.dist, key, kind
    return best, best_kind


def _why_not(kind: Kind, pool: Sequence[_File], files: Sequence[_File], listed: bool, priority: dict[Tag, int]) -> tuple[Reason, Optional[str]]:
    """Why ``kind`` (SDIST or NONE) and no wheel; ``pool`` is what pip chose from, ``files`` all candidates."""

    def wanted(f: _File) -> bool:
        # The files that would have done better: a matching wheel, or for NONE an sdist too.
        return any(t in priority for t in f.tags) if f.is_wheel else kind is Kind.NONE

    excluded = [f for f in pool if wanted(f)]  # in the pool and not chosen: Requires-Python said no
    if excluded:
        specs = {f.dist.requires_python for f in excluded}
        return Reason.REQUIRES_PYTHON, specs.pop() if len(specs) == 1 else None
    if any(wanted(f) for f in files):
        return Reason.YANKED, None
    return (Reason.NO_WHEEL if listed else Reason.NO_FILES), None


def _candidates(index: _PageIndex, target: Target) -> list[tuple[Version, list[_File], bool, bool]]:
    """(version, files the target could install, whether the whole release is yanked, whether it lists any file)."""
    found = index.candidates.get(target.platform)
    if found is None:
        accepted = set(target.platforms()) | {"any"}
        found = [
            (
                version,
                [f for f in files if not f.is_wheel or any(t.platform in accepted for t in f.tags)],
                bool(files) and all(f.dist.is_yanked for f in files),
                bool(files),
            )
            for version, files in index.releases
        ]
        index.candidates[target.platform] = found
    return found


@lru_cache(maxsize=256)
def _priority(target: Target) -> dict[Tag, int]:
    return {t: i for i, t in enumerate(target.tags())}


def release_verdicts(page: ProjectPage, target: Target) -> list[Verdict]:
    """One verdict per release of the page (every version it lists), ascending by version."""
    index = _index(page)
    cached = index.verdicts.get(target)
    if cached is not None:
        return list(cached)
    priority = _priority(target)
    python = target.version_info
    verdicts: list[Verdict] = []
    for version, files, all_yanked, listed in _candidates(index, target):
        pool = [f for f in files if not f.dist.is_yanked]
        chosen, kind = _pick(pool, python, priority)
        if chosen is None and all_yanked:
            # pip installs a fully yanked release only when pinned with ==; judge what it would pick then.
            pool = files
            chosen, kind = _pick(pool, python, priority)
        reason, spec = (None, None) if kind is Kind.WHEEL else _why_not(kind, pool, files, listed, priority)
        verdicts.append(
            Verdict(version=version, kind=kind, file=chosen, yanked=all_yanked, upload_time=index.upload_times.get(version), reason=reason, requires_python=spec)
        )
    index.verdicts[target] = tuple(verdicts)
    return verdicts


def cpython_minors(page: ProjectPage) -> list[int]:
    """The CPython 3 minor versions the project has ever shipped cpXY wheels for, ascending."""
    regular, threaded = cpython_builds(page)
    return sorted(regular | threaded)


def abi3_minimum(page: ProjectPage) -> Optional[int]:
    """The oldest CPython 3 minor an abi3 wheel of the project targets; such a wheel serves every later minor."""
    oldest: Optional[int] = None
    for _version, files in _index(page).releases:
        for f in files:
            for tag in f.tags:
                m = _CP_INTERPRETER.fullmatch(tag.interpreter)
                if tag.abi == "abi3" and m is not None and not m.group(2):
                    minor = int(m.group(1))
                    oldest = minor if oldest is None else min(oldest, minor)
    return oldest


def cpython_builds(page: ProjectPage) -> tuple[frozenset[int], frozenset[int]]:
    """(regular, free-threaded): CPython 3 minors with version-specific wheels of each build.

    abi3 wheels count for the regular build of their minimum version.  Memoised per page.
    """
    index = _index(page)
    if index.builds is None:
        regular: set[int] = set()
        threaded: set[int] = set()
        for _version, files in index.releases:
            for f in files:
                for tag in f.tags:
                    m = _CP_INTERPRETER.fullmatch(tag.interpreter)
                    if m is None:
                        continue
                    free = bool(m.group(2)) or (tag.abi != "abi3" and tag.abi.endswith("t"))
                    (threaded if free else regular).add(int(m.group(1)))
        index.builds = (frozenset(regular), frozenset(threaded))
    return index.builds
