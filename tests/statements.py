"""An independent reader of the sentences wheelfix says about a column of releases.

It parses a table line ("Releases of tiktoken with a wheel for CPython 3.8 on
...: 0.1.2–0.7.0; none from 0.8.0, which requires Python >= 3.9.") or a claim's
counter-fact back into claims, and checks each claim against a column of
``(version, state)`` rows, state being what a table cell shows: "wheel",
"sdist", "none" or "yanked".  Reasons ("which requires Python ...") are checked
against the page's files themselves.  It shares no code with
generator/truth/support.py, so a bug there cannot hide here.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from generator.index.page import DistFile, ProjectPage
from generator.truth.wheels import Target

Row = tuple[Version, str]

_NO = re.compile(r"No release of (?P<pkg>\S+) has a wheel for CPython (?P<py>\S+) on (?P<plat>\S+)\.")
_YES = re.compile(r"Releases of (?P<pkg>\S+) with a wheel for CPython (?P<py>\S+) on (?P<plat>[^\s:]+): (?P<body>.+)\.")
_RANGE = re.compile(r"(\S+)–(\S+)")
_FROM = re.compile(r"every release from (\S+) on")
_SOME = re.compile(r"(\d+) of the (\d+) releases from (\S+) to (\S+)")
_SDIST = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)\.(tar\.gz|zip|tar\.bz2|tgz|tar\.xz|tar)$")


def _split(body: str) -> tuple[list[str], str]:
    """A body's items ("0.1.2–0.7.0", "every release from 0.8.0 on", ...) and its "none from" part."""
    runs_part, _, stop_part = body.partition("; none from ")
    pieces = runs_part.split(", ")
    return pieces[:-1] + pieces[-1].split(" and "), stop_part


def named_versions(text: str) -> list[Version]:
    """Every release a table line names."""
    m = _YES.fullmatch(text)
    if m is None:
        return []
    items, stop = _split(m.group("body"))
    found = []
    for item in items:
        for pattern in (_FROM, _SOME, _RANGE):
            hit = pattern.fullmatch(item)
            if hit is not None:
                found += [Version(g) for g in hit.groups()[2 if pattern is _SOME else 0 :]]
                break
        else:
            if item != "every release":
                found.append(Version(item))
    if stop:
        found.append(Version(stop.partition(", ")[0]))
    return found


def check_sentence(
    text: str,
    column: Sequence[Row],
    *,
    package: str,
    python: str,
    platform: str,
    page: Optional[ProjectPage] = None,
) -> list[str]:
    """The problems with a table line about ``column``; [] when every claim in it holds.

    Yanked rows are left out of the claims (the table's note says so).  Reasons
    about files ("which requires Python >= 3.9") are checked against ``page``.
    """
    m = _NO.fullmatch(text)
    if m is not None:
        problems = _same_target(m, package, python, platform)
        return problems + _check_body(None, column, python, platform, page)
    m = _YES.fullmatch(text)
    if m is None:
        return [f"not a sentence of the grammar: {text!r}"]
    return _same_target(m, package, python, platform) + _check_body(m.group("body"), column, python, platform, page)


def check_counter_fact(text: str, column: Sequence[Row], *, python: str, platform: str, page: Optional[ProjectPage] = None) -> list[str]:
    """The same for a claim's tail ("releases with a wheel: ..." / "no release has a wheel there")."""
    problems = []
    has_yanked = any(state == "yanked" for _, state in column)
    if text.endswith(" (yanked releases left out)"):
        text = text[: -len(" (yanked releases left out)")]
        if not has_yanked:
            problems.append("says yanked releases were left out, but there are none")
    elif has_yanked:
        problems.append("leaves yanked releases out without saying so")
    if text == "no release has a wheel there":
        return problems + _check_body(None, column, python, platform, page)
    if not text.startswith("releases with a wheel: "):
        return problems + [f"not a counter-fact of the grammar: {text!r}"]
    return problems + _check_body(text[len("releases with a wheel: ") :], column, python, platform, page)


def _same_target(m: "re.Match[str]", package: str, python: str, platform: str) -> list[str]:
    said = (m.group("pkg"), m.group("py"), m.group("plat"))
    return [] if said == (package, python, platform) else [f"names {said}, but the column is {(package, python, platform)}"]


def _check_body(body: Optional[str], column: Sequence[Row], python: str, platform: str, page: Optional[ProjectPage]) -> list[str]:
    rows = [(v, state) for v, state in column if state != "yanked"]
    versions = [v for v, _ in rows]
    wheel = {v for v, state in rows if state == "wheel"}
    if body is None:
        return [f"says no release has a wheel, but {min(wheel)} has one"] if wheel else []
    problems: list[str] = []
    if not versions:
        return [f"names releases with a wheel, but the column has no release: {body!r}"]
    items, stop_part = _split(body)
    covered: set[Version] = set()
    last_end: Optional[Version] = None

    def position(v: Version, item: str) -> Optional[int]:
        if v not in versions:
            problems.append(f"{item!r}: {v} is not a release of the column")
            return None
        return versions.index(v)

    def edges(i: int, j: int, item: str) -> None:
        # The item must be a longest stretch: its neighbours have no wheel.
        if i > 0 and versions[i - 1] in wheel:
            problems.append(f"{item!r}: {versions[i - 1]}, just before it, has a wheel too")
        if j + 1 < len(versions) and versions[j + 1] in wheel:
            problems.append(f"{item!r}: {versions[j + 1]}, just after it, has a wheel too")

    for k, item in enumerate(items):
        if item == "every release" or _FROM.fullmatch(item):
            start = Version(_FROM.fullmatch(item).group(1)) if item != "every release" else versions[0]  # type: ignore[union-attr]
            i = position(start, item)
            if i is None:
                continue
            span = versions[i:]
            if item != "every release" and i == 0:
                problems.append(f"{item!r}: {start} is the oldest release, so every release has one")
            if i > 0 and versions[i - 1] in wheel:
                problems.append(f"{item!r}: {versions[i - 1]}, just before it, has a wheel too")
            lacking = [v for v in span if v not in wheel]
            if lacking:
                problems.append(f"{item!r}: {lacking[0]} has no wheel")
            if k != len(items) - 1 or stop_part:
                problems.append(f"{item!r}: support to the newest release must come last, with no 'none from'")
        elif _SOME.fullmatch(item):
            m = _SOME.fullmatch(item)
            assert m is not None
            n, total, a, b = int(m.group(1)), int(m.group(2)), Version(m.group(3)), Version(m.group(4))
            i, j = position(a, item), position(b, item)
            if i is None or j is None:
                continue
            span = versions[i : j + 1]
            if (sum(1 for v in span if v in wheel), len(span)) != (n, total):
                problems.append(f"{item!r}: {sum(1 for v in span if v in wheel)} of {len(span)} have a wheel")
            if n >= total:
                problems.append(f"{item!r}: all of them have one, which is a range")
            if a not in wheel or b not in wheel:
                problems.append(f"{item!r}: the ends must have wheels")
            edges(i, j, item)
        else:
            m = _RANGE.fullmatch(item)
            a, b = (Version(m.group(1)), Version(m.group(2))) if m else (Version(item), Version(item))
            i, j = position(a, item), position(b, item)
            if i is None or j is None:
                continue
            span = versions[i : j + 1]
            if m and a >= b:
                problems.append(f"{item!r}: not an ascending range")
            lacking = [v for v in span if v not in wheel]
            if lacking:
                problems.append(f"{item!r}: {lacking[0]} has no wheel")
            edges(i, j, item)
        if last_end is not None and span and span[0] <= last_end:
            problems.append(f"{item!r}: overlaps or precedes the item before it")
        if span:
            last_end = span[-1]
        covered |= set(span) & wheel
    if wheel - covered:
        problems.append(f"{min(wheel - covered)} has a wheel but no item names it")
    if stop_part:
        problems += _check_stop(stop_part, rows, versions, wheel, last_end, python, platform, page)
    elif versions and versions[-1] not in wheel:
        problems.append(f"the newest release, {versions[-1]}, has no wheel, but the line does not say where support stopped")
    return problems


def _check_stop(
    text: str, rows: Sequence[Row], versions: list[Version], wheel: set[Version], last_end: Optional[Version], python: str, platform: str, page: Optional[ProjectPage]
) -> list[str]:
    said, _, why = text.partition(", ")
    stop = Version(said)
    if stop not in versions:
        return [f"none from {stop}: not a release of the column"]
    problems = []
    later = [v for v in versions if v >= stop and v in wheel]
    if later:
        problems.append(f"none from {stop}: {later[0]} has a wheel")
    if last_end is not None and versions.index(stop) != versions.index(last_end) + 1:
        problems.append(f"none from {stop}: it is not the release right after the last one with a wheel")
    state = dict(rows)[stop]
    problems += [f"none from {stop}, {why}: {p}" for p in _check_reason(why, stop, state, python, platform, page)]
    return problems


def _check_reason(why: str, version: Version, state: str, python: str, platform: str, page: Optional[ProjectPage]) -> list[str]:
    if why == "which builds from source":
        return [] if state == "sdist" else [f"the table says {state}"]
    if why == "which installs nothing there":
        return [] if state == "none" else [f"the table says {state}"]
    if page is None:
        return []  # hand-made columns have no files; the properties always pass the page
    target = Target.parse(python, platform)
    files = _files(page, version)
    accepted = set(target.tags())
    wheels = [f for f in files if f.filename.endswith(".whl") and set(parse_wheel_filename(f.filename)[3]) & accepted]
    sdists = [f for f in files if not f.filename.endswith(".whl")]
    live = [f for f in wheels + sdists if not f.is_yanked]
    py = target.version_info
    m = re.fullmatch(r"which builds from source: its wheels for this platform (?:require Python (?P<spec>.+)|exclude CPython \S+ by their Requires-Python)", why)
    if m is not None:
        live_wheels = [f for f in wheels if not f.is_yanked]
        return ([] if state == "sdist" else [f"the table says {state}"]) + _excluded(live_wheels, m.group("spec"), py)
    if why == "which builds from source: its wheels for this platform are yanked":
        bad = [] if state == "sdist" else [f"the table says {state}"]
        return bad + ([] if wheels and all(f.is_yanked for f in wheels) else ["its matching wheels are not all yanked"])
    problems = [] if state == "none" else [f"the table says {state}"]
    m = re.fullmatch(r"which (?:requires Python (?P<spec>.+)|excludes CPython \S+ by its Requires-Python)", why)
    if m is not None:
        return problems + _excluded(live, m.group("spec"), py)
    if why == "whose files for this target are yanked":
        return problems + ([] if not live and any(f.is_yanked for f in wheels + sdists) else ["it has usable files that are not yanked"])
    if why == "which lists no files":
        return problems + ([] if not files else [f"it lists {files[0].filename}"])
    if why == "which has no file for this target":
        return problems + ([] if not live else [f"{live[0].filename} is for this target"])
    return [f"unknown reason {why!r}"]


def _excluded(files: Sequence[DistFile], spec: Optional[str], py: tuple[int, int]) -> list[str]:
    if not files:
        return ["there is no file it could be about"]
    problems = []
    for f in files:
        try:
            admits = SpecifierSet(f.requires_python or "").contains(f"{py[0]}.{py[1]}.0", prereleases=True)
        except InvalidSpecifier:
            admits = True  # pip ignores an invalid Requires-Python
        if admits:
            problems.append(f"{f.filename} admits CPython {py[0]}.{py[1]}")
        if spec is not None and SpecifierSet(spec.replace(" ", "")) != SpecifierSet(f.requires_python or ""):
            problems.append(f"{f.filename} requires Python {f.requires_python!r}, not {spec!r}")
    return problems


_BY_RELEASE: dict[int, tuple[ProjectPage, dict[Version, list[DistFile]]]] = {}


def _files(page: ProjectPage, version: Version) -> list[DistFile]:
    """The page's files of one release, by their names (parsed once per page)."""
    cached = _BY_RELEASE.get(id(page))
    if cached is None or cached[0] is not page:
        cached = (page, _group(page))
        _BY_RELEASE[id(page)] = cached
    return cached[1].get(version, [])


def _group(page: ProjectPage) -> dict[Version, list[DistFile]]:
    found: dict[Version, list[DistFile]] = {}
    for f in page.files:
        if f.filename.endswith(".whl"):
            try:
                name, v, _, _ = parse_wheel_filename(f.filename)
            except (InvalidWheelFilename, InvalidVersion):
                continue
        else:
            m = _SDIST.match(f.filename)
            if m is None:
                continue
            name = canonicalize_name(m.group("name"))
            try:
                v = Version(m.group("version"))
            except InvalidVersion:
                continue
        if name == page.name:
            found.setdefault(v, []).append(f)
    return found
